"""The one way inbound e-mail enters: `ingest_raw(raw)`, from the webhook, the command and IMAP.

Every mail is stored once (deduplicated by Message-ID, or by a hash of the bytes when it has
none) with its raw bytes, then routed: a bounce marks our original message bounced (a mail to a
VERP `bounce+<token>@…` address is always a report on that message), a spam complaint unsubscribes
and suppresses the candidate (see `messaging.inbound.reports`), a reply or
auto-reply that matches a conversation becomes an incoming `Message`, anything else waits in
"Unmatched" for a recruiter (`inbound_assign`). Hostile or broken mail is recorded as refused,
never raised: the caller always gets a row back.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TypedDict
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import IntegrityError, transaction
from django.utils import timezone

from candidates.models import Candidate
from messaging.classify import classify_reply_intent
from messaging.inbound.cleaning import clean_reply
from messaging.inbound.detection import auto_reply_reason
from messaging.inbound.lenient import is_mail, parse_email_leniently
from messaging.inbound.matching import Match, match_email, match_verp
from messaging.inbound.parsing import ParsedEmail, raw_digest
from messaging.inbound.reports import route_report
from messaging.inbound.return_dates import return_date
from messaging.links import unsubscribe_by_email
from messaging.models import MAX_BODY_CHARS, InboundEmail, Message, Thread
from messaging.services import MessagingError, message_receive
from talentcircles.models import Membership, User

logger = logging.getLogger(__name__)

# Mail bigger than this is refused (the webhook answers 413 before reading it); only its start is kept.
MAX_RAW_BYTES = 30 * 1024 * 1024
KEPT_OF_REFUSED_BYTES = 256 * 1024


@dataclass
class IngestResult:
    inbound: InboundEmail
    created: bool  # False: the same mail was already stored, nothing was done again


def ingest_raw(
    raw: bytes, *, received_at: datetime | None = None, envelope_recipients: list[str] | None = None
) -> InboundEmail:
    """Store and route one raw RFC 5322 message; the same message twice is stored once."""
    return ingest(raw, received_at=received_at, envelope_recipients=envelope_recipients).inbound


def ingest(
    raw: bytes, *, received_at: datetime | None = None, envelope_recipients: list[str] | None = None
) -> IngestResult:
    """`ingest_raw`, also telling whether the mail was new."""
    raw = bytes(raw or b"")
    received_at = received_at or timezone.now()
    if len(raw) > MAX_RAW_BYTES:
        return _store_refused(raw, received_at, f"Refused: {len(raw):,} bytes is over the {MAX_RAW_BYTES:,} limit.")
    # Nothing lost: a mail the parser cannot fully read is still stored and routed on what can be read.
    parsed, parse_error = parse_email_leniently(raw)
    if not is_mail(parsed):
        return _store_refused(raw, received_at, "Refused: not an e-mail (no headers).")
    try:
        body_text = clean_reply(parsed.text)
    except Exception as exc:  # clean_reply is defensive; the uncleaned text is better than no mail
        logger.exception("Inbound e-mail text could not be cleaned")
        body_text, parse_error = parsed.text, parse_error or f"{type(exc).__name__}: {exc}"[:300]
    error = f"Could not be fully read ({parse_error}); the raw mail is kept." if parse_error else ""
    dedup_key = _dedup_key(parsed.message_id, raw)
    existing = InboundEmail.objects.filter(dedup_key=dedup_key).first()
    if existing is not None:
        return IngestResult(existing, created=False)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: losing the race to a twin leaves the outer transaction usable
                inbound = InboundEmail.objects.create(
                    status=InboundEmail.Status.UNMATCHED,
                    dedup_key=dedup_key,
                    message_id_header=parsed.message_id[:255],
                    from_email=parsed.from_email[:254],
                    to_emails=", ".join(parsed.recipients)[:5_000],
                    subject=parsed.subject,
                    body_text=body_text[:MAX_BODY_CHARS],
                    raw=raw,
                    received_at=received_at,
                    error=error,
                )
        except IntegrityError:
            return IngestResult(InboundEmail.objects.get(dedup_key=dedup_key), created=False)
        try:
            with transaction.atomic():  # a savepoint: a failing route still leaves the mail stored
                _route(inbound, parsed, body_text, envelope_recipients or [])
        except Exception as exc:
            logger.exception("Inbound e-mail %s stored but not routed", inbound.pk)
            # Waits in "Unmatched" of the organisation it was routed to, for a person to file.
            inbound.status = InboundEmail.Status.UNMATCHED
            inbound.message = None
            inbound.error = f"{error} Could not be filed automatically: {exc}".strip()[:2_000]
            inbound.save(update_fields=["organization", "is_auto_reply", "status", "message", "error"])
    return IngestResult(inbound, created=True)


def _dedup_key(message_id: str, raw: bytes) -> str:
    if message_id:
        key = f"mid:{message_id}"
        return key if len(key) <= 255 else "mid-sha256:" + hashlib.sha256(message_id.encode()).hexdigest()
    return "sha256:" + raw_digest(raw)


def _store_refused(raw: bytes, received_at: datetime, error: str) -> IngestResult:
    dedup_key = "sha256:" + raw_digest(raw)
    logger.warning("Inbound e-mail refused: %s", error)
    try:
        with transaction.atomic():
            inbound = InboundEmail.objects.create(
                status=InboundEmail.Status.REJECTED,
                dedup_key=dedup_key,
                raw=raw[:KEPT_OF_REFUSED_BYTES],
                error=error,
                received_at=received_at,
            )
        return IngestResult(inbound, created=True)
    except IntegrityError:
        return IngestResult(InboundEmail.objects.get(dedup_key=dedup_key), created=False)


def _route(inbound: InboundEmail, parsed: ParsedEmail, body_text: str, envelope_recipients: list[str]) -> None:
    # Machines before people: a complaint, then a bounce (VERP: any report at a bounce+ address), then auto-replies.
    verp = match_verp(parsed, envelope_recipients=envelope_recipients)
    if route_report(inbound, parsed, verp):
        return
    if _route_unsubscribe(inbound, parsed, envelope_recipients):
        return
    auto_reason = auto_reply_reason(parsed)
    match = match_email(parsed, envelope_recipients=envelope_recipients)
    if match.thread is None and verp.message is not None:
        # An out-of-office sent to the Return-Path (RFC 3834): the token names the message it answers.
        thread = verp.message.thread
        match = Match(thread=thread, organization=thread.organization, matched_by="verp", message=verp.message)
    inbound.organization = match.organization
    inbound.is_auto_reply = bool(auto_reason)
    fields = ["organization", "is_auto_reply", "status", "message", "error"]
    if match.thread is None:
        if auto_reason:
            # An out-of-office that answers nothing of ours is noise: kept for the record, not queued for a person.
            inbound.status = InboundEmail.Status.DISCARDED
            inbound.error = f"Automatic reply ({auto_reason}) matching no conversation."
        inbound.save(update_fields=fields)
        return
    inbound.message = message_receive(
        thread=match.thread,
        channel=Message.Channel.EMAIL,
        body_text=body_text,
        from_email=parsed.from_email,
        subject=parsed.subject,
        message_id_header=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        is_auto_reply=bool(auto_reason),
        **_classified("" if auto_reason else body_text),
        received_at=inbound.received_at,
        return_on=_return_on(parsed, inbound, match) if auto_reason else None,
    )
    inbound.status = InboundEmail.Status.MATCHED
    inbound.save(update_fields=fields)


class _Classified(TypedDict):
    classification: str
    classification_reason: str


def _classified(body_text: str) -> _Classified:
    """The reply's classification and the phrase that decided it; nothing for an automatic reply."""
    if not body_text:
        return {"classification": "", "classification_reason": ""}
    intent = classify_reply_intent(body_text)
    return {"classification": intent.classification, "classification_reason": intent.reason}


