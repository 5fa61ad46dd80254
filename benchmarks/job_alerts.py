"""Job alerts at scale: matching an opening against many members' alerts, then the sending pass.

Prints figures; it is not a timed test. Uses DATABASE_URL (PostgreSQL for meaningful figures) and
Django's in-memory e-mail backend. Creates its own organisation with BENCH_ALERT_MEMBERS (default
3,000) members with job alerts (a third match the job's skill, a third list another skill, a third
list none; every second one lists a place), opens one job and times the scan, then times one sending
pass (every matching member is due "immediately") and counts its SQL statements per e-mail. The
organisation is removed when done.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from candidates.models import Candidate, ConsentRecord  # noqa: E402
from engagement.circles.jobs.alerts.matching import job_alert_scan_run  # noqa: E402
from engagement.circles.jobs.alerts.models import JobAlert, JobAlertPreference, JobAlertScan  # noqa: E402
from engagement.circles.jobs.alerts.sending import job_alerts_send  # noqa: E402
from engagement.circles.jobs.services import job_create, job_open  # noqa: E402
from talentcircles.models import Organization  # noqa: E402

MEMBERS = int(os.environ.get("BENCH_ALERT_MEMBERS", "3000"))
SKILLS = (["Python"], ["Haskell"], [])


def seed(org: Organization) -> None:
    now = timezone.now()
    Candidate.objects.bulk_create(
        [Candidate(organization=org, first_name=f"M{n}", email=f"m{n}@bench.example") for n in range(MEMBERS)],
        batch_size=2000,
    )
    ids = list(Candidate.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True))
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(organization=org, candidate_id=pk, purpose="messages", granted=True, source="portal",
                          wording_version="bench", recorded_at=now)
            for pk in ids
        ],
        batch_size=2000,
    )  # fmt: skip
    JobAlertPreference.objects.bulk_create(
        [
            JobAlertPreference(organization=org, candidate_id=pk, skills=SKILLS[n % 3],
                               locations=["Berlin"] if n % 2 else [], frequency="immediately")
            for n, pk in enumerate(ids)
        ],
        batch_size=2000,
    )  # fmt: skip


def main() -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    Organization.objects.filter(slug="bench-job-alerts").delete()
    org = Organization.objects.create(name="Bench job alerts", slug="bench-job-alerts")
    try:
        started = time.perf_counter()
        seed(org)
        print(
            f"{connection.vendor}: seeded {MEMBERS:,} members with job alerts in {time.perf_counter() - started:.1f} s"
        )
        job = job_create(
            org=org, actor=None,
            data={"title": "Backend Engineer", "description": "Python.", "locations": ["Berlin, Germany"],
                  "skills": ["Python", "Django"]},
        )  # fmt: skip
        job_open(job=job)
        scan = JobAlertScan.objects.get(job=job)
        started = time.perf_counter()
        matched = job_alert_scan_run(scan_id=scan.pk)
        print(f"scan: {matched:,} of {MEMBERS:,} members matched in {time.perf_counter() - started:.2f} s")
        statements = [0]

        def count(execute, sql, params, many, context):
            statements[0] += 1
            return execute(sql, params, many, context)

        started, cpu = time.perf_counter(), time.process_time()
        with connection.execute_wrapper(count):
            result = job_alerts_send()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"send: {result.emails:,} e-mails in {elapsed:.2f} s ({result.emails / elapsed:.0f}/s; this process's "
            f"CPU {cpu:.2f} s, {1000 * cpu / max(result.emails, 1):.1f} ms per e-mail), "
            f"{statements[0] / max(result.emails, 1):.1f} SQL statements per e-mail"
        )
        assert JobAlert.objects.filter(job=job, status="pending").count() == 0
    finally:
        Organization.objects.filter(pk=org.pk).delete()


if __name__ == "__main__":
    main()
