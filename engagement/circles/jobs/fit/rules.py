"""What "fits a job" means: the parts of the score, their weights, and how each is read from a candidate.

One score out of 100, its parts computed in SQL (so the database ranks a million people) from
rules kept here, and the same parts read back to write the reasons people see:

| part | points | from |
|---|---|---|
| skills | 60 * matched / the job's skills | the candidate's skills named like the job's (case aside) |
| location | 15 | in one of the job's places (city or region); 6 in its country (on site, hybrid); |
| | | a remote job: in its places or countries 15, and with no places everyone 15 |
| engagement | 10 | replied within 30 days 10, 90 days 7, a year 4; or relationship strength / 10 if more |
| seniority | 8 | the level read from the current title equals the job's 8, one step apart 4 |
| stage | 4 | interested or applied 4, engaged 3, contacted 2, new 1 |
| past interest | 3 | interested before in another of the organisation's jobs sharing a skill with this one |

Skills dominate: people holding more of the job's skills always rank higher; among those holding as
many, the score decides (so location, engagement, level, stage and past interest order them), then
the candidate id, so the order is the same on every read. That is also what keeps the first page
cheap at a million people: it comes from the few holding the most of the skills (see `ranking`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce, Greatest

from candidates import countries, normalise
from candidates.models import Candidate, Skill
from engagement.circles.jobs.models import Job, JobInterest
from talentcircles.models import Organization

SKILLS_POINTS = 60
LOCATION_POINTS = 15
COUNTRY_POINTS = 6
ENGAGEMENT_POINTS = 10
SENIORITY_POINTS = 8
SENIORITY_NEAR_POINTS = 4
STAGE_POINTS = {"interested": 4, "applied": 4, "engaged": 3, "contacted": 2, "new": 1}
PAST_INTEREST_POINTS = 3
# Reply recency: (within days, points).
REPLY_STEPS = ((30, 10), (90, 7), (365, 4))
# Interest that still says something about the person (not withdrawn, not judged "not a fit").
LIVE_INTEREST = (JobInterest.Status.INTERESTED, JobInterest.Status.SHORTLISTED, JobInterest.Status.HANDED_TO_ATS)

# Seniority levels. The job's choice maps to a level; a candidate's is read from the current title.
JOB_LEVELS: dict[str, int] = {
    Job.Seniority.JUNIOR: 1,
    Job.Seniority.MID: 2,
    Job.Seniority.SENIOR: 3,
    Job.Seniority.LEAD: 4,
    Job.Seniority.PRINCIPAL: 5,
    Job.Seniority.MANAGER: 6,
    Job.Seniority.DIRECTOR: 7,
}
LEVEL_NAMES = {1: "junior", 2: "mid-level", 3: "senior", 4: "lead", 5: "principal", 6: "manager", 7: "director"}
# (level, title starts with any of, title contains any of): the first that applies wins; titles are compared upper-case.
TITLE_LEVELS: tuple[tuple[int, tuple[str, ...], tuple[str, ...]], ...] = (
    (7, ("VP ", "CTO", "CFO", "CISO", "CEO", "COO", "HEAD OF"), ("DIRECTOR", "VICE PRESIDENT", "CHIEF ")),
    (1, ("JUNIOR ", "JR ", "JR. ", "GRADUATE ", "INTERN", "TRAINEE "), ()),
    (5, ("PRINCIPAL ",), ()),
    (4, ("LEAD ", "STAFF ", "TECH LEAD"), ()),
    (3, ("SENIOR ", "SR ", "SR. "), ()),
    (6, (), ("MANAGER",)),
)
MID_LEVEL = 2  # a title without a marker


@dataclass(frozen=True)
class Place:
    """One of the job's locations, as the rules compare it: place names (city or region) and a country."""

    label: str  # as typed, for the reasons: "Berlin"
    names: tuple[str, ...]  # "Berlin", "Bavaria" …, matched case-insensitively against city or region
    country: str  # ISO code, or ""


@dataclass
class FitPlan:
    """What the job asks, resolved once per read: its skills' ids and names, its places and its level."""

    job: Job
    skills: dict[int, str]  # skill id → the organisation's name for it
    wanted: int  # how many skills the job lists (those nobody has count as unmatched)
    places: list[Place]
    level: int | None
    similar_job_ids: list[int] = field(default_factory=list)

    @property
    def remote(self) -> bool:
        return self.job.remote_policy == Job.RemotePolicy.REMOTE


def parse_place(text: str) -> Place:
    """ "Berlin, Germany" → names ("Berlin",), country "DE"; a part naming a country becomes the country."""
    names: list[str] = []
    country = ""
    for part in re.split(r"[,/;]", text):
        part = part.strip()
        if not part:
            continue
        code = countries.lookup(part)
        if code and not country:
            country = code
        else:
            names.append(part)
    return Place(label=text.strip(), names=tuple(names), country=country)


def fit_plan(*, org: Organization, job: Job) -> FitPlan:
    """The job's wishes as the ranking uses them (two queries: skills, other jobs' skills)."""
    wanted = {normalise.label(s).casefold(): normalise.label(s) for s in job.skills if normalise.label(s)}
    found = Skill.objects.for_org(org).filter(key__in=list(wanted)).values_list("pk", "name")
    others = Job.objects.for_org(org).exclude(pk=job.pk).values_list("pk", "skills")
    similar = [pk for pk, skills in others if wanted.keys() & {normalise.label(s).casefold() for s in skills or []}]
    return FitPlan(
        job=job,
        skills=dict(found),
        wanted=len(wanted),
        places=[parse_place(text) for text in job.locations or [] if text.strip()],
        level=JOB_LEVELS.get(job.seniority),
        similar_job_ids=similar,
    )


