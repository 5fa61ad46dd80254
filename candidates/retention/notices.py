"""The "keep me in your community" notice, 30 days before a person's clock runs out.

Durable and once per cycle: the planning pass writes a `pending` RetentionNotice per person whose
clock runs out within NOTICE_DAYS (unique per candidate and clock start, so a second pass adds
nothing), and the sending pass claims pending rows (`select_for_update(skip_locked=True)` on
PostgreSQL) and sends each in its own transaction. Both run from one periodic task
(`candidates.tasks.retention_notices_task`, hourly).

Who gets it: a person with an e-mail address who gave consent to messages (never asked is not
consent) and whom the contact policy's hard blocks allow (`CandidateQuerySet.messageable()`: not
unsubscribed, not do-not-contact, not undeliverable, not suppressed, not erased). A person who
unsubscribed gets no notice: they told us to stop writing, and anonymisation is what protects them
most. The policy's other rules (cooldown, live conversation, automated messages a day) are about
recruiting mail and do not hold back a notice the law motivates.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone

from candidates.consent import with_message_consent
from candidates.models import Candidate, CandidateQuerySet
from candidates.retention import clock
from candidates.retention.models import RetentionNotice
from candidates.retention.renewal import RENEWAL_LINK_DAYS, renewal_url
from talentcircles.models import Organization

logger = logging.getLogger(__name__)

PLAN_CHUNK = 1000
SEND_BATCH = 100
MAX_ATTEMPTS = 3


def warnable(candidates: CandidateQuerySet) -> CandidateQuerySet:
    """Of these, who may get the notice: an address, consent given, no hard block of the contact policy."""
    return with_message_consent(candidates.messageable()).filter(consents_to_messages=True)


def notices_plan(*, org: Organization, now: datetime | None = None) -> int:
    """Write a pending notice for each warnable person whose clock runs out within NOTICE_DAYS; how many."""
    day = clock.today(now)
    limit = clock.anchor_limit(org, day + timedelta(days=clock.NOTICE_DAYS))
    if limit is None:
        return 0
    noticed = RetentionNotice.objects.filter(candidate=OuterRef("pk"), cycle_anchor_at=OuterRef("retention_anchor_at"))
    due = clock.retainable(org).filter(retention_anchor_at__lt=limit).filter(~Exists(noticed))
    already_due = clock.anchor_limit(org, day)
    if already_due is not None:  # anonymised at today's run: a notice would arrive after the fact
        due = due.filter(retention_anchor_at__gte=already_due)
    rows = list(warnable(due).order_by("pk").values_list("pk", "retention_anchor_at"))
    created = 0
    for start in range(0, len(rows), PLAN_CHUNK):
        notices = [
            RetentionNotice(
                organization=org,
                candidate_id=pk,
                cycle_anchor_at=anchor,
                due_at=clock.midnight(clock.run_day(org, anchor, today_=day)),
            )
            for pk, anchor in rows[start : start + PLAN_CHUNK]
        ]
        created += len(RetentionNotice.objects.bulk_create(notices, ignore_conflicts=True))
    return created


def notices_send(*, now: datetime | None = None, limit: int = SEND_BATCH) -> dict[str, int]:
    """Send up to `limit` pending notices, oldest first; counts by outcome."""
    ids = list(
        RetentionNotice.objects.filter(status=RetentionNotice.Status.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    outcomes: dict[str, int] = {}
    for notice_id in ids:
        outcome = notice_send(notice_id=notice_id, now=now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _still_warnable(notice: RetentionNotice) -> bool:
    candidate = Candidate.objects.filter(pk=notice.candidate_id, retention_anchor_at=notice.cycle_anchor_at)
    return warnable(clock.retainable(notice.organization).filter(pk__in=candidate.values("pk"))).exists()


def notice_send(*, notice_id: int, now: datetime | None = None) -> str:
    """Claim one pending notice and send it: "sent", "skipped" (no longer due or allowed), "failed",
    "retry" or "taken" (another worker has it, or it is no longer pending)."""
    now = now or timezone.now()
    with transaction.atomic():
        notice = (
            RetentionNotice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("organization", "candidate__organization")
            .filter(pk=notice_id, status=RetentionNotice.Status.PENDING)
            .first()
        )
        if notice is None:
            return "taken"
        if not _still_warnable(notice):  # they answered, renewed, unsubscribed or were excluded since
            notice.status = RetentionNotice.Status.SKIPPED
            notice.save(update_fields=["status"])
            return "skipped"
        notice.attempts += 1
        try:
            _message(notice, now).send()
        except Exception as exc:  # the SMTP server refused or is away: try again at the next pass
            logger.warning("Retention notice %s not sent: %s", notice.pk, type(exc).__name__)
            notice.last_error = f"{type(exc).__name__}: {exc}"[:300]
            notice.status = RetentionNotice.Status.FAILED if notice.attempts >= MAX_ATTEMPTS else notice.status
            notice.save(update_fields=["attempts", "last_error", "status"])
            return "failed" if notice.status == RetentionNotice.Status.FAILED else "retry"
        notice.status, notice.sent_at = RetentionNotice.Status.SENT, now
        notice.save(update_fields=["attempts", "status", "sent_at"])
        return "sent"


def _message(notice: RetentionNotice, now: datetime) -> EmailMultiAlternatives:
    candidate, org = notice.candidate, notice.organization
    context = {
        "org": org,
        "candidate": candidate,
        "url": renewal_url(candidate, now=now),
        "due_on": notice.due_at.date(),
        "months": org.retention_months,
        "link_days": RENEWAL_LINK_DAYS,
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("emails/retention_notice_subject.txt", context).strip(),
        body=render_to_string("emails/retention_notice_body.txt", context),
        from_email=org.from_address(),
        to=[candidate.email],
        reply_to=org.reply_to_addresses(),
        # RFC 3834: no out-of-office reply to an automated notice.
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("emails/retention_notice_body.html", context), "text/html")
    return message
