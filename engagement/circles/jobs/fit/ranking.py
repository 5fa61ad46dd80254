"""Who fits a job: the organisation's community ranked by `rules`, a page at a time.

The database does the work, and reads little of a million people. One query counts, per person,
how many of the job's skills they hold, from the skills' join table alone (an index-only scan of
those skills' entries), and keeps the TOP_READ people holding the most (`Held`). More skills always
rank higher, so a page comes from whole top tiers of them (everyone holding 5 of 5, then 4 of 5 …):
one query scores those few hundred people (every part of the score a SQL expression, the cheap hard
blocks of the contact policy in its WHERE) and the database sorts and cuts. Deep pages and narrow
filters that run past the people held read the join table inside that query instead (slower).
The rest of the policy is asked of the rows read: people whose consent is withdrawn or whose address
is suppressed are dropped (reading further when that leaves the page short), and those held back for
now (a live conversation, the cooldown) are shown greyed with why, never selectable. A fixed number
of queries per page, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Case, Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from candidates.models import Candidate
from engagement.circles.jobs.fit import rules
from engagement.circles.jobs.fit.reasons import fit_reasons
from engagement.circles.jobs.models import Job, JobInterest
from messaging.policy import REASON_LABELS, Purpose, contact_decisions
from talentcircles.models import Organization

PAGE_SIZE = 25
# The people holding the most of a job's skills read at once (by id, from the skills' join table); the
# count is exact below it and "N+" above it.
TOP_READ = 5_000
# Extra rows read past the page, for people the second half of the policy drops.
MARGIN = 15

WHERE_CHOICES = {
    "": "Anywhere",
    "place": "In the job's places",
    "country": "In the job's places or countries",
}


@dataclass(frozen=True)
class FitFilters:
    min_skills: int = 1
    where: str = ""  # a key of WHERE_CHOICES


@dataclass
class FitRow:
    candidate: Candidate
    score: int
    matched: int
    parts: dict[str, int]
    reasons: list[str]
    matched_skills: list[str]
    missing_skills: list[str]
    held_back: str = ""  # why the contact policy holds them back for now ("" when they may be messaged)

    @property
    def selectable(self) -> bool:
        return not self.held_back


@dataclass
class FitPage:
    plan: rules.FitPlan
    rows: list[FitRow] = field(default_factory=list)
    number: int = 1
    count: int = 0  # people who fit (among the TOP_READ holding the most skills)
    page_size: int = PAGE_SIZE
    count_is_capped: bool = False  # more people may fit than counted (shown as "N+")

    @property
    def shown_count(self) -> int:
        return self.count

    @property
    def num_pages(self) -> int:
        """Pages counted; when the count is capped, at least up to this one (more may follow: "N+")."""
        counted = max(1, -(-self.count // self.page_size))
        return max(counted, self.number) if self.count_is_capped else counted

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        full = len(self.rows) == self.page_size
        return self.number < self.num_pages or (self.count_is_capped and full)

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0


PARTS = ("skills_pts", "location_pts", "engagement_pts", "seniority_pts", "stage_pts", "interest_pts")


def _held_counts(plan: rules.FitPlan, at_least: int) -> QuerySet:
    """(candidate_id, n) of people holding at least `at_least` of the job's skills (the skills' join table only)."""
    through: Any = Candidate.skills.through  # the auto-created join table: the plugin cannot type its annotations
    held = through.objects.filter(skill_id__in=list(plan.skills)).values("candidate_id")
    return held.annotate(n=Count("skill_id")).filter(n__gte=at_least)  # both columns are in the index


def _matched_ids(plan: rules.FitPlan, at_least: int) -> QuerySet:
    return _held_counts(plan, at_least).values("candidate_id")


@dataclass
class Held:
    """The people holding the most of the job's skills, as (candidate id, how many), most first (one query).

    Read from the skills' join table alone (an index-only scan of the job's skills on PostgreSQL), at most
    TOP_READ of them. `complete_from`: every person holding at least that many is in the list.
    """

    people: list[tuple[int, int]]
    complete_from: int

    @classmethod
    def read(cls, plan: rules.FitPlan, at_least: int) -> Held:
        rows = _held_counts(plan, at_least).values_list("candidate_id", "n").order_by("-n", "candidate_id")
        people = [(int(pk), int(n)) for pk, n in rows[:TOP_READ]]
        full = len(people) == TOP_READ
        return cls(people=people, complete_from=people[-1][1] + 1 if full else at_least)

    @property
    def saturated(self) -> bool:
        return len(self.people) == TOP_READ

    def ids(self, at_least: int) -> list[int]:
        return [pk for pk, n in self.people if n >= at_least]

    def by_count(self, ids: list[int]) -> dict[int, list[int]]:
        """{skills held: the ids among `ids` holding that many}."""
        wanted, found = set(ids), dict[int, list[int]]()
        for pk, n in self.people:
            if pk in wanted:
                found.setdefault(n, []).append(pk)
        return found

    def first_tier(self, wanted: int) -> int:
        """The most skills held such that `wanted` people hold at least as many (within the complete tiers)."""
        for seen, (_pk, n) in enumerate(self.people, start=1):
            if seen >= wanted and n >= self.complete_from:
                return n
        return self.complete_from


def _where(plan: rules.FitPlan, filters: FitFilters) -> Q:
    """The location filter as a condition on the candidate's columns."""
    if filters.where == "place":
        return rules.in_place_condition(plan)
    if filters.where == "country":
        return rules.in_country_condition(plan)
    return Q()


