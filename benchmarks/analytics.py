"""Response-rate analytics at scale: roll-up reads next to a scan of the messages table (not a timed test).

PostgreSQL. Seed first, e.g.
    python manage.py seed_demo
    python manage.py seed_scale --org demo --candidates 200000
    python manage.py seed_messages --org demo --messages 10000000
then `python benchmarks/analytics.py` (BENCH_ANALYTICS_ORG, default "demo"). It times the nightly
rebuild for the organisation (target under 5 minutes at 10M messages), then the p95 of every data
call the dashboard makes (response_rates for each group_by, rate_over_time, reply_time_distribution,
stage_funnel, live_rate), of the whole dashboard page (every chart, rendered) and of the API call
(GET /api/v1/stats/response-rate/ when that route exists, else the same read plus JSON
serialisation), over the last 120 days, BENCH_ANALYTICS_REPEAT times each; next to the time of
computing the per-recruiter figures by scanning the messages.
Targets: p95 under 100 ms, and at most 1/50 of the scan time.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from dataclasses import asdict
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
from django.urls import NoReverseMatch, resolve  # noqa: E402
from django.urls.exceptions import Resolver404  # noqa: E402
from django.utils import timezone  # noqa: E402

from engagement.analytics import metric as analytics  # noqa: E402
from engagement.analytics.models import ResponseOutreach, ResponseStat, ResponseStatWeek  # noqa: E402
from engagement.analytics.rollups.rebuild import rollups_rebuild  # noqa: E402
from talentcircles.models import Membership, Organization  # noqa: E402

ORG = os.environ.get("BENCH_ANALYTICS_ORG", "demo")
REPEAT = int(os.environ.get("BENCH_ANALYTICS_REPEAT", "30"))
SKIP_REBUILD = os.environ.get("BENCH_ANALYTICS_SKIP_REBUILD") == "1"
TARGET_P95_MS = 100.0
TARGET_RATIO = 50
TARGET_REBUILD_S = 300.0

# The per-recruiter settled-rate figures straight from the messages: what the roll-ups spare us.
SCAN_SQL = """
WITH firsts AS (
    SELECT m.thread_id, MIN(m.sent_at) AS sent_at
    FROM messaging_message m
    WHERE m.organization_id = %(org)s AND m.direction = 'out' AND m.sent_at IS NOT NULL
    GROUP BY m.thread_id
),
answers AS (
    SELECT m.thread_id, MIN(m.received_at) AS answered_at
    FROM messaging_message m
    WHERE m.organization_id = %(org)s AND m.direction = 'in' AND NOT m.is_auto_reply
    GROUP BY m.thread_id
),
bounces AS (
    SELECT DISTINCT m.thread_id FROM messaging_message m
    WHERE m.organization_id = %(org)s AND m.direction = 'out' AND m.status = 'bounced'
)
SELECT t.recruiter_id,
       COUNT(*) AS sent,
       COUNT(*) FILTER (WHERE b.thread_id IS NOT NULL AND a.answered_at IS NULL) AS bounced,
       COUNT(*) FILTER (WHERE a.answered_at <= f.sent_at + interval '30 days') AS answered,
       COUNT(*) FILTER (WHERE f.sent_at + interval '30 days' < %(now)s AND b.thread_id IS NULL
                        AND (a.answered_at IS NULL OR a.answered_at > f.sent_at + interval '30 days')) AS unanswered
FROM firsts f
JOIN messaging_thread t ON t.id = f.thread_id AND t.started_by = 'recruiter'
LEFT JOIN answers a ON a.thread_id = f.thread_id AND a.answered_at >= f.sent_at
LEFT JOIN bounces b ON b.thread_id = f.thread_id
WHERE f.sent_at >= %(since)s
GROUP BY t.recruiter_id
"""


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def timed(call, repeat: int = REPEAT) -> list[float]:
    call()  # warm the cache of plans and pages once, as a running server would be
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def signed_in_client(org) -> Client:
    admin = Membership.objects.filter(organization=org, role=Membership.Role.ADMIN).select_related("user").first()
    member = admin or Membership.objects.filter(organization=org).select_related("user").first()
    client = Client()
    client.force_login(member.user)
    return client


def page_call(org, date_from, date_to):
    """The whole dashboard page: every chart's reads, its tables and figures rendered to HTML."""
    client, path = signed_in_client(org), f"/o/{org.slug}/analytics/?from={date_from}&to={date_to}"

    def call():
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    return call