# --- the parts as SQL expressions ---------------------------------------------------------------


def _int(value: int) -> Value:
    return Value(value, output_field=IntegerField())


def skills_points(plan: FitPlan) -> Combinable:
    """60 * matched / wanted (integer), over the `matched` annotation."""
    if not plan.wanted:
        return _int(0)
    return F("matched") * _int(SKILLS_POINTS) / _int(plan.wanted)


def _in_places(places: list[Place]) -> Q | None:
    names = {name for place in places for name in place.names}
    if not names:
        return None
    condition = Q()
    for name in sorted(names):
        condition |= Q(city__iexact=name) | Q(region__iexact=name)
    return condition


def _countries(plan: FitPlan) -> list[str]:
    return sorted({place.country for place in plan.places if place.country})


def location_points(plan: FitPlan) -> Combinable:
    if plan.remote and not plan.places:
        return _int(LOCATION_POINTS)
    whens = []
    in_place = _in_places(plan.places)
    if in_place is not None:
        whens.append(When(in_place, then=_int(LOCATION_POINTS)))
    if _countries(plan):
        # Remote: the places are where applicants may live, so the country is enough.
        points = LOCATION_POINTS if plan.remote else COUNTRY_POINTS
        whens.append(When(country_code__in=_countries(plan), then=_int(points)))
    return Case(*whens, default=_int(0), output_field=IntegerField()) if whens else _int(0)


def in_place_condition(plan: FitPlan) -> Q:
    """The "in the job's places" filter: full location points (a remote job without places: everyone)."""
    if plan.remote and not plan.places:
        return Q()
    in_place = _in_places(plan.places)
    if plan.remote and _countries(plan):  # a remote job's places are where applicants may live: the country does
        return (in_place or Q(pk__in=[])) | Q(country_code__in=_countries(plan))
    return in_place if in_place is not None else Q(pk__in=[])


def in_country_condition(plan: FitPlan) -> Q:
    """The "in the job's places or countries" filter: any location points."""
    if plan.remote and not plan.places:
        return Q()
    in_place = _in_places(plan.places) or Q(pk__in=[])
    return in_place | Q(country_code__in=_countries(plan)) if _countries(plan) else in_place


def title_level() -> Case:
    """The level read from the current title (0 when there is none)."""
    whens = []
    for level, prefixes, fragments in TITLE_LEVELS:
        condition = Q()
        for prefix in prefixes:
            condition |= Q(current_title__istartswith=prefix)
        for fragment in fragments:
            condition |= Q(current_title__icontains=fragment.strip())
        whens.append(When(condition, then=_int(level)))
    whens.append(When(current_title="", then=_int(0)))
    return Case(*whens, default=_int(MID_LEVEL), output_field=IntegerField())


def seniority_points(plan: FitPlan) -> Combinable:
    if plan.level is None:
        return _int(0)
    return Case(
        When(title_level=plan.level, then=_int(SENIORITY_POINTS)),
        When(title_level__in=[plan.level - 1, plan.level + 1], then=_int(SENIORITY_NEAR_POINTS)),
        default=_int(0),
        output_field=IntegerField(),
    )


def engagement_points(now: datetime) -> Combinable:
    replied = Case(
        *[When(last_replied_at__gte=now - timedelta(days=days), then=_int(points)) for days, points in REPLY_STEPS],
        default=_int(0),
        output_field=IntegerField(),
    )
    strength = Coalesce(F("relationship__score"), _int(0)) / _int(10)
    return Greatest(replied, strength, output_field=IntegerField())


def stage_points() -> Case:
    return Case(
        *[When(stage=stage, then=_int(points)) for stage, points in STAGE_POINTS.items()],
        default=_int(0),
        output_field=IntegerField(),
    )


def past_interest_points(plan: FitPlan) -> Combinable:
    if not plan.similar_job_ids:
        return _int(0)
    before = JobInterest.objects.filter(
        candidate_id=OuterRef("pk"), job_id__in=plan.similar_job_ids, status__in=LIVE_INTEREST
    )
    return Case(When(Exists(before), then=_int(PAST_INTEREST_POINTS)), default=_int(0), output_field=IntegerField())


# --- the same rules in Python, for the reasons ----------------------------------------------------


def level_of_title(title: str) -> int:
    """`title_level()` for one title, in Python."""
    upper = (title or "").upper()
    if not upper.strip():
        return 0
    for level, prefixes, fragments in TITLE_LEVELS:
        if any(upper.startswith(prefix) for prefix in prefixes):
            return level
        if any(fragment.strip() in upper for fragment in fragments):
            return level
    return MID_LEVEL


def matching_place(plan: FitPlan, candidate: Candidate) -> Place | None:
    """The job's place the candidate is in (city or region), or None."""
    mine = {part.casefold() for part in (candidate.city, candidate.region) if part}
    return next((p for p in plan.places if mine & {name.casefold() for name in p.names}), None)


# Hard blocks checked in the ranking query itself (cheap columns); the rest of the contact policy
# (withdrawn consent, the suppression list, a live conversation, the cooldown) is asked per page.
def cheaply_contactable() -> Q:
    return (
        Q(erased_at=None, unsubscribed_at=None, do_not_contact=False, email_undeliverable=False)
        & ~Q(email="")
        & ~Q(stage__in=Candidate.FINAL_STAGES)
    )
