"""The audit trail at scale: writing one entry, the admin page's filters, the CSV export, the purge.

PostgreSQL (not a timed test). `python benchmarks/audit.py` seeds BENCH_AUDIT_ENTRIES entries
(default 1,000,000) over three years into an organisation of its own ("audit-bench", made if
missing, with 20 members and 100,000 candidate ids) with one INSERT … SELECT generate_series, then
prints the p50/p95 of: record() (one INSERT), the page's selectors for each filter (the first page,
a deep keyset page, the capped count), the whole page through the test client, the export of a
month; and the time of the retention purge (a third of the rows are past two years).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from talentcircles import audit  # noqa: E402
from talentcircles.audit import maintenance, selectors  # noqa: E402
from talentcircles.audit.views import csv_stream  # noqa: E402
from talentcircles.models import Membership, Organization, User  # noqa: E402

ENTRIES = int(os.environ.get("BENCH_AUDIT_ENTRIES", "1000000"))
REPEAT = int(os.environ.get("BENCH_AUDIT_REPEAT", "20"))
SLUG = "audit-bench"


def _ms(samples: list[float]) -> str:
    samples = sorted(samples)
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return f"p50 {statistics.median(samples) * 1000:7.2f} ms  p95 {p95 * 1000:7.2f} ms"


def _time(fn, repeat: int = REPEAT) -> list[float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return samples


def _setup() -> tuple[Organization, list[User]]:
    org, _ = Organization.objects.get_or_create(slug=SLUG, defaults={"name": "Audit bench"})
    users = []
    for n in range(20):
        user, _ = User.objects.get_or_create(email=f"bench{n}@audit.example")
        Membership.objects.get_or_create(user=user, organization=org, defaults={"role": "admin"})
        users.append(user)
    return org, users


def _seed(org: Organization, users: list[User]) -> None:
    have = audit.AuditEntry.objects.for_org(org).count()
    if have >= ENTRIES:
        return
    ids = ",".join(str(user.pk) for user in users)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO talentcircles_auditentry (organization_id, actor_id, actor_kind, action, target_type,
                target_id, target_label, changes, details, ip_address, user_agent, created_at)
            SELECT %s, (ARRAY[{ids}])[1 + i %% 20], 'member',
                   (ARRAY['profile_viewed', 'profile_viewed', 'profile_viewed', 'field_changed',
                          'data_exported'])[1 + i %% 5],
                   'candidate', 1 + (i * 7919) %% 100000, 'Candidate #' || (1 + (i * 7919) %% 100000),
                   CASE WHEN i %% 5 = 3 THEN '{{"city": ["London", "Paris"]}}'::jsonb ELSE '{{}}'::jsonb END,
                   '{{}}'::jsonb, '192.0.2.1', 'bench',
                   now() - (i::float / %s * interval '3 years')
            FROM generate_series(1::bigint, %s) AS i
            """,
            [org.pk, ENTRIES - have, ENTRIES - have],
        )
        cursor.execute("ANALYZE talentcircles_auditentry")


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL.")
    org, users = _setup()
    start = time.perf_counter()
    _seed(org, users)
    total = audit.AuditEntry.objects.for_org(org).count()
    print(f"{total:,} entries (seeded in {time.perf_counter() - start:.1f} s)")

    def record_one() -> None:
        audit.record(users[0], org, audit.Action.PROFILE_VIEWED, target=("candidate", 42))

    print(f"record() one INSERT            {_ms(_time(record_one, 200))}")
    today = timezone.localdate()
    filters = {
        "none": selectors.AuditFilters(),
        "actor": selectors.AuditFilters(actor=users[3]),
        "action (rare)": selectors.AuditFilters(action="data_exported"),
        "candidate": selectors.AuditFilters(candidate_id=4242),
        "last week": selectors.AuditFilters(date_from=today - timedelta(days=7)),
        "actor + month a year ago": selectors.AuditFilters(
            actor=users[5], date_from=today - timedelta(days=400), date_to=today - timedelta(days=370)
        ),
    }
    for name, chosen in filters.items():
        page = selectors.audit_page(org=org, filters=chosen)
        print(f"page, {name:24}  {_ms(_time(lambda c=chosen: selectors.audit_page(org=org, filters=c)))}")
        deep = page
        for _ in range(20):  # 20 pages in: the keyset's cost does not grow with depth
            if deep.next_cursor is None:
                break
            deep = selectors.audit_page(org=org, filters=chosen, before=deep.next_cursor)
        if deep.next_cursor:
            cursor = deep.next_cursor

            def deep_page(c=chosen, b=cursor) -> None:
                selectors.audit_page(org=org, filters=c, before=b)

            print(f"  21st page                  {_ms(_time(deep_page))}")
        print(f"  capped count               {_ms(_time(lambda c=chosen: selectors.audit_count(org=org, filters=c)))}")
    client = Client()
    client.force_login(users[0])
    url = f"/o/{SLUG}/settings/audit/"
    assert client.get(url).status_code == 200
    print(f"whole page (test client)       {_ms(_time(lambda: client.get(url)))}")
    month = selectors.AuditFilters(date_from=today - timedelta(days=30))
    start = time.perf_counter()
    lines = sum(1 for _ in csv_stream(selectors.audit_entries(org=org, filters=month)))
    print(f"CSV export of the last 30 days: {lines - 2:,} rows in {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    removed = maintenance.purge_expired()
    days = os.environ.get("AUDIT_RETENTION_DAYS", "730")
    print(f"purge past {days} days: {removed:,} rows in {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
