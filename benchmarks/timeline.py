"""A candidate's timeline with 10,000 activities, among many candidates, and "My day" (run by `make bench`).

Prints figures; it is not a timed test. Creates its own organisation in the database
DATABASE_URL points at and removes it when done. BENCH_TIMELINE_CANDIDATES (default 100,000)
other candidates, each with one activity, so the activity table is not just the one timeline;
BENCH_TIMELINE_ACTIVITIES (default 10,000) activities on the measured candidate;
BENCH_ROUNDS (default 200) requests per figure.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from candidates.models import Candidate  # noqa: E402
from engagement.timeline.models import Activity, Reminder  # noqa: E402
from engagement.timeline.relationships import relationships_refresh  # noqa: E402
from engagement.timeline.selectors import Cursor  # noqa: E402
from talentcircles.models import Membership, Organization, User  # noqa: E402

CANDIDATES = int(os.environ.get("BENCH_TIMELINE_CANDIDATES", "100000"))
ACTIVITIES = int(os.environ.get("BENCH_TIMELINE_ACTIVITIES", "10000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
REMINDERS = 200
BATCH = 10_000
KINDS = [Activity.Kind.MESSAGE_OUT, Activity.Kind.REPLY_IN, Activity.Kind.NOTE, Activity.Kind.CALL]


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) > 1 else samples[0]


def timed(client: Client, url: str, **headers) -> tuple[list[float], int]:
    client.get(url, headers=headers)  # warm up
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url, headers=headers)
    return samples, len(queries)


def seed(org: Organization, user: User) -> Candidate:
    start = time.perf_counter()
    now = timezone.now()
    for offset in range(0, CANDIDATES, BATCH):
        people = Candidate.objects.bulk_create(
            Candidate(organization=org, first_name=f"First{i}", last_name=f"Last{i}", email=f"c{i}@example.com")
            for i in range(offset, min(offset + BATCH, CANDIDATES))
        )
        Activity.objects.bulk_create(
            Activity(organization=org, candidate=person, kind=Activity.Kind.IMPORT, summary="Imported", occurred_at=now)
            for person in people
        )
    measured = Candidate.objects.create(organization=org, first_name="Tim", last_name="Line", owner=user)
    for offset in range(0, ACTIVITIES, BATCH):
        Activity.objects.bulk_create(
            Activity(
                organization=org, candidate=measured, actor=user, kind=KINDS[i % len(KINDS)], summary=f"Activity {i}",
                body="Talked about the role." if i % 4 == 2 else "", occurred_at=now - timedelta(minutes=37 * i),
            )
            for i in range(offset, min(offset + BATCH, ACTIVITIES))
        )  # fmt: skip
    relationships_refresh(candidate_ids=[measured.pk])
    Reminder.objects.bulk_create(
        Reminder(
            organization=org, recruiter=user, candidate=measured, due_at=now - timedelta(hours=i),
            note=f"Follow up {i}", origin=Reminder.Origin.GOING_COLD if i % 5 == 0 else Reminder.Origin.RECRUITER,
        )
        for i in range(REMINDERS)
    )  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE engagement_activity, candidates_candidate, engagement_reminder")
    print(
        f"created {CANDIDATES:,} candidates and {CANDIDATES + ACTIVITIES:,} activities "
        f"({ACTIVITIES:,} on one candidate) in {time.perf_counter() - start:.1f}s ({connection.vendor})"
    )
    return measured


def main() -> None:
    org = Organization.objects.create(name="Benchmark timeline", slug=f"bench-timeline-{os.getpid()}")
    user = User.objects.create_user(f"bench-timeline-{os.getpid()}@example.com", "x")
    Membership.objects.create(user=user, organization=org, role="recruiter")
    try:
        measured = seed(org, user)
        client = Client()
        client.force_login(user)
        base = f"/o/{org.slug}/candidates/{measured.pk}/timeline/"
        deep = Activity.objects.filter(candidate=measured).order_by("-occurred_at", "-id")[ACTIVITIES // 2]
        cursor = Cursor(deep.occurred_at, deep.pk).encode()
        pages = [
            ("timeline, first page (htmx fragment)", base, {"HX-Request": "true"}),
            ("timeline, page at 5,000 (load more)", f"{base}?part=items&before={cursor}", {"HX-Request": "true"}),
            ("timeline, filtered to calls", f"{base}?kind=call", {"HX-Request": "true"}),
            ("API timeline, first page", f"/api/v1/candidates/{measured.pk}/timeline/", {}),
            ("My day (200 reminders due)", f"/o/{org.slug}/today/", {}),
            ("pipeline board", f"/o/{org.slug}/pipeline/", {}),
        ]  # fmt: skip
        for label, url, headers in pages:
            samples, queries = timed(client, url, **headers)
            print(
                f"{label:40} p50 {percentile(samples, 50):6.1f} ms  p95 {percentile(samples, 95):6.1f} ms  "
                f"queries {queries}  ({ROUNDS} requests)"
            )
    finally:
        reset_queries()
        org.delete()
        user.delete()


if __name__ == "__main__":
    main()