def fit_queryset(
    *,
    org: Organization,
    plan: rules.FitPlan,
    filters: FitFilters,
    now: datetime,
    ids: list[int] | None = None,
    held: Held | None = None,
    tier: int | None = None,
) -> QuerySet:
    """Values rows (pk, matched, the parts, score) of the people who fit, best first: most skills, then score, then id.

    Among `ids` when given (people `held` knows to hold enough skills), else among everyone holding at
    least `tier` (default: the filter's minimum) of the job's skills.
    """
    if ids is not None and held is not None:
        # Known already: how many skills each holds, as a CASE over the ids (no per-row count).
        known = held.by_count(ids)
        whens = [When(pk__in=pks, then=Value(n)) for n, pks in sorted(known.items(), reverse=True)]
        matched: Any = Case(*whens, default=Value(0), output_field=IntegerField())
        among: Any = ids
    else:
        through: Any = Candidate.skills.through
        counted = (
            through.objects.filter(candidate_id=OuterRef("pk"), skill_id__in=list(plan.skills))
            .order_by()
            .values("candidate_id")
            .annotate(n=Count("pk"))
            .values("n")
        )
        matched = Subquery(counted, output_field=IntegerField())
        among = _matched_ids(plan, max(tier or 1, filters.min_skills))
    rows = (
        Candidate.objects.filter(organization=org, pk__in=among)
        .filter(rules.cheaply_contactable(), _where(plan, filters))
        .annotate(matched=matched)
    )
    if plan.level is not None:
        rows = rows.annotate(title_level=rules.title_level())
    rows = rows.annotate(
        relationship_score=Coalesce(F("relationship__score"), Value(0, output_field=IntegerField())),
        skills_pts=rules.skills_points(plan),
        location_pts=rules.location_points(plan),
        engagement_pts=rules.engagement_points(now),
        seniority_pts=rules.seniority_points(plan),
        stage_pts=rules.stage_points(),
        interest_pts=rules.past_interest_points(plan),
    )
    rows = rows.annotate(score=sum((F(part) for part in PARTS[1:]), F(PARTS[0])))
    return rows.order_by("-matched", "-score", "pk").values("pk", "matched", "relationship_score", *PARTS, "score")


def _hard_blocked(org: Organization, ids: list[int]) -> set[int]:
    """The ones among `ids` a hard block of the policy rules out (consent, suppression…): one query."""
    found = Candidate.objects.filter(organization=org, pk__in=ids).with_message_block()
    return {pk for pk, block in found.values_list("pk", "message_block") if block}


def _window(
    org: Organization, plan: rules.FitPlan, filters: FitFilters, now: datetime, held: Held, offset: int
) -> list[dict]:
    """The page's rows, exactly as the full ranking gives them, from the fewest people that decide it.

    More skills always rank higher, so the page comes from the people holding the most: the whole
    tiers (people holding n, n-1 … of the skills) that `held` knows and that hold enough rows are
    scored, and a lower tier is read only when the ones above fall short (filters, blocked people,
    a deep page); past the people `held` knows, from the join table in the query itself (slower).
    Hard-blocked people are left out, reading further when they leave the page short.
    """
    needed = offset + PAGE_SIZE
    tier = held.first_tier(needed + MARGIN)
    limit = needed + MARGIN
    while True:
        if tier >= held.complete_from:
            ranked = fit_queryset(org=org, plan=plan, filters=filters, now=now, ids=held.ids(tier), held=held)
        else:  # past the people held knows
            ranked = fit_queryset(org=org, plan=plan, filters=filters, now=now, tier=filters.min_skills)
        read = list(ranked[:limit])
        blocked = _hard_blocked(org, [row["pk"] for row in read]) if read else set()
        kept = [row for row in read if row["pk"] not in blocked]
        if len(kept) < needed and len(read) == limit:
            limit *= 2  # blocked people took places: read further in these tiers first
            continue
        if len(kept) >= needed or tier < held.complete_from or tier <= filters.min_skills:
            return kept[offset:needed]
        tier -= 1


