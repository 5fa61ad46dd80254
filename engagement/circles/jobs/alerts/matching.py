"""Which members an opening matches, and the scans that write their due alerts.

A member's alert matches a job when all three hold:
- **remote policy**: the job's (on site, hybrid, remote) is one the member accepts;
- **skills**: the member listed none, or at least one of theirs is among the job's (case-blind);
- **place**: the job is remote (and the member accepts remote work), or the member listed no place,
  or one of their places names one of the job's: "Berlin" matches "Berlin, Germany" and "Germany"
  does too (each comma-separated part counts), case- and accent-blind.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from candidates.models import Candidate, DigestFrequency
from engagement.circles.jobs.alerts.models import AlertFrequency, JobAlert, JobAlertPreference, JobAlertScan
from engagement.circles.jobs.models import Job
from messaging.policy import community_recipients

BATCH = 1000


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


def _places(locations: Iterable[str]) -> set[str]:
    """Each location whole and each of its comma-separated parts, folded."""
    found: set[str] = set()
    for location in locations:
        found.add(_fold(location))
        found.update(_fold(part) for part in str(location).split(","))
    return found - {""}


def alert_matches(*, skills: list[str], locations: list[str], remote_policies: list[str], job: Job) -> bool:
    """Whether a member's alert (its skills, places and acceptable remote policies) matches the job."""
    if job.remote_policy not in remote_policies:
        return False
    if skills and not ({_fold(s) for s in skills} & {_fold(s) for s in job.skills}):
        return False
    if job.remote_policy == Job.RemotePolicy.REMOTE or not locations:
        return True
    return bool(_places(locations) & _places(job.locations))


def alert_subscribers(job: Job):
    """The organisation's members who want alerts and whom community mail may reach now (the contact policy's
    hard blocks; it is asked again when the e-mail is built)."""
    reachable = community_recipients(Candidate.objects.filter(organization_id=job.organization_id))
    return (
        JobAlertPreference.objects.filter(organization_id=job.organization_id, candidate__in=reachable)
        .exclude(frequency=AlertFrequency.NEVER)
        .exclude(Q(frequency=AlertFrequency.WITH_DIGEST) & Q(candidate__digest_frequency=DigestFrequency.NEVER))
        .order_by("candidate_id")
    )


def job_alerts_match(*, job: Job, now: datetime) -> int:
    """Write a due alert for every member the open job matches (never a second one for a member and job);
    returns how many matched."""
    rows = alert_subscribers(job).values_list("candidate_id", "skills", "locations", "remote_policies")
    matched: list[JobAlert] = []
    count = 0
    for candidate_id, skills, locations, policies in rows.iterator(chunk_size=2000):
        if alert_matches(skills=skills, locations=locations, remote_policies=policies, job=job):
            matched.append(
                JobAlert(organization_id=job.organization_id, candidate_id=candidate_id, job=job, created_at=now)
            )
        if len(matched) >= BATCH:
            count += _write(matched)
            matched = []
    return count + _write(matched)


def _write(alerts: list[JobAlert]) -> int:
    # ignore_conflicts: a member already alerted about this job (an earlier opening) is not alerted again.
    JobAlert.objects.bulk_create(alerts, ignore_conflicts=True)
    return len(alerts)


def job_alert_scan_run(*, scan_id: int, now: datetime | None = None) -> int | None:
    """Match the scan's job once (None when another run has it or it is done); returns how many matched.

    PostgreSQL: the scan row is locked with SKIP LOCKED, so a second run passes it by. SQLite (one
    writer at a time): a second run may match again, harmlessly (the alerts' unique key), and only
    the first marks the scan done.
    """
    now = now or timezone.now()
    with transaction.atomic():
        scans = JobAlertScan.objects.filter(pk=scan_id, status=JobAlertScan.Status.PENDING).select_related("job")
        if connection.vendor == "postgresql":
            scans = scans.select_for_update(skip_locked=True, of=("self",))
        scan = scans.first()
        if scan is None:
            return None
        # A job closed (or reopened later) since: only the opening that is still current is matched.
        current = scan.job.status == Job.Status.OPEN and scan.job.opened_at == scan.opened_at
        matched = job_alerts_match(job=scan.job, now=now) if current else 0
        JobAlertScan.objects.filter(pk=scan.pk, status=JobAlertScan.Status.PENDING).update(
            status=JobAlertScan.Status.DONE, matched=matched, finished_at=now
        )
    return matched


def pending_scans_run(*, now: datetime | None = None, limit: int = 50) -> int:
    """Run the scans still pending (their task lost, or not yet taken); returns how many this run did."""
    ids = list(
        JobAlertScan.objects.filter(status=JobAlertScan.Status.PENDING)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in ids if job_alert_scan_run(scan_id=pk, now=now) is not None)