def api_call(org, date_from, date_to):
    """The API endpoint when stats-ui's route exists; otherwise the same read serialised to JSON."""
    path = (
        f"/api/v1/stats/response-rate/?org={org.slug}&group_by=recruiter&from={date_from}&to={date_to}&window_days=30"
    )
    try:
        resolve("/api/v1/stats/response-rate/")
    except (Resolver404, NoReverseMatch):
        return "response_rates + json (no API route yet)", lambda: json.dumps(
            [asdict(row) for row in analytics.response_rates(
                org=org, group_by="recruiter", date_from=date_from, date_to=date_to, window_days=30)],
            default=str,
        )  # fmt: skip
    client = signed_in_client(org)

    def call():
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    return "GET /api/v1/stats/response-rate/", call


def main() -> None:
    if connection.vendor != "postgresql":
        sys.exit("Run against PostgreSQL (DATABASE_URL).")
    org = Organization.objects.get(slug=ORG)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM messaging_message WHERE organization_id = %s", [org.pk])
        (messages,) = cursor.fetchone()
    print(f"organisation {org.slug}: {messages:,} messages")
    if not SKIP_REBUILD:
        started = time.perf_counter()
        rows = rollups_rebuild(org=org)
        rebuild = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE engagement_responsestat, engagement_responseoutreach")
        verdict = "ok" if rebuild < TARGET_REBUILD_S * messages / 10_000_000 else "OVER (scaled to 10M)"
        print(f"nightly rebuild: {rebuild:.1f} s for {messages:,} messages → {rows:,} roll-up rows "
              f"({ResponseOutreach.objects.for_org(org).count():,} outreach)  "
              f"target < {TARGET_REBUILD_S:.0f} s at 10M [{verdict}]")  # fmt: skip
    now = timezone.now()
    date_to = timezone.localdate(now)
    date_from = date_to - timedelta(days=120)
    print(f"roll-up rows for the organisation: {ResponseStat.objects.for_org(org).count():,} daily, "
          f"{ResponseStatWeek.objects.for_org(org).count():,} weekly")  # fmt: skip

    scans = []
    for _ in range(3):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(SCAN_SQL, {"org": org.pk, "now": now, "since": now - timedelta(days=120)})
            cursor.fetchall()
        scans.append((time.perf_counter() - started) * 1000)
    scan_ms = statistics.median(scans)
    print(f"scan of the messages table (per-recruiter figures, median of 3): {scan_ms:,.0f} ms")

    recruiter_id = Membership.objects.filter(organization=org).values_list("user_id", flat=True).first()
    calls = {
        f"response_rates group_by={group}": lambda group=group: analytics.response_rates(
            org=org, group_by=group, date_from=date_from, date_to=date_to, window_days=30, now=now
        )
        for group in analytics.GROUP_BY
    }
    calls["response_rates group_by=template, one recruiter"] = lambda: analytics.response_rates(
        org=org, group_by="template", date_from=date_from, date_to=date_to, now=now, recruiter_id=recruiter_id
    )
    calls["rate_over_time (weeks)"] = lambda: analytics.rate_over_time(
        org=org, date_from=date_from, date_to=date_to, window_days=30, now=now
    )
    calls["reply_time_distribution"] = lambda: analytics.reply_time_distribution(
        org=org, date_from=date_from, date_to=date_to, window_days=30, now=now
    )
    calls["stage_funnel"] = lambda: analytics.stage_funnel(org=org, date_from=date_from, date_to=date_to)
    calls["live_rate (home card, guard)"] = lambda: analytics.live_rate(org=org, recruiter_id=recruiter_id, now=now)
    calls["dashboard page (all charts, HTML)"] = page_call(org, date_from, date_to)
    label, call = api_call(org, date_from, date_to)
    calls[f"API: {label}"] = call

    print(f"\n{'call':<58} {'p95 ms':>8} {'median':>8} {'scan/p95':>9}  verdict")
    worst = 0.0
    for name, function in calls.items():
        samples = timed(function)
        value = p95(samples)
        worst = max(worst, value)
        ratio = scan_ms / value if value else float("inf")
        ok = value <= TARGET_P95_MS and ratio >= TARGET_RATIO
        print(f"{name:<58} {value:8.1f} {statistics.median(samples):8.1f} {ratio:8.0f}x  {'ok' if ok else 'MISS'}")
    print(f"\nworst p95 {worst:.1f} ms (target {TARGET_P95_MS:.0f} ms); scan {scan_ms:,.0f} ms "
          f"(target: p95 at most scan/{TARGET_RATIO} = {scan_ms / TARGET_RATIO:.0f} ms)")  # fmt: skip


if __name__ == "__main__":
    main()
