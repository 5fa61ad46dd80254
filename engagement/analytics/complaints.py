"""The spam-complaint rate: e-mails reported as spam ÷ e-mails sent, beside the response rate.

Mailbox providers ask senders to stay under 0.1% (Gmail's and Yahoo's bulk-sender rules, with a
hard line at 0.3%); a rate at or above `COMPLAINT_THRESHOLD_PERCENT` is shown as a warning. Read
from the timeline (one query on `activity_org_kind`): each sent e-mail is a "message out" row and
each complaint (an ARF report, see messaging.inbound.reports) a "complaint" row, both carrying the
sender as actor so one recruiter's rate can be read too. Days are UTC dates, like the response rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count

from engagement.timeline.models import Activity
from talentcircles.models import Organization

COMPLAINT_THRESHOLD_PERCENT = 0.1


@dataclass(frozen=True)
class ComplaintRate:
    complaints: int
    sent: int
    threshold: float = COMPLAINT_THRESHOLD_PERCENT

    @property
    def rate(self) -> float | None:
        """Percent of sent e-mails reported as spam; None when nothing was sent."""
        return 100.0 * self.complaints / self.sent if self.sent else None

    @property
    def above_threshold(self) -> bool:
        rate = self.rate
        return rate is not None and rate >= self.threshold


def complaint_rate(
    *, org: Organization, date_from: date, date_to: date, recruiter_id: int | None = None
) -> ComplaintRate:
    """Complaints and sent e-mails of the organisation (or one recruiter's) from `date_from` to `date_to`."""
    start = datetime.combine(date_from, time.min, tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=UTC)
    rows = Activity.objects.filter(
        organization=org,
        kind__in=[Activity.Kind.MESSAGE_OUT, Activity.Kind.COMPLAINT],
        occurred_at__gte=start,
        occurred_at__lt=end,
    )
    if recruiter_id is not None:
        rows = rows.filter(actor_id=recruiter_id)
    counts = dict(rows.order_by().values_list("kind").annotate(n=Count("id")))
    return ComplaintRate(
        complaints=counts.get(Activity.Kind.COMPLAINT, 0), sent=counts.get(Activity.Kind.MESSAGE_OUT, 0)
    )
