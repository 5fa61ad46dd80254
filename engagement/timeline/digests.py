"""The daily "My day" e-mail: each recruiter's due reminders and cold relationships, once a local day.

An hourly beat task calls `recruiter_digests_send`. A recruiter whose local time (their
`User.time_zone`) has passed 07:00 and who has no `RecruiterDigestLog` row for today gets
one: the row is inserted first (its unique key claims the day, so two runs or two workers
send once) and the e-mail is sent in the same transaction, so a failed send releases the
claim for the next run. An empty day is claimed without an e-mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from engagement.timeline import selectors
from engagement.timeline.models import RecruiterDigestLog, Reminder
from talentcircles.models import Membership

SEND_AFTER = time(7, 0)
DIGEST_ITEMS = 20  # per section; the e-mail links to "My day" for the rest


@dataclass(frozen=True)
class Digest:
    due: list[Reminder]
    due_total: int
    going_cold: list[Reminder]
    going_cold_total: int

    @property
    def is_empty(self) -> bool:
        return not (self.due_total or self.going_cold_total)


def digest_for(membership: Membership, *, now: datetime) -> Digest:
    day = selectors.my_day(org=membership.organization, recruiter=membership.user, now=now)
    return Digest(
        due=list(day.due[:DIGEST_ITEMS]),
        due_total=day.due.count(),
        going_cold=list(day.going_cold[:DIGEST_ITEMS]),
        going_cold_total=day.going_cold.count(),
    )


def _send(membership: Membership, digest: Digest, *, now: datetime) -> None:
    org, recruiter = membership.organization, membership.user
    with timezone.override(recruiter.time_zone or "UTC"):
        context = {
            "org": org,
            "recruiter": recruiter,
            "digest": digest,
            "now": now,
            "site_url": settings.SITE_URL,
            "my_day_url": settings.SITE_URL + reverse("my_day", args=[org.slug]),
        }
        send_mail(
            subject=render_to_string("emails/recruiter_digest_subject.txt", context).strip(),
            message=render_to_string("emails/recruiter_digest_body.txt", context),
            html_message=render_to_string("emails/recruiter_digest_body.html", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[recruiter.email],
        )


def recruiter_digest_send(membership: Membership, *, now: datetime) -> bool:
    """Claim today's digest for this membership and send it unless the day is empty; True if an e-mail went out."""
    local_date = selectors.local_date(now, membership.user.time_zone)
    try:
        with transaction.atomic():
            RecruiterDigestLog.objects.create(
                organization=membership.organization, recruiter=membership.user, local_date=local_date, sent_at=now
            )
            digest = digest_for(membership, now=now)
            if digest.is_empty:
                return False
            _send(membership, digest, now=now)
            return True
    except IntegrityError:  # claimed by another run
        return False


def recruiter_digests_send(*, now: datetime | None = None) -> int:
    """Send every recruiter whose local morning has come their digest, once per local day; returns how many."""
    now = now or timezone.now()
    # Yesterday to tomorrow (UTC) covers every time zone's "today".
    claimed = set(
        RecruiterDigestLog.objects.filter(
            local_date__range=(now.date() - timedelta(days=1), now.date() + timedelta(days=1))
        ).values_list("organization_id", "recruiter_id", "local_date")
    )
    sent = 0
    memberships = Membership.objects.select_related("user", "organization").filter(user__is_active=True).order_by("pk")
    for membership in memberships.iterator(chunk_size=500):
        local = now.astimezone(ZoneInfo(membership.user.time_zone or "UTC"))
        if local.time() < SEND_AFTER:
            continue
        if (membership.organization_id, membership.user_id, local.date()) in claimed:
            continue
        sent += recruiter_digest_send(membership, now=now)
    return sent
