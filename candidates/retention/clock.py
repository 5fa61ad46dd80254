"""The retention clock: when each person's clock started, and on which day it runs out.

A candidate's clock starts at the latest of: their creation, their last two-way contact (a real
reply or a one-click answer to our message, a change they made to their profile in the portal, a
visit to the portal while signed in), and consent they gave themselves (in the portal or through
the renewal link). It is stored on the candidate (`Candidate.retention_anchor_at`, indexed with the
organisation over the rows not erased), kept current here from the candidate events, so the daily
run and the preview read one index range.

Days are UTC days. The daily run (`candidates.tasks.retention_apply_all_task`, just after midnight
UTC) on day R anonymises the clocks that started before midnight of R minus the policy's months:
a clock that started on 3 March 2025 with a 24-month policy runs out on 4 March 2027. Switching the
policy on, or shortening it, gives everyone 30 days' notice from then: nobody is anonymised before
the 31st day after.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from candidates.models import Candidate, CandidateQuerySet, ConsentRecord
from candidates.retention.models import RetentionExclusion
from talentcircles import events
from talentcircles.models import Organization

NOTICE_DAYS = 30
# A signed-in portal visit restarts the clock at most once a day: one UPDATE a day per person, not per page.
PORTAL_TOUCH_INTERVAL = timedelta(days=1)
# The candidate talking to us. A consent counts only when the person gave it themselves.
TWO_WAY_EVENTS = frozenset({events.REPLY_RECEIVED, events.RESPONSE_CLICKED, events.PROFILE_CHANGED})
SELF_CONSENT_SOURCES = frozenset({ConsentRecord.Source.PORTAL, ConsentRecord.Source.RENEWAL_LINK})


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier, negative), the month's last day where it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def today(now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(UTC).date()


def grace_day(org: Organization) -> date | None:
    """The first day anyone may be anonymised after the policy was switched on or shortened."""
    if org.retention_notice_from is None:
        return None
    return today(org.retention_notice_from) + timedelta(days=NOTICE_DAYS + 1)


def anchor_limit(org: Organization, day: date) -> datetime | None:
    """Clocks that started before this have run out on `day`; None when nobody may be anonymised that day."""
    if not org.retention_enabled:
        return None
    first = grace_day(org)
    if first is not None and day < first:
        return None
    return midnight(add_months(day, -org.retention_months))


def run_day(org: Organization, anchor: datetime, *, today_: date) -> date:
    """The day the daily run anonymises someone whose clock started at `anchor` (not before `today_`)."""
    day = add_months(today(anchor), org.retention_months) + timedelta(days=1)
    first = grace_day(org)
    return max(day, first or day, today_)


def retainable(org: Organization) -> CandidateQuerySet:
    """The organisation's people retention applies to: not erased, not excluded by an admin."""
    excluded = RetentionExclusion.objects.filter(candidate=OuterRef("pk"))
    return Candidate.objects.for_org(org).filter(erased_at=None).filter(~Exists(excluded))


def due_on(org: Organization, day: date) -> CandidateQuerySet:
    """Who the run of `day` anonymises (or has anonymised): clocks run out, not excluded, not erased."""
    limit = anchor_limit(org, day)
    if limit is None:
        return Candidate.objects.none()
    return retainable(org).filter(retention_anchor_at__lt=limit)


# --- Keeping the clock current ------------------------------------------------------------------------


def anchor_touch(*, candidate_id: int, at: datetime) -> bool:
    """Restart the clock at `at` unless it already started later; True when it moved."""
    moved = Candidate.objects.filter(pk=candidate_id, erased_at=None, retention_anchor_at__lt=at)
    return bool(moved.update(retention_anchor_at=at))


def portal_touch(candidate: Candidate, *, now: datetime | None = None) -> None:
    """A signed-in portal visit is two-way contact: restart the clock, at most once a day (no query otherwise)."""
    now = now or timezone.now()
    if candidate.retention_anchor_at < now - PORTAL_TOUCH_INTERVAL:
        anchor_touch(candidate_id=candidate.pk, at=now)
        candidate.retention_anchor_at = now


def on_candidate_event(event: events.CandidateEvent) -> None:
    """Subscribed from CandidatesConfig.ready(): replies, portal changes and self-given consent restart the
    clock; a merge keeps the later of both clocks (the event comes while the merged record still exists)."""
    consented = (
        event.kind == events.CONSENT_CHANGED
        and event.details.get("granted") is True
        and event.details.get("source") in SELF_CONSENT_SOURCES
    )
    if event.kind in TWO_WAY_EVENTS or consented:
        anchor_touch(candidate_id=event.candidate_id, at=event.occurred_at)
    elif event.kind == events.MERGED:
        _merged(kept_id=event.candidate_id, merged_id=event.related["merged_candidate_id"])


def _merged(*, kept_id: int, merged_id: int) -> None:
    """The kept record holds both clocks' latest start, and the merged one's exclusion if it has none."""
    merged_anchor = Candidate.objects.filter(pk=merged_id).values_list("retention_anchor_at", flat=True).first()
    if merged_anchor is not None:
        anchor_touch(candidate_id=kept_id, at=merged_anchor)
    if not RetentionExclusion.objects.filter(candidate_id=kept_id).exists():
        RetentionExclusion.objects.filter(candidate_id=merged_id).update(candidate_id=kept_id)
