"""Who fits a job at scale: the first page of /o/<org>/jobs/<pk>/fits/ (run by `make bench`; PostgreSQL).

Prints figures; it is not a timed test. Needs an organisation with many candidates: BENCH_ORG
(default "demo") holding at least BENCH_CANDIDATES (default 1,000,000), seeded by
`manage.py seed_scale` (BENCH_SEED=1 seeds the missing ones first). Creates four crafted jobs
(the most held skills, rare skills, a remote job, an on-site senior job in the most common city),
measures the first page end to end through Django's test client (session, membership, the page,
its template) BENCH_ROUNDS times each (default 30), and prints p50/p95 and their ratio to a floor
measured in the same run: the same job's own page (session, membership, one job, its interests).
The jobs are deleted when done. BENCH_EXPLAIN=1 also prints the plan of each ranked read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.page_timing import percentile, timed  # noqa: E402
from candidates.models import Candidate  # noqa: E402
from engagement.circles.jobs.fit import FitFilters, fit_plan  # noqa: E402
from engagement.circles.jobs.fit.ranking import (  # noqa: E402
    MARGIN,
    PAGE_SIZE,
    TOP_READ,
    Held,
    _held_counts,
    fit_queryset,
)
from engagement.circles.jobs.models import Job  # noqa: E402
from talentcircles.models import Membership, Organization  # noqa: E402

ORG = os.environ.get("BENCH_ORG", "demo")
CANDIDATES = int(os.environ.get("BENCH_CANDIDATES", "1000000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "30"))
SEED = os.environ.get("BENCH_SEED", "") == "1"
EXPLAIN = os.environ.get("BENCH_EXPLAIN", "") == "1"
TARGET_MS = 300
SLUG_PREFIX = "bench-fit-"


def organisation() -> Organization:
    org = Organization.objects.filter(slug=ORG).first()
    if org is None:
        sys.exit(f'No organisation "{ORG}". Create one with `python manage.py seed_demo` or set BENCH_ORG.')
    have = Candidate.objects.for_org(org).count()
    if have < CANDIDATES:
        if not SEED:
            sys.exit(
                f'"{ORG}" has {have:,} candidates; this benchmark measures at {CANDIDATES:,}. Seed the rest with\n'
                f"  python manage.py seed_scale --org {ORG} --candidates {CANDIDATES - have}\n"
                f"or run it with BENCH_SEED=1 (or BENCH_CANDIDATES={have} to measure at the present size)."
            )
        call_command("seed_scale", org=ORG, candidates=CANDIDATES - have)
    return org


def skill_popularity(org: Organization) -> list[tuple[str, int]]:
    """The organisation's skills with how many people hold them, most held first."""
    through = Candidate.skills.through
    rows = (
        through.objects.filter(skill__organization=org)
        .values("skill__name")
        .annotate(n=Count("candidate_id"))
        .order_by("-n", "skill__name")
    )
    return [(row["skill__name"], row["n"]) for row in rows]


def common_city(org: Organization) -> str:
    row = Candidate.objects.for_org(org).exclude(city="").values("city").annotate(n=Count("id")).order_by("-n").first()
    return row["city"] if row else "London"


def crafted_jobs(org: Organization) -> list[tuple[str, Job]]:
    popular = skill_popularity(org)
    held = dict(popular)
    backend = [s for s in ("Python", "Django", "PostgreSQL", "Redis", "Celery") if s in held]
    rare = [name for name, n in reversed(popular) if n > 0][:5]
    city = common_city(org)
    now = timezone.now()
    specs = [
        ("common skills", [name for name, _n in popular[:5]], ["Berlin"], Job.RemotePolicy.HYBRID, ""),
        ("rare skills", rare, ["Berlin"], Job.RemotePolicy.HYBRID, ""),
        ("remote", backend, [], Job.RemotePolicy.REMOTE, Job.Seniority.SENIOR),
        ("on-site", backend, [city], Job.RemotePolicy.ONSITE, Job.Seniority.SENIOR),
    ]
    jobs = []
    for n, (label, skills, places, remote, seniority) in enumerate(specs):
        job = Job.objects.create(
            organization=org, title=f"Bench {label}", slug=f"{SLUG_PREFIX}{n}", skills=skills, locations=places,
            remote_policy=remote, seniority=seniority, status=Job.Status.OPEN, opened_at=now, description="Bench.",
        )  # fmt: skip
        counted = sum(held.get(s, 0) for s in skills)
        print(f"  {label:14} skills {', '.join(skills)} ({counted:,} skill rows) · {', '.join(places) or 'anywhere'}")
        jobs.append((label, job))
    return jobs


def explain(org: Organization, job: Job) -> None:
    """The plans of the page's two ranking reads: the skills held per person, then the top tiers scored."""
    plan, filters = fit_plan(org=org, job=job), FitFilters()
    held_query = _held_counts(plan, 1).values_list("candidate_id", "n").order_by("-n", "candidate_id")
    print(held_query[:TOP_READ].explain(analyze=True, buffers=True))
    held = Held.read(plan, 1)
    ids = held.ids(held.first_tier(PAGE_SIZE + MARGIN))
    ranked = fit_queryset(org=org, plan=plan, filters=filters, now=timezone.now(), ids=ids, held=held)
    print(ranked[:40].explain(analyze=True, buffers=True))


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("This benchmark measures PostgreSQL: set DATABASE_URL=postgres://…")
    org = organisation()
    Job.objects.filter(organization=org, slug__startswith=SLUG_PREFIX).delete()
    membership = Membership.objects.for_org(org).select_related("user").first()
    assert membership is not None, "the organisation needs a member"
    client = Client()
    client.force_login(membership.user)
    people = Candidate.objects.for_org(org).count()
    print(f"Who fits at {people:,} candidates in “{org.slug}”, {ROUNDS} requests per figure")
    jobs = crafted_jobs(org)
    try:
        floor_samples, floor_queries = timed(client, reverse("job_detail", args=[org.slug, jobs[0][1].pk]), ROUNDS)
        floor = percentile(floor_samples, 50)
        print(
            f"  {'floor':14} the job's own page: p50 {floor:6.1f} ms  p95 {percentile(floor_samples, 95):6.1f} ms"
            f"  ({floor_queries} queries)"
        )
        for label, job in jobs:
            samples, queries = timed(client, reverse("job_fits", args=[org.slug, job.pk]), ROUNDS)
            p50, p95 = percentile(samples, 50), percentile(samples, 95)
            verdict = "under" if p95 < TARGET_MS else "OVER"
            print(
                f"  {label:14} first page: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  ({queries} queries)  "
                f"{p50 / floor:5.1f}x / {p95 / floor:5.1f}x floor  {verdict} the {TARGET_MS} ms target"
            )
            if EXPLAIN:
                explain(org, job)
    finally:
        Job.objects.filter(organization=org, slug__startswith=SLUG_PREFIX).delete()


if __name__ == "__main__":
    main()
