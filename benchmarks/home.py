"""Recruiter home and /healthz latency with many candidates (run by `make bench`).

Prints figures; it is not a timed test. Uses the database DATABASE_URL points at and
removes its own organisation when done.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from benchmarks.page_timing import percentile, timed  # noqa: E402
from candidates.models import Candidate  # noqa: E402
from talentcircles.models import Membership, Organization, User  # noqa: E402

CANDIDATES = int(os.environ.get("BENCH_CANDIDATES", "100000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))


def main() -> None:
    org = Organization.objects.create(name="Benchmark home", slug=f"bench-home-{os.getpid()}")
    user = User.objects.create_user(f"bench-{os.getpid()}@example.com", "x")
    Membership.objects.create(user=user, organization=org, role="admin")
    try:
        start = time.perf_counter()
        batch = 10_000
        for offset in range(0, CANDIDATES, batch):
            Candidate.objects.bulk_create(
                Candidate(organization=org, first_name=f"First{i}", last_name=f"Last{i}", email=f"c{i}@example.com")
                for i in range(offset, min(offset + batch, CANDIDATES))
            )
        print(f"created {CANDIDATES:,} candidates in {time.perf_counter() - start:.1f}s ({connection.vendor})")
        client = Client()
        client.force_login(user)
        for label, url in [("home", f"/o/{org.slug}/"), ("healthz", "/healthz")]:
            samples, queries = timed(client, url, ROUNDS)
            print(
                f"{label:8} p50 {percentile(samples, 50):6.1f} ms  p95 {percentile(samples, 95):6.1f} ms  "
                f"queries {queries}  ({ROUNDS} requests)"
            )
    finally:
        reset_queries()
        org.delete()
        user.delete()


if __name__ == "__main__":
    main()
