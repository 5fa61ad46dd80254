"""The outbox: an outgoing e-mail message row is claimed, checked once more, sent and marked.

The row is the source of truth. `message_deliver` moves it `queued` → `sending` with a conditional
UPDATE (so of two workers only one sends), re-checks that the candidate may still be contacted, hands
the e-mail to Django's e-mail backend (whatever EMAIL_URL configures: SMTP, console, an anymail
provider) and moves it `sending` → `sent`. Temporary failures put it back to `queued` with a later
`next_attempt_at`; permanent ones, or too many attempts, make it `failed` with the error kept for the
thread. `messages_sweep` re-queues rows whose task was lost. Nothing here sends twice: a row that is
not `queued` and due is never claimed.
"""

from __future__ import annotations

import logging
import random
import smtplib
from datetime import datetime, timedelta
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone

from messaging import links
from messaging.models import Message
from messaging.services import SKIP_REASONS, new_message_id_header, skip_reason
from talentcircles import events

logger = logging.getLogger(__name__)

SENT = "sent"
RETRY = "retry"
FAILED = "failed"
CANCELLED = "cancelled"
SKIPPED = "skipped"

MAX_ATTEMPTS = 5
BACKOFF_BASE = timedelta(seconds=30)
# Far below the Redis broker's visibility timeout (an hour), so a retry's countdown never makes
# Redis hand the same task to a second worker.
BACKOFF_CAP = timedelta(minutes=10)
# Longer than the Celery hard time limit (5 minutes): a row still `sending` after this has lost its worker.
STALE_AFTER = timedelta(minutes=10)
SWEEP_BATCH = 500
_MAX_ERROR_CHARS = 2000


class _PermanentError(Exception):
    """Sending this message can never succeed as it is (refused address, 5xx)."""


def retry_delay(attempts: int, *, rng: random.Random | None = None) -> timedelta:
    """Exponential backoff with full jitter: uniform in [1 s, min(cap, base · 2^(attempts-1))]."""
    ceiling = min(BACKOFF_CAP.total_seconds(), BACKOFF_BASE.total_seconds() * 2 ** max(attempts - 1, 0))
    return timedelta(seconds=(rng or random).uniform(1, max(ceiling, 1)))


def reply_address(message: Message) -> str:
    """The thread's reply address: the inbound side matches replies by this token first."""
    return f"reply+{message.thread.reply_token}@{settings.INBOUND_EMAIL_DOMAIN}"


def _one_line(value: str) -> str:
    return " ".join((value or "").splitlines()).strip()


