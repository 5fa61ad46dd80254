"""Members with job alerts and the alert pass, for the job-alert tests (made through the real write paths)."""

from __future__ import annotations

from datetime import datetime

from django.core import mail
from django.test import Client

from candidates.models import Candidate
from engagement.circles.community import community_join
from engagement.circles.jobs.alerts.matching import pending_scans_run
from engagement.circles.jobs.alerts.sending import SendResult, job_alerts_send
from engagement.circles.jobs.alerts.services import job_alert_preference_set
from tests.factories import UserFactory

ALL_WORKPLACES = ("onsite", "hybrid", "remote")


def alert_member(
    tenant,
    name: str,
    *,
    frequency: str = "immediately",
    skills: tuple[str, ...] = (),
    locations: tuple[str, ...] = (),
    remote: tuple[str, ...] = ALL_WORKPLACES,
    consent: bool = True,
) -> Candidate:
    """A portal member of the tenant's community with these job alerts (`frequency=None`: no preference)."""
    user = UserFactory(email=f"{name.lower()}@example.com")
    candidate = community_join(
        org=tenant.org, user=user, profile={"first_name": name}, messages_consent=consent, ip_address="10.0.0.1"
    )
    if frequency is not None:
        job_alert_preference_set(
            candidate=candidate, skills=list(skills), locations=list(locations), remote_policies=remote,
            frequency=frequency,
        )  # fmt: skip
    return candidate


def signed_in(candidate: Candidate) -> Client:
    client = Client()
    client.force_login(candidate.user)
    return client


def run(now: datetime) -> SendResult:
    """One periodic pass at `now`: match the openings, then send what is due."""
    pending_scans_run(now=now)
    return job_alerts_send(now=now)


def inbox() -> dict[str, list[str]]:
    """Recipient → the subjects of the e-mails they got, in order."""
    found: dict[str, list[str]] = {}
    for message in mail.outbox:
        for address in message.to:
            found.setdefault(address, []).append(message.subject)
    return found
