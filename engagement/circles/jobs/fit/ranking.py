"""Who fits a job: the organisation's community ranked by the score of `rules`, a page at a time.

The database does the work. Only people holding at least one of the job's skills are candidates
(the skills' join table is read through its index on the skill, so a job's pre-filter touches the
rows of its own skills, not the million people); the cheap hard blocks of the contact policy are
in the same query; every part of the score is a SQL expression, and the database sorts and cuts
the page. The rest of the policy is asked of the few rows read: people whose consent is withdrawn
or whose address is suppressed are dropped (the window read is widened when that leaves the page
short), and those held back for now (a live conversation, the cooldown) are shown greyed with why,
never selectable. A fixed number of queries per page, on PostgreSQL and SQLite alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, IntegerField, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from candidates.models import Candidate
from engagement.circles.jobs.fit import rules
from engagement.circles.jobs.fit.reasons import fit_reasons
from engagement.circles.jobs.models import Job, JobInterest
from messaging.policy import REASON_LABELS, Purpose, contact_decisions
from talentcircles.models import Organization

PAGE_SIZE = 25
COUNT_CAP = 10_000
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
    count: int = 0  # people who fit, counted up to COUNT_CAP + 1
    page_size: int = PAGE_SIZE

    @property
    def count_is_capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown_count(self) -> int:
        return min(self.count, COUNT_CAP)

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.shown_count // self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.page_size + 1 if self.rows else 0


PARTS = ("skills_pts", "location_pts", "engagement_pts", "seniority_pts", "stage_pts", "interest_pts")


def fit_queryset(*, org: Organization, plan: rules.FitPlan, filters: FitFilters, now: datetime) -> QuerySet:
    """Values rows (pk, matched, the parts, score) of everyone who fits, best first; ties by matched, then id."""
    rows = (
        Candidate.objects.filter(organization=org, skills__in=list(plan.skills))
        .filter(rules.cheaply_contactable())
        .values("pk")
        .annotate(matched=Count("skills"))
    )
    if filters.min_skills > 1:
        rows = rows.filter(matched__gte=filters.min_skills)
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
    if filters.where == "place":
        rows = rows.filter(location_pts__gte=rules.LOCATION_POINTS)
    elif filters.where == "country":
        rows = rows.filter(location_pts__gt=0)
    rows = rows.annotate(score=sum((F(part) for part in PARTS[1:]), F(PARTS[0])))
    return rows.order_by("-score", "-matched", "pk")


def _hard_blocked(org: Organization, ids: list[int]) -> set[int]:
    """The ones among `ids` a hard block of the policy rules out (consent, suppression…): one query."""
    found = Candidate.objects.filter(organization=org, pk__in=ids).with_message_block()
    return {pk for pk, block in found.values_list("pk", "message_block") if block}


def _window(ranked: QuerySet, org: Organization, offset: int, size: int) -> list[dict]:
    """The page's rows, hard-blocked people left out; reads further when they leave it short."""
    limit = offset + size + MARGIN
    while True:
        read = list(ranked[:limit])
        blocked = _hard_blocked(org, [row["pk"] for row in read]) if read else set()
        kept = [row for row in read if row["pk"] not in blocked]
        if len(kept) >= offset + size or len(read) < limit:
            return kept[offset : offset + size]
        limit *= 2


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
    ranked = fit_queryset(org=org, plan=plan, filters=filters, now=now)
    result.count = ranked.order_by()[: COUNT_CAP + 1].count()
    result.number = min(result.number, result.num_pages)
    rows = _window(ranked, org, (result.number - 1) * PAGE_SIZE, PAGE_SIZE)
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
    through = Candidate.skills.through
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
