"""Bulk compose to 1,000 candidates: render, check and queue (run by `make bench`; target under 5 s).

Prints figures; it is not a timed test. Creates its own organisation in the database
DATABASE_URL points at and removes it when done. BENCH_COMPOSE_CANDIDATES (default 1,000)
recipients, each with a company, title, industry, city and three skills, so every draft is
rendered with real values and fully checked. BENCH_COMPOSE_ROUNDS (default 3) sends.

Delivery tasks go to an in-memory Celery broker by default, so the figure includes publishing
them but nothing is left in a real queue for a worker to find; BENCH_COMPOSE_BROKER=real uses the
configured broker instead (a worker then finds the messages gone and does nothing).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from candidates.models import Candidate, Skill  # noqa: E402
from candidates.normalise import INDUSTRIES  # noqa: E402
from messaging.bulk import bulk_compose  # noqa: E402
from messaging.models import Message, Thread  # noqa: E402
from talentcircles.celery import app as celery_app  # noqa: E402
from talentcircles.models import Membership, Organization, User  # noqa: E402

CANDIDATES = int(os.environ.get("BENCH_COMPOSE_CANDIDATES", "1000"))
ROUNDS = int(os.environ.get("BENCH_COMPOSE_ROUNDS", "3"))
TARGET_SECONDS = 5.0
CITIES = ["Lisbon", "Leeds", "Austin", "Berlin", "Toronto", "Pune", "Lagos", "Melbourne"]
COMPANIES = ["Initech", "Globex", "Umbrella Health", "Stark Industries", "Wayne Enterprises", "Hooli"]
TITLES = ["Backend Engineer", "Data Scientist", "Product Designer", "Site Reliability Engineer", "Nurse Manager"]
SUBJECT = "{{ candidate.first_name }}, your {{ candidate.current_title|default:'work' }} at {{ organization.name }}?"
BODY = (
    "Hi {{ candidate.first_name }},\n\n"
    "Your work as {{ candidate.current_title }} at {{ candidate.current_company }} stood out, and so did "
    "{{ candidate.skills|default:'your skills' }}. We are growing a small team in "
    "{{ candidate.location|default:'your area' }} and I think you would like what they are building.\n\n"
    "Would you be up for a 20-minute call next week?\n\n"
    "{{ recruiter.full_name }}, {{ recruiter.title|default:'Recruiting' }}"
)


def seed(org: Organization) -> None:
    start = time.perf_counter()
    skills = Skill.objects.bulk_create(
        Skill(organization=org, name=name, key=name.lower())
        for name in ["Python", "Django", "Go", "PostgreSQL", "Kubernetes", "React", "SQL", "Figma", "Spark"]
    )
    people = Candidate.objects.bulk_create(
        Candidate(
            organization=org,
            first_name=f"First{i}",
            last_name=f"Last{i}",
            email=f"bench-compose-{i}@example.com",
            current_company=COMPANIES[i % len(COMPANIES)],
            current_title=TITLES[i % len(TITLES)],
            industry=INDUSTRIES[i % len(INDUSTRIES)],
            city=CITIES[i % len(CITIES)],
            headline=f"{TITLES[i % len(TITLES)]} who likes {skills[i % len(skills)].name}",
        )
        for i in range(CANDIDATES)
    )
    through = Candidate.skills.through
    through.objects.bulk_create(
        through(candidate_id=person.pk, skill_id=skills[(i + k) % len(skills)].pk)
        for i, person in enumerate(people)
        for k in range(3)
    )
    seconds = time.perf_counter() - start
    print(f"created {CANDIDATES:,} candidates with 3 skills each in {seconds:.1f}s ({connection.vendor})")


def compose(org: Organization, user: User, *, preview_only: bool) -> tuple[float, int, object]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = bulk_compose(
            org=org,
            recruiter=user,
            candidates=Candidate.objects.for_org(org),
            subject=SUBJECT,
            body=BODY,
            preview_only=preview_only,
        )
        seconds = time.perf_counter() - start
    return seconds, len(queries), result


def main() -> None:
    if os.environ.get("BENCH_COMPOSE_BROKER", "") != "real":
        celery_app.conf.broker_url = "memory://"
    celery_app.conf.task_always_eager = False
    org = Organization.objects.create(name="Benchmark compose", slug=f"bench-compose-{os.getpid()}")
    user = User.objects.create_user(
        f"bench-compose-{os.getpid()}@example.com", "x", first_name="Rita", last_name="Reyes", title="Talent Partner"
    )
    Membership.objects.create(user=user, organization=org, role="recruiter")
    try:
        seed(org)
        seconds, queries, result = compose(org, user, preview_only=True)
        print(
            f"{'preview (render + check)':34} {seconds:6.2f} s  queries {queries:5}  "
            f"ready {len(result.ready)}, skipped {len(result.skipped)}, failed {len(result.failed)}, "
            f"held {len(result.held)}"
        )
        samples = []
        for _ in range(ROUNDS):
            seconds, queries, result = compose(org, user, preview_only=False)
            samples.append(seconds)
            print(
                f"{'send (render + check + queue)':34} {seconds:6.2f} s  queries {queries:5}  "
                f"queued {len(result.messages)}"
            )
            Message.objects.filter(organization=org).delete()
            Thread.objects.filter(organization=org).delete()
        median = statistics.median(samples)
        verdict = "OK" if median < TARGET_SECONDS else "SLOWER THAN TARGET"
        print(f"bulk compose to {CANDIDATES:,}: median {median:.2f} s (target < {TARGET_SECONDS:.0f} s) {verdict}")
    finally:
        reset_queries()
        org.delete()
        user.delete()


if __name__ == "__main__":
    main()
