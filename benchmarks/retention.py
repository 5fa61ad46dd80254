"""Retention at scale (PostgreSQL): the forecast, the pages, the notice planning and the run.

Prints figures; it is not a timed test. Needs an organisation with many candidates: BENCH_ORG
(default "demo"), e.g. after `manage.py seed_scale --org demo --candidates 100000`. Seeded rows
start their clock when they are written; the set-up sets each clock to the row's creation (what
`start_retention_clocks` does for rows without replies: seed_scale spreads creation over three
years, so about a fifth have run out under the default 24 months) and gives consent to messages to
the people whose notice falls due (BENCH_RETENTION_SETUP=1, committed: use a scratch organisation),
then VACUUM ANALYZE. The writes measured afterwards are rolled back. BENCH_RETENTION_ROUNDS
(default 5) repetitions per figure.

Figures:
- the clock backfill (the migration's UPDATE) over the organisation;
- the forecast (two queries: the 30/60/90-day counts and the days) and its EXPLAIN;
- the settings page and the people-due page (GET, signed-in admin);
- planning the notices (the people due within 30 days who may be e-mailed);
- a dry run (count and walk the due ids) and a real run of 200 people (each erased in its own savepoint, rolled back).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.db.models import F  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from candidates.models import Candidate, ConsentRecord  # noqa: E402
from candidates.retention import clock, notices, run, selectors  # noqa: E402
from talentcircles.models import Membership, Organization  # noqa: E402

ORG = os.environ.get("BENCH_ORG", "demo")
ROUNDS = int(os.environ.get("BENCH_RETENTION_ROUNDS", "5"))


class Rollback(Exception):
    pass


def timed(label: str, work: Callable[[], object], rounds: int = ROUNDS) -> object:
    durations, result = [], None
    for _ in range(rounds):
        started = time.perf_counter()
        result = work()
        durations.append((time.perf_counter() - started) * 1000)
    print(f"{label}: median {statistics.median(durations):.1f} ms, max {max(durations):.1f} ms ({rounds} rounds)")
    return result


def _admin_client(org: Organization) -> Client:
    membership = Membership.objects.filter(organization=org, role=Membership.Role.ADMIN).select_related("user").first()
    assert membership is not None, "the organisation needs an admin"
    client = Client()
    client.force_login(membership.user)
    return client


def _backfill(org: Organization) -> None:
    """The clocks as `start_retention_clocks` sets them (seeded rows have no replies: their creation)."""
    started = time.perf_counter()
    updated = Candidate.objects.for_org(org).update(retention_anchor_at=F("created_at"))
    elapsed = time.perf_counter() - started
    print(f"clocks set from history: {updated:,} rows in {elapsed:.1f} s ({elapsed / updated * 1000:.2f} ms a row)")


def _consent_for_the_window(org: Organization) -> int:
    limit = clock.anchor_limit(org, clock.today() + timezone.timedelta(days=clock.NOTICE_DAYS))
    ids = list(
        clock.retainable(org).filter(retention_anchor_at__lt=limit).exclude(email="").values_list("pk", flat=True)
    )
    ConsentRecord.objects.bulk_create(
        ConsentRecord(
            organization=org,
            candidate_id=pk,
            purpose="messages",
            granted=True,
            wording_version="bench",
            source="import",
        )
        for pk in ids
    )
    return len(ids)


def _explain(org: Organization) -> None:
    due = clock.due_on(org, clock.today())
    print("EXPLAIN the run's count:")
    print("  " + due.explain(analyze=True).replace("\n", "\n  "))


def setup(org: Organization) -> None:
    """Committed, once: the clocks as the migration sets them, consent for the notice window, statistics."""
    with transaction.atomic():
        Organization.objects.filter(pk=org.pk).update(retention_enabled=True, retention_notice_from=None)
        org.refresh_from_db()
        _backfill(org)
        print(f"consent given to {_consent_for_the_window(org):,} people whose notice falls due")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE candidates_candidate")
        cursor.execute("VACUUM ANALYZE candidates_consentrecord")


def measure(org: Organization) -> None:
    client = _admin_client(org)
    forecast = timed("forecast", lambda: selectors.retention_forecast(org=org))
    print(f"  {forecast.by_window} first days {forecast.by_day[:3]}")  # type: ignore[attr-defined]
    _explain(org)
    settings_url = reverse("retention_settings", args=[org.slug])
    due_url = reverse("retention_due", args=[org.slug]) + "?within=90"
    timed("GET settings page", lambda: client.get(settings_url).status_code)
    timed("GET people due (90 days), page 1", lambda: client.get(due_url).status_code)
    timed("GET people due (90 days), page 200", lambda: client.get(due_url + "&page=200").status_code)
    plan = timed("notices_plan (rolled back)", lambda: _rolled_back(lambda: notices.notices_plan(org=org)))
    print(f"  {plan:,} notices planned")
    dry = timed("dry run (count and walk the due ids)", lambda: run.retention_apply(org=org, dry_run=True), 1)
    print(f"  {dry.due:,} due")  # type: ignore[attr-defined]
    _rolled_back(lambda: _real_run(org))


def main() -> None:
    org = Organization.objects.get(slug=ORG)
    print(f"organisation {org.slug}: {Candidate.objects.for_org(org).count():,} candidates")
    if os.environ.get("BENCH_RETENTION_SETUP") == "1":
        setup(org)
    measure(org)


def _rolled_back(work: Callable[[], int]) -> int:
    result = 0
    try:
        with transaction.atomic():
            result = work()
            raise Rollback
    except Rollback:
        pass
    return result


def _real_run(org: Organization) -> int:
    ids = list(clock.due_on(org, clock.today()).order_by("pk").values_list("pk", flat=True)[:200])
    started = time.perf_counter()
    for candidate_id in ids:
        run._erase_if_still_due(org, clock.today(), candidate_id)
    elapsed = time.perf_counter() - started
    print(
        f"erasing {len(ids)} due people one transaction each: {elapsed:.1f} s ({elapsed / len(ids) * 1000:.0f} ms each)"
    )


if __name__ == "__main__":
    main()
