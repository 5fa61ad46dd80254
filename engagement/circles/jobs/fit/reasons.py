"""Why someone fits, in a few words each: "4 of 5 skills", "in Berlin", "replied 12 days ago"."""

from __future__ import annotations

from datetime import datetime

from candidates import countries
from candidates.models import Candidate
from engagement.circles.jobs.fit import rules


def _days_ago(moment: datetime, now: datetime) -> str:
    days = max(0, (now - moment).days)
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"


def _location(plan: rules.FitPlan, candidate: Candidate, points: int) -> str:
    if plan.remote and not plan.places:
        return "remote job"
    place = rules.matching_place(plan, candidate)
    if place is not None:
        return f"in {candidate.city or candidate.region}"
    if points:
        where = countries.name(candidate.country_code) or candidate.country_code
        return f"in {where}" + (", remote job" if plan.remote else "")
    if plan.places:
        named = " or ".join(place.label for place in plan.places[:2])
        return f"not in {named}"
    return ""


def _engagement(candidate: Candidate, row: dict, now: datetime) -> str:
    if candidate.last_replied_at is not None:
        return f"replied {_days_ago(candidate.last_replied_at, now)}"
    if row.get("relationship_score"):
        return f"relationship {row['relationship_score']}/100"
    return ""


def _seniority(plan: rules.FitPlan, candidate: Candidate, points: int) -> str:
    if plan.level is None or not points:
        return ""
    level = rules.level_of_title(candidate.current_title)
    return rules.LEVEL_NAMES.get(level, "")


def _interest(plan: rules.FitPlan, interests: list[tuple[int, str, str]]) -> list[str]:
    said: list[str] = []
    for job_id, title, status in interests:
        if job_id == plan.job.pk:
            said.insert(0, "already interested in this job" if status in rules.LIVE_INTEREST else "")
        elif status in rules.LIVE_INTEREST and len(said) < 2:
            said.append(f"interested in “{title}” before")
    return [text for text in said if text][:2]


def fit_reasons(
    plan: rules.FitPlan, candidate: Candidate, row: dict, interests: list[tuple[int, str, str]], now: datetime
) -> list[str]:
    """The reasons for one ranked row, most telling first; empty parts say nothing."""
    stage = candidate.get_stage_display().lower() if candidate.stage != Candidate.Stage.NEW else ""
    parts = [
        f"{row['matched']} of {plan.wanted} skill{'' if plan.wanted == 1 else 's'}",
        _location(plan, candidate, row["location_pts"]),
        _engagement(candidate, row, now),
        _seniority(plan, candidate, row["seniority_pts"]),
        stage,
        *_interest(plan, interests),
    ]
    return [part for part in parts if part]