def _return_on(parsed: ParsedEmail, inbound: InboundEmail, match: Match) -> date | None:
    """The day an out-of-office says its writer is back, read in the organisation's time zone."""
    org = match.thread.organization if match.thread is not None else None
    zone = _zone(getattr(org, "time_zone", "") or "")
    today = timezone.localtime(inbound.received_at, zone).date()
    try:
        return return_date(f"{parsed.subject}\n{parsed.text}", today=today)
    except Exception:  # a date we cannot read only loses the postponement, never the reply
        logger.exception("Could not read the return date of inbound e-mail %s", inbound.pk)
        return None


def _zone(name: str) -> tzinfo:
    try:
        return ZoneInfo(name) if name else timezone.get_default_timezone()
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _route_unsubscribe(inbound: InboundEmail, parsed: ParsedEmail, envelope_recipients: list[str]) -> bool:
    """The mailto form of List-Unsubscribe: a mail to `unsubscribe+<token>@…` is a request, not a reply."""
    unsubscribed = unsubscribe_by_email(addresses=[*parsed.recipients, *envelope_recipients])
    if not unsubscribed:
        return False
    inbound.organization_id = unsubscribed[0].organization_id
    inbound.status = InboundEmail.Status.DISCARDED
    inbound.error = f"Unsubscribe request by e-mail: {len(unsubscribed)} candidate(s) unsubscribed."
    inbound.save(update_fields=["organization", "status", "error"])
    return True


