"""Job alerts' part of a person's data rights: their "my data" section and erasure.

Registered from `EngagementConfig.ready()`: the section with `candidates.privacy.register_data_section`,
the erasure as a handler of ERASED events (inside the erasure's transaction).
"""

from __future__ import annotations

from candidates.models import Candidate
from engagement.circles.jobs.alerts.models import JobAlert, JobAlertEmail, JobAlertPreference
from talentcircles import events


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def job_alerts_data(candidate: Candidate) -> dict:
    """The alert preference and which jobs were e-mailed to the person, when."""
    preference = JobAlertPreference.objects.filter(candidate=candidate).first()
    return {
        "preference": None
        if preference is None
        else {
            "skills": preference.skills,
            "locations": preference.locations,
            "remote_policies": preference.remote_policies,
            "frequency": preference.frequency,
            "updated_at": _iso(preference.updated_at),
        },
        "emailed_jobs": [
            {"job": title, "sent_at": _iso(created_at)}
            for title, created_at in JobAlert.objects.filter(candidate=candidate, status=JobAlert.Status.EMAILED)
            .order_by("settled_at", "pk")
            .values_list("job__title", "settled_at")
        ],
    }


def erase_job_alert_data(candidate_id: int) -> None:
    """The preference (skills and places they look for), their alerts and the record of e-mails go."""
    JobAlert.objects.filter(candidate_id=candidate_id).delete()
    JobAlertEmail.objects.filter(candidate_id=candidate_id).delete()
    JobAlertPreference.objects.filter(candidate_id=candidate_id).delete()


def on_erased(event: events.CandidateEvent) -> None:
    erase_job_alert_data(event.candidate_id)
