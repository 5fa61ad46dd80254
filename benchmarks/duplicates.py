"""Stored duplicates at scale (run by `make bench`; PostgreSQL only): what the pages read, what the task costs.

Prints figures; it is not a timed test. Needs an organisation with many candidates: BENCH_ORG
(default "demo"), e.g. after `manage.py seed_scale --org demo --candidates 1000000` (which also
fills the pairs). BENCH_DUPLICATE_ROUNDS (default 40) candidates or requests per figure;
BENCH_REBUILD=1 also times `duplicates_rebuild` (it rewrites the organisation's pairs).

Figures:
- the profile page (GET, signed in) of candidates that have stored twins (query counts: the tests pin them);
- the duplicates page, first page and page 200;
- one candidate's refresh (the background task's work) for candidates with the most common
  names, with pg_trgm's threshold raised to 0.6 and, for comparison, at its default 0.3;
  the pairs found must be the same.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402

from candidates.duplicates import matching  # noqa: E402
from candidates.duplicates.models import DuplicatePair  # noqa: E402
from candidates.duplicates.services import duplicates_rebuild  # noqa: E402
from candidates.models import Candidate  # noqa: E402
from talentcircles.models import Membership, Organization  # noqa: E402

ORG = os.environ.get("BENCH_ORG", "demo")
ROUNDS = int(os.environ.get("BENCH_DUPLICATE_ROUNDS", "40"))
REBUILD = os.environ.get("BENCH_REBUILD", "") == "1"


def timed(run: Callable[[], object], rounds: int = ROUNDS) -> list[float]:
    spent = []
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        spent.append((time.perf_counter() - start) * 1000)
    return spent


def figures(ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"p50 {statistics.median(ms):7.1f} ms  p95 {p95:7.1f} ms"


def bench_pages(org: Organization, client: Client) -> None:
    ids = list(DuplicatePair.objects.for_org(org).order_by("?").values_list("candidate_a_id", flat=True)[:ROUNDS])
    if not ids:
        print("profile page: skipped (no stored pairs: run `manage.py rebuild_duplicates --org …`)")
    else:
        urls = iter(f"/o/{org.slug}/candidates/{pk}/" for pk in ids * 2)
        client.get(next(urls))
        print(f"profile page with twins         {figures(timed(lambda: client.get(next(urls)), len(ids)))}")
    for label, params in (("duplicates page", {}), ("duplicates page, page 200", {"page": 200})):
        url = f"/o/{org.slug}/candidates/duplicates/"
        client.get(url, params)
        print(f"{label:31} {figures(timed(lambda params=params, url=url: client.get(url, params)))}")


def _common_named(org: Organization) -> list[Candidate]:
    """Candidates with a company and one of the organisation's most common names: the slowest to match."""
    names = (
        Candidate.objects.for_org(org)
        .exclude(search_name="")
        .values("search_name")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("search_name", flat=True)[:ROUNDS]
    )
    found = []
    for name in names:
        candidate = Candidate.objects.for_org(org).filter(search_name=name).exclude(current_company="").first()
        if candidate:
            found.append(candidate)
    return found


def bench_refresh(org: Organization) -> None:
    candidates = _common_named(org)
    results: dict[str, list[dict]] = {}
    for label, raise_threshold in (("threshold 0.6", True), ("threshold 0.3 (default)", False)):
        spent, found = [], []
        for candidate in candidates:
            with transaction.atomic(), matching.similar_names_only() if raise_threshold else nullcontext():
                start = time.perf_counter()
                found.append(matching.twins_of(candidate))
                spent.append((time.perf_counter() - start) * 1000)
        results[label] = found
        print(f"one candidate's twins, {label:24} {figures(spent)}  ({len(candidates)} common names)")
    same = sum(a == b for a, b in zip(*results.values(), strict=True))
    print(f"  the same twins at both thresholds for {same} of {len(candidates)} candidates")


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("benchmarks/duplicates.py measures PostgreSQL only: run it with DATABASE_URL=postgres://…")
    org = Organization.objects.filter(slug=ORG).first()
    membership = Membership.objects.for_org(org).select_related("user").order_by("pk").first() if org else None
    if org is None or membership is None:
        sys.exit(f'No organisation "{ORG}" with a member: `python manage.py seed_demo` creates one.')
    total = Candidate.objects.for_org(org).count()
    print(f'duplicates benchmark: "{ORG}" with {total:,} candidates, '
          f"{DuplicatePair.objects.for_org(org).count():,} stored pairs, {ROUNDS} rounds")  # fmt: skip
    if REBUILD:
        start = time.perf_counter()
        count = duplicates_rebuild(org=org)
        print(f"rebuild of every pair: {count:,} pairs in {time.perf_counter() - start:.1f} s")
    client = Client()
    client.force_login(membership.user)
    bench_pages(org, client)
    bench_refresh(org)


if __name__ == "__main__":
    main()
