"""One-click unsubscribe from job alerts, without signing in (RFC 8058), and the stop it performs.

The link (`/c/<org>/job-alerts/unsubscribe/<token>/`) is signed like the community's links
(`messaging.links.ids_token`, a salt of its own so no other kind of token is accepted here; no
expiry). A POST turns job alerts off (frequency "never"); a GET only asks, because link scanners
follow links. Recruiting messages and the community digest are not affected; the digest's "stop all
community e-mails" stops job alerts too (engagement/circles/unsubscribe.py calls `job_alerts_stop`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from engagement.circles.jobs.alerts.models import AlertFrequency, JobAlert, JobAlertPreference
from engagement.timeline.models import Activity
from engagement.timeline.services import activity_record
from messaging import links
from talentcircles.models import Organization

SALT = "engagement.circles.jobs.alerts.unsubscribe"


def job_alerts_unsubscribe_token(candidate: Candidate) -> str:
    return links.ids_token(SALT, candidate.organization_id, candidate.pk)


def job_alerts_unsubscribe_url(candidate: Candidate) -> str:
    """Absolute: for the e-mail's footer and its List-Unsubscribe header."""
    token = job_alerts_unsubscribe_token(candidate)
    return settings.SITE_URL + reverse("job_alerts_unsubscribe", args=[candidate.organization.slug, token])


def candidate_for_token(org: Organization, token: str) -> Candidate | None:
    """The candidate of this organisation the token names, or None when it is not valid here."""
    ids = links.ids_from_token(SALT, token, 2)
    if ids is None or ids[0] != org.pk:
        return None
    return links.candidate_by_ids(org.pk, ids[1])


def job_alerts_on(candidate: Candidate) -> bool:
    return JobAlertPreference.objects.filter(candidate=candidate).exclude(frequency=AlertFrequency.NEVER).exists()


@transaction.atomic
def job_alerts_stop(*, candidate: Candidate, summary: str = "Stopped job alerts (one-click link)") -> bool:
    """Turn the candidate's job alerts off and drop the due ones; True when this changed it (then recorded
    once on the timeline: a repeated click changes nothing)."""
    now = timezone.now()
    changed = (
        JobAlertPreference.objects.filter(candidate=candidate)
        .exclude(frequency=AlertFrequency.NEVER)
        .update(frequency=AlertFrequency.NEVER, updated_at=now)
    )
    JobAlert.objects.filter(candidate=candidate, status=JobAlert.Status.PENDING).update(
        status=JobAlert.Status.DROPPED, drop_reason=JobAlert.DropReason.ALERTS_OFF, settled_at=now
    )
    if changed:
        activity_record(
            organization_id=candidate.organization_id,
            candidate_id=candidate.pk,
            kind=Activity.Kind.COMMUNITY_OPT_OUT,
            summary=summary,
            actor_id=candidate.user_id,
            details={"scope": "job_alerts"},
        )
    return bool(changed)