def from_address(message: Message) -> str:
    """`"Jane Doe via Acme" <DEFAULT_FROM_EMAIL's address>`.

    The display name says who wrote and for which organisation; the address stays ours (the one
    SPF/DKIM authorise for the configured mail server) so the mail passes DMARC. Replies go to
    the thread's reply address, never to the From address.
    """
    org = message.organization
    org_name = _one_line(org.sender_name or org.name)
    recruiter_name = _one_line(message.sender.get_full_name()) if message.sender else ""
    display = f"{recruiter_name} via {org_name}" if recruiter_name else org_name
    return formataddr((display, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


def _body_context(message: Message) -> dict:
    candidate = message.candidate
    recruiter = message.sender
    return {
        "body": message.body_text,
        "org": message.organization,
        "recruiter_name": (recruiter.get_full_name() or recruiter.email) if recruiter else "",
        "interested_url": links.response_url(message, Message.Classification.INTERESTED),
        "not_interested_url": links.response_url(message, Message.Classification.NOT_INTERESTED),
        "unsubscribe_url": links.unsubscribe_url(candidate),
    }


def build_email(message: Message) -> EmailMultiAlternatives:
    """The e-mail for an outgoing message, with every header a good e-mail citizen sends.

    Needs `message.message_id_header` set (message_deliver sees to it) so every retry carries the
    same Message-ID. Raises ValueError for an address that cannot be used.
    """
    if not message.message_id_header:
        raise ValueError("The message has no Message-ID yet.")
    candidate = message.candidate
    context = _body_context(message)
    headers = {
        "Message-ID": message.message_id_header,
        # RFC 2369 and RFC 8058: the https link takes the one-click POST, the mailto the old clients.
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>, <{links.unsubscribe_mailto(candidate)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if message.in_reply_to:
        headers["In-Reply-To"] = _one_line(message.in_reply_to)
    if message.references:
        headers["References"] = _one_line(message.references)
    email = EmailMultiAlternatives(
        subject=_one_line(message.subject),
        body=render_to_string("emails/message_body.txt", context),
        from_email=from_address(message),
        to=[candidate.email],
        reply_to=[reply_address(message)],
        headers=headers,
    )
    email.attach_alternative(render_to_string("emails/message_body.html", context), "text/html")
    return email


# --- Delivery --------------------------------------------------------------------------------


def _claim(message_id: int, now: datetime) -> bool:
    due = Q(next_attempt_at=None) | Q(next_attempt_at__lte=now)
    return bool(
        Message.objects.filter(
            due,
            pk=message_id,
            status=Message.Status.QUEUED,
            direction=Message.Direction.OUT,
            channel=Message.Channel.EMAIL,
        ).update(status=Message.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )


def _release(message: Message, **fields) -> None:
    """Move our claimed row out of `sending`; conditional, so a row the sweep took back is left alone."""
    Message.objects.filter(pk=message.pk, status=Message.Status.SENDING).update(**fields)


def _cancel_reason(message: Message) -> str:
    """Why this message must not go out after all, as the thread shows it; '' when it may."""
    candidate = message.candidate
    code = skip_reason(candidate)
    if code:
        return f"Not sent: {SKIP_REASONS.get(code, code)}"
    if message.sequence_step_id is not None:
        # A follow-up written by a sequence is pointless once the candidate answered.
        answered = (
            Message.objects.answers().filter(thread_id=message.thread_id, created_at__gt=message.created_at).exists()
        )
        if answered:
            return "Not sent: the candidate answered before this follow-up went out."
    return ""


def _is_permanent(error: Exception) -> bool:
    """True for failures a retry cannot fix: the recipient or the message is refused (5xx), a bad address."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # Every recipient refused; 4xx there is greylisting or a full mailbox, worth another try.
        codes = [code for code, _text in error.recipients.values()]
        return not codes or any(code >= 500 for code in codes)
    if isinstance(error, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError)):
        return False
    if isinstance(error, smtplib.SMTPAuthenticationError):
        # Our own mail server settings are wrong: once they are fixed the message can still go.
        return False
    if isinstance(error, smtplib.SMTPResponseException):
        return error.smtp_code >= 500
    if isinstance(error, (ConnectionError, TimeoutError, OSError)):
        return False
    # An address Django cannot encode, a header it refuses (BadHeaderError is a ValueError).
    return isinstance(error, (ValueError, UnicodeError))


def _error_text(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(
            f"{address}: {code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}"
            for address, (code, reply) in error.recipients.items()
        )
        text = f"The recipient was refused ({text})."
    elif isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error
        reply = reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)
        text = f"The mail server answered {error.smtp_code} {reply}"
    else:
        text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text[:_MAX_ERROR_CHARS]


def _send(email: EmailMultiAlternatives) -> None:
    # The backend from settings (EMAIL_URL), never a hard-coded SMTP connection.
    connection = get_connection(fail_silently=False)
    if not connection.send_messages([email]):
        raise ConnectionError("The e-mail backend accepted nothing.")


def _mark_sent(message: Message, now: datetime, email: EmailMultiAlternatives) -> str:
    with transaction.atomic():
        # `queued` too: if the sweep took the row back while we were sending, the e-mail is out all
        # the same and must not go again.
        marked = Message.objects.filter(
            pk=message.pk, status__in=[Message.Status.SENDING, Message.Status.QUEUED]
        ).update(
            status=Message.Status.SENT,
            sent_at=now,
            from_email=email.from_email[:254],
            to_email=email.to[0][:254],
            last_error="",
            next_attempt_at=None,
        )
        if marked:
            events.emit(
                events.CandidateEvent(
                    organization_id=message.organization_id,
                    candidate_id=message.candidate_id,
                    kind=events.MESSAGE_SENT,
                    occurred_at=now,
                    actor_id=message.sender_id,
                    related={"message_id": message.pk, "thread_id": message.thread_id},
                    details={
                        "subject": message.subject,
                        "origin": message.thread.origin,
                        "template_id": message.template_id,
                        "sequence_step_id": message.sequence_step_id,
                    },
                )
            )
    return SENT


def _fail_or_retry(message: Message, error: Exception, now: datetime) -> str:
    text = _error_text(error)
    if _is_permanent(error) or message.attempts >= MAX_ATTEMPTS:
        logger.warning("Message %s failed after %s attempt(s): %s", message.pk, message.attempts, text)
        _release(message, status=Message.Status.FAILED, last_error=text, next_attempt_at=None)
        return FAILED
    logger.info("Message %s will be retried (attempt %s): %s", message.pk, message.attempts, text)
    _release(
        message,
        status=Message.Status.QUEUED,
        last_error=text,
        next_attempt_at=now + retry_delay(message.attempts),
    )
    return RETRY


def message_deliver(message_id: int, *, now: datetime | None = None) -> str:
    """Send one queued outgoing e-mail message at most once; returns what happened.

    "sent" (handed to the backend and marked), "retry" (temporary failure: queued again with a later
    `next_attempt_at`), "failed" (permanent failure or MAX_ATTEMPTS reached; `last_error` says why),
    "cancelled" (the candidate may no longer be contacted, or answered before a sequence follow-up),
    "skipped" (not queued and due: already sent, claimed by another worker, cancelled or not yet due).
    """
    now = now or timezone.now()
    if not _claim(message_id, now):
        return SKIPPED
    message = Message.objects.select_related("thread", "candidate", "organization", "sender").get(pk=message_id)

    reason = _cancel_reason(message)
    if reason:
        _release(message, status=Message.Status.CANCELLED, last_error=reason, next_attempt_at=None)
        return CANCELLED

    if not message.message_id_header:
        # Saved before the first send so every retry carries the same Message-ID.
        message.message_id_header = new_message_id_header()
        message.save(update_fields=["message_id_header"])

    try:
        email = build_email(message)
        _send(email)
    except Exception as error:  # every failure is recorded on the row; unknown ones are retried
        if not isinstance(error, (smtplib.SMTPException, OSError, ValueError, UnicodeError)):
            logger.exception("Unexpected error delivering message %s", message.pk)
        return _fail_or_retry(message, error, now)
    return _mark_sent(message, timezone.now(), email)


def messages_sweep(*, now: datetime | None = None, stale_after: timedelta = STALE_AFTER) -> int:
    """Queue delivery again for outgoing e-mail rows whose task was lost; returns how many.

    - `queued` and due for longer than `stale_after`: the broker lost the task (Redis flushed, a
      retry's countdown dropped). The row is left `queued`; `next_attempt_at` is set to now so the
      next sweep waits another `stale_after` before queuing it again.
    - `sending` with `claimed_at` older than `stale_after`: the worker died mid-send (the Celery hard
      time limit is shorter). The row was never marked sent, so it goes back to `queued` and will be
      sent (again, if the server had accepted it just before the worker died: the tiny at-least-once
      window between the backend's acceptance and our UPDATE, which no SMTP client can close). After
      MAX_ATTEMPTS such claims it is `failed` instead.
    Running it twice is harmless: delivery claims rows conditionally, and a `sent` row is never touched.
    """
    now = now or timezone.now()
    cutoff = now - stale_after
    email_out = Q(direction=Message.Direction.OUT, channel=Message.Channel.EMAIL)
    with transaction.atomic():
        stuck_sending = list(
            Message.objects.select_for_update(skip_locked=True)
            .filter(email_out, status=Message.Status.SENDING, claimed_at__lte=cutoff)
            .values_list("pk", "attempts")[:SWEEP_BATCH]
        )
        worn_out = [pk for pk, attempts in stuck_sending if attempts >= MAX_ATTEMPTS]
        Message.objects.filter(pk__in=worn_out, status=Message.Status.SENDING).update(
            status=Message.Status.FAILED,
            last_error="Delivery was interrupted too many times.",
            next_attempt_at=None,
        )
        requeue = [pk for pk, attempts in stuck_sending if attempts < MAX_ATTEMPTS]
        Message.objects.filter(pk__in=requeue, status=Message.Status.SENDING).update(
            status=Message.Status.QUEUED,
            last_error="Delivery was interrupted; trying again.",
            next_attempt_at=now,
        )
        lost = list(
            Message.objects.select_for_update(skip_locked=True)
            .annotate(due_at=Coalesce("next_attempt_at", "created_at"))
            .filter(email_out, status=Message.Status.QUEUED, due_at__lte=cutoff)
            .exclude(pk__in=requeue)
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        Message.objects.filter(pk__in=lost, status=Message.Status.QUEUED).update(next_attempt_at=now)
        to_queue = requeue + lost
        transaction.on_commit(lambda: _queue_deliveries(to_queue))
    return len(to_queue)


def _queue_deliveries(message_ids: list[int]) -> None:
    from messaging.tasks import deliver_message  # tasks imports this module

    for message_id in message_ids:
        deliver_message.delay(message_id)