def job_fits(
    *, org: Organization, job: Job, filters: FitFilters | None = None, page: int = 1, now: datetime | None = None
) -> FitPage:
    """One page of the people who fit `job` (the organisation's), best first, with their reasons."""
    if job.organization_id != org.pk:
        raise ValueError("The job is not this organisation's.")
    filters, now = filters or FitFilters(), now or timezone.now()
    plan = rules.fit_plan(org=org, job=job)
    result = FitPage(plan=plan, number=max(1, page))
    if not plan.skills:
        return result
    held = Held.read(plan, filters.min_skills)
    # Counted from the join table alone: people holding enough of the skills, before the contact policy and
    # the location filter (counting those would read every such person's row; the pages simply end sooner).
    result.count = len(held.ids(held.complete_from))
    result.count_is_capped = held.saturated
    if not result.count_is_capped:
        result.number = min(result.number, result.num_pages)
    rows = _window(org, plan, filters, now, held, (result.number - 1) * PAGE_SIZE) if held.people else []
    result.rows = _fit_rows(org, plan, rows, now)
    return result


def _fit_rows(org: Organization, plan: rules.FitPlan, rows: list[dict], now: datetime) -> list[FitRow]:
    """The page's people with their skills, interests and the policy's say for now (five queries)."""
    if not rows:
        return []
    ids = [row["pk"] for row in rows]
    people = Candidate.objects.filter(organization=org, pk__in=ids).in_bulk()
    held = skills_held(ids, list(plan.skills))
    interests = _interests(ids, [plan.job.pk, *plan.similar_job_ids])
    decisions = contact_decisions(org=org, candidates=ids, purpose=Purpose.BULK, now=now)
    found: list[FitRow] = []
    for row in rows:
        candidate = people[row["pk"]]
        mine = held.get(candidate.pk, set())
        matched = [name for pk, name in plan.skills.items() if pk in mine]
        reason = decisions[candidate.pk].reason
        found.append(
            FitRow(
                candidate=candidate,
                score=row["score"],
                matched=row["matched"],
                parts={part: row[part] for part in PARTS},
                reasons=fit_reasons(plan, candidate, row, interests.get(candidate.pk, []), now),
                matched_skills=matched,
                missing_skills=missing_skills(plan, matched),
                held_back=(reason.detail or REASON_LABELS[reason.code]) if reason else "",
            )
        )
    return found


def skills_held(candidate_ids: list[int], skill_ids: list[int]) -> dict[int, set[int]]:
    """Candidate id → which of `skill_ids` they hold (one query)."""
    through: Any = Candidate.skills.through  # the auto-created join table: the plugin cannot type its annotations
    held: dict[int, set[int]] = {}
    pairs = through.objects.filter(candidate_id__in=candidate_ids, skill_id__in=skill_ids)
    for candidate_id, skill_id in pairs.values_list("candidate_id", "skill_id"):
        held.setdefault(candidate_id, set()).add(skill_id)
    return held


def missing_skills(plan: rules.FitPlan, matched: list[str]) -> list[str]:
    """The job's skills (as the job names them) that the candidate lacks."""
    have = {name.casefold() for name in matched}
    return [name for name in plan.job.skills if name.strip().casefold() not in have]


def _interests(candidate_ids: list[int], job_ids: list[int]) -> dict[int, list[tuple[int, str, str]]]:
    """Candidate id → (job id, job title, status) of their interest in this job and the similar ones."""
    found: dict[int, list[tuple[int, str, str]]] = {}
    rows = JobInterest.objects.filter(candidate_id__in=candidate_ids, job_id__in=job_ids).order_by("-created_at")
    for candidate_id, job_id, title, status in rows.values_list("candidate_id", "job_id", "job__title", "status"):
        found.setdefault(candidate_id, []).append((job_id, title, status))
    return found
