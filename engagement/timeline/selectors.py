"""Reads of the engagement app shared by the recruiter pages, the API, the digest and the benchmark.

Each selector owns its joins, so the pages built on them run a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet

from candidates.models import Candidate
from engagement.timeline.models import Activity, Reminder, ReminderQuerySet
from talentcircles.audiences import audience_member_ids
from talentcircles.models import Organization, User

TIMELINE_PAGE_SIZE = 25
PIPELINE_COLUMN_CAP = 50
PIPELINE_COUNT_CAP = 10_000  # a column says “10,000+” rather than count a million rows
PIPELINE_STAGES = [stage for stage in Candidate.Stage if stage != Candidate.Stage.ARCHIVED]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


# --- Timeline -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """A position in a timeline: the (occurred_at, id) of the last row shown; the next page is older."""

    occurred_at: datetime
    id: int

    def encode(self) -> str:
        return f"{(self.occurred_at - _EPOCH) // _MICROSECOND}.{self.id}"

    @classmethod
    def decode(cls, value: str) -> Cursor | None:
        """The cursor in `value`, or None when it is missing or malformed (then the first page is shown)."""
        micros, _, pk = (value or "").partition(".")
        try:
            return cls(_EPOCH + int(micros) * _MICROSECOND, int(pk))
        except (ValueError, OverflowError):
            return None


@dataclass(frozen=True)
class TimelinePage:
    activities: list[Activity]
    next_cursor: Cursor | None


def timeline(*, org: Organization, candidate: Candidate, kind: str = "") -> QuerySet[Activity]:
    """The candidate's activities newest first, with what each row shows joined."""
    activities = Activity.objects.for_org(org).timeline(candidate).select_related("actor", "circle")
    return activities.filter(kind=kind) if kind else activities


def timeline_page(
    *,
    org: Organization,
    candidate: Candidate,
    kind: str = "",
    before: Cursor | None = None,
    size: int = TIMELINE_PAGE_SIZE,
) -> TimelinePage:
    """One page of the timeline, older than `before`, by keyset on (occurred_at, id): one query at any depth."""
    activities = timeline(org=org, candidate=candidate, kind=kind)
    if before is not None:
        activities = activities.filter(
            Q(occurred_at__lt=before.occurred_at) | Q(occurred_at=before.occurred_at, id__lt=before.id)
        )
    rows = list(activities[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return TimelinePage(rows, Cursor(rows[-1].occurred_at, rows[-1].pk) if more else None)


def own_logged_activity(*, org: Organization, candidate_id: int, pk: int, actor: User) -> Activity:
    """A note, call or meeting `actor` logged on this candidate; DoesNotExist for anything else."""
    return (
        Activity.objects.for_org(org)
        .select_related("actor")
        .get(candidate_id=candidate_id, pk=pk, actor=actor, kind__in=Activity.LOGGED_KINDS)
    )


def timeline_candidate(*, org: Organization, pk: int) -> Candidate:
    """The candidate with the owner and relationship the timeline's header shows; DoesNotExist outside `org`."""
    return Candidate.objects.for_org(org).select_related("owner", "relationship").get(pk=pk)


def candidate_open_reminders(*, org: Organization, candidate: Candidate) -> QuerySet[Reminder]:
    return Reminder.objects.for_org(org).open().filter(candidate=candidate).select_related("recruiter")


# --- Pipeline board -------------------------------------------------------------------------


@dataclass(frozen=True)
class PipelineColumn:
    stage: str
    label: str
    total: int  # at most PIPELINE_COUNT_CAP; `capped` says there are more
    cards: list[Candidate]
    capped: bool = False

    @property
    def hidden(self) -> int:
        return max(0, self.total - len(self.cards))


def pipeline_board(
    *,
    org: Organization,
    owner_id: int | None = None,
    unowned: bool = False,
    circle_id: int | None = None,
    cap: int = PIPELINE_COLUMN_CAP,
    count_cap: int = PIPELINE_COUNT_CAP,
) -> list[PipelineColumn]:
    """A column per stage (archived left out), recently changed first, at most `cap` cards each.

    Two bounded queries per column (a count that stops at `count_cap`, and the cards), so the
    board costs the same for a thousand candidates or a million. Cards are ordered by
    `updated_at`, which a stage move sets and which the (organisation, updated_at) index serves.
    `circle_id` must be one of the organisation's circles (the form checks).
    """
    candidates = Candidate.objects.for_org(org).not_erased().exclude(stage=Candidate.Stage.ARCHIVED)
    if unowned:
        candidates = candidates.filter(owner__isnull=True)
    elif owner_id:
        candidates = candidates.filter(owner_id=owner_id)
    if circle_id:
        candidates = candidates.filter(pk__in=audience_member_ids(org, circle_id))
    columns = []
    for stage in PIPELINE_STAGES:
        in_stage = candidates.filter(stage=stage)
        total = in_stage.values("pk")[: count_cap + 1].count()
        cards = (
            list(in_stage.select_related("owner", "relationship").order_by("-updated_at", "-id")[:cap]) if total else []
        )
        columns.append(PipelineColumn(stage.value, stage.label, min(total, count_cap), cards, total > count_cap))
    return columns


# --- Reminders and "My day" -----------------------------------------------------------------


def end_of_local_day(now: datetime, time_zone: str) -> datetime:
    """The last moment of `now`'s calendar day in `time_zone` (a recruiter's "today")."""
    local = now.astimezone(ZoneInfo(time_zone or "UTC"))
    return datetime.combine(local.date(), time.max, tzinfo=local.tzinfo)


def local_date(now: datetime, time_zone: str) -> date:
    return now.astimezone(ZoneInfo(time_zone or "UTC")).date()


def my_reminders(*, org: Organization, recruiter: User) -> ReminderQuerySet:
    """The recruiter's reminders in this organisation, with the candidate and relationship joined."""
    return (
        Reminder.objects.for_org(org)
        .filter(recruiter=recruiter)
        .select_related("candidate", "candidate__relationship")
        .order_by("due_at", "id")
    )


def reminders_due(*, org: Organization, recruiter: User, now: datetime) -> QuerySet[Reminder]:
    """Open reminders due by the end of the recruiter's day (overdue ones included), going-cold ones apart."""
    until = end_of_local_day(now, recruiter.time_zone)
    return my_reminders(org=org, recruiter=recruiter).open().filter(due_at__lte=until)


@dataclass(frozen=True)
class MyDay:
    due: QuerySet[Reminder]  # what the recruiter planned (or a sequence or a reply asks for)
    going_cold: QuerySet[Reminder]  # the system's reminders about cold relationships


def my_day(*, org: Organization, recruiter: User, now: datetime) -> MyDay:
    due = reminders_due(org=org, recruiter=recruiter, now=now)
    return MyDay(
        due=due.exclude(origin=Reminder.Origin.GOING_COLD),
        going_cold=due.filter(origin=Reminder.Origin.GOING_COLD),
    )