# --- Assigning unmatched mail -------------------------------------------------------------------


def inbound_assign(*, inbound: InboundEmail, candidate: Candidate, user: User) -> Message:
    """File an unmatched e-mail under `candidate`: their latest thread, or a new one they started.

    Raises MessagingError when the mail is not waiting to be assigned, or the candidate or the
    user belongs to another organisation than the mail.
    """
    with transaction.atomic():
        locked = InboundEmail.objects.select_for_update().get(pk=inbound.pk)
        if locked.status != InboundEmail.Status.UNMATCHED:
            raise MessagingError("This e-mail is already filed.", field="inbound")
        if locked.organization_id is not None and locked.organization_id != candidate.organization_id:
            raise MessagingError("Unknown candidate.", field="candidate")
        if not Membership.objects.filter(user=user, organization_id=candidate.organization_id).exists():
            raise MessagingError("Only a member of the organisation can file its e-mail.", field="user")
        thread = (
            Thread.objects.filter(organization_id=candidate.organization_id, candidate=candidate)
            .order_by("-last_message_at", "-id")
            .first()
        )
        if thread is None:
            thread = Thread.objects.create(
                organization_id=candidate.organization_id,
                candidate=candidate,
                recruiter=user,
                subject=locked.subject or "(no subject)",
                started_by=Thread.StartedBy.CANDIDATE,
                origin=Thread.Origin.ONE_TO_ONE,
            )
        parsed, _ = parse_email_leniently(bytes(locked.raw))
        message = message_receive(
            thread=thread,
            channel=Message.Channel.EMAIL,
            body_text=locked.body_text,
            from_email=locked.from_email,
            subject=locked.subject,
            # The Message-ID goes on the message so the candidate's next reply matches this thread.
            message_id_header=locked.message_id_header,
            in_reply_to=parsed.in_reply_to,
            references=" ".join(parsed.references),
            is_auto_reply=locked.is_auto_reply,
            **_classified("" if locked.is_auto_reply else locked.body_text),
            received_at=locked.received_at,
        )
        locked.status = InboundEmail.Status.ASSIGNED
        locked.message = message
        locked.organization_id = candidate.organization_id
        locked.assigned_by = user
        locked.error = ""
        locked.save(update_fields=["status", "message", "organization", "assigned_by", "error"])
    inbound.refresh_from_db()
    return message


__all__ = ["IngestResult", "Match", "inbound_assign", "ingest", "ingest_raw"]


def inbound_discard(*, inbound: InboundEmail, user: User) -> bool:
    """Set an unmatched e-mail aside (the raw mail is kept). False when it was filed or discarded meanwhile."""
    return bool(
        InboundEmail.objects.filter(pk=inbound.pk, status=InboundEmail.Status.UNMATCHED).update(
            status=InboundEmail.Status.DISCARDED, assigned_by=user
        )
    )
