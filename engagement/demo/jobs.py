"""The demo's jobs: five openings in different statuses, shared to circles, with people interested in
them at every status of the board, all through the jobs' services (about twenty rows: fast)."""

from __future__ import annotations

from typing import Any

from candidates.models import Candidate
from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.interest import (
    job_interest_add,
    job_interest_move,
    job_interest_raise,
    job_interest_withdraw,
)
from engagement.circles.jobs.models import Job
from engagement.circles.models import Circle
from talentcircles.models import Organization, User

# title, status, circle names, the job's fields
JOBS: list[tuple[str, str, tuple[str, ...], dict[str, Any]]] = [
    ("Senior Backend Engineer (Python, PostgreSQL)", "open", ("Backend Engineers",), {
        "team": "Platform", "locations": ["Berlin", "Lisbon"], "remote_policy": "hybrid", "seniority": "senior",
        "skills": ["Python", "Django", "PostgreSQL"], "salary_min": 75_000, "salary_max": 95_000,
        "salary_currency": "EUR",
        "description": "Own our data platform's ingestion path.\n\n- Python and Django\n- PostgreSQL at scale",
    }),
    ("Senior Data Engineer (Spark, dbt)", "open", ("Data & Machine Learning", "Backend Engineers"), {
        "team": "Pricing", "locations": ["Europe"], "remote_policy": "remote", "seniority": "senior",
        "skills": ["Spark", "dbt", "SQL"], "description": "Own the pipelines behind our pricing.",
    }),
    ("iOS Engineer (SwiftUI)", "on_hold", ("Frontend & Mobile",), {
        "team": "Mobile", "locations": ["London"], "remote_policy": "hybrid", "skills": ["Swift", "SwiftUI"],
        "description": "Join the team shipping our mobile app.",
    }),
    ("Product Designer", "filled", ("Product Designers",), {
        "team": "Design", "locations": ["Amsterdam"], "description": "Design how our customers set prices.",
    }),
    ("Engineering Manager, Platform", "draft", ("Engineering Leaders",), {
        "team": "Platform", "locations": ["Berlin"], "seniority": "manager",
        "description": "Lead the platform team of eight.",
    }),
]  # fmt: skip
# Where the people interested in the first two jobs stand: (status, source, note, reason).
BOARD = [
    ("interested", "portal", "I have run Postgres at 10 TB; happy to talk.", ""),
    ("interested", "portal", "", ""),
    ("interested", "reply", "", ""),
    ("shortlisted", "portal", "Available from March.", ""),
    ("shortlisted", "recruiter", "", ""),
    ("handed_to_ats", "portal", "", ""),
    ("not_a_fit", "portal", "", "seniority"),
    ("withdrawn", "portal", "", ""),
]
MOVES = {
    "shortlisted": ["shortlisted"],
    "handed_to_ats": ["shortlisted", "handed_to_ats"],
    "not_a_fit": ["not_a_fit"],
}


def jobs_create(*, org: Organization, recruiter: User) -> list[Job]:
    """The demo's jobs, once (an organisation with jobs is left as it is), and interest in the open ones."""
    if Job.objects.for_org(org).exists():
        return []
    circles = {circle.name: circle for circle in Circle.objects.for_org(org)}
    created = []
    for title, status, circle_names, fields in JOBS:
        job = jobs.job_create(org=org, actor=recruiter, data={"title": title, **fields})
        jobs.job_share(job=job, circles=[circles[name] for name in circle_names if name in circles])
        if status != "draft":
            job = jobs.job_open(job=job)
        created.append(job)
    backend, data = created[0], created[1]
    _interest(backend, recruiter, _people(org, circles.get("Backend Engineers"), len(BOARD)), BOARD)
    _interest(data, recruiter, _people(org, circles.get("Data & Machine Learning"), 3), BOARD[2:5])
    for job, (_, status, _, _) in zip(created, JOBS, strict=True):
        if status not in ("draft", "open"):
            jobs.job_set_status(job=job, status=status)
    return created


def _people(org: Organization, circle: Circle | None, n: int) -> list[Candidate]:
    people = Candidate.objects.for_org(org).filter(erased_at=None).order_by("pk")
    if circle is not None:
        people = people.filter(circle_memberships__circle=circle)
    return list(people[:n])


def _interest(job: Job, recruiter: User, people: list[Candidate], board: list[tuple[str, str, str, str]]) -> None:
    for candidate, (status, source, note, reason) in zip(people, board, strict=False):
        if source == "portal":
            interest = job_interest_raise(candidate=candidate, job=job, note=note)
        else:
            interest, _ = job_interest_add(job=job, candidate=candidate, actor=recruiter, source=source)
        for step in MOVES.get(status, []):
            interest = job_interest_move(interest=interest, status=step, actor=recruiter, reason=reason)
        if status == "withdrawn":
            job_interest_withdraw(interest=interest)
