"""Consent: recorded with its wording version, time, source and IP; withdrawn as easily as given."""

from __future__ import annotations

from django.db import transaction
from django.db.models import OuterRef, Subquery

from candidates.models import Candidate, ConsentRecord
from talentcircles import events
from talentcircles.models import User

# The wording a person agreed to is identified by these versions; change the version
# whenever the text in templates/portal/consent_*.html changes.
WORDING_VERSIONS: dict[str, str] = {
    ConsentRecord.Purpose.COMMUNITY_TERMS: "terms-2026-11",
    ConsentRecord.Purpose.MESSAGES: "messages-2026-11",
}


@transaction.atomic
def consent_record(
    *,
    candidate: Candidate,
    purpose: str,
    granted: bool,
    source: str,
    wording_version: str = "",
    ip_address: str | None = None,
    actor: User | None = None,
) -> ConsentRecord:
    """Record a consent given or withdrawn; a change is announced to the timeline."""
    previous = consent_state(candidate, purpose)
    record = ConsentRecord.objects.create(
        organization_id=candidate.organization_id,
        candidate=candidate,
        purpose=purpose,
        granted=granted,
        wording_version=wording_version or WORDING_VERSIONS[purpose],
        source=source,
        ip_address=ip_address,
    )
    if previous != granted:
        events.emit(
            events.CandidateEvent(
                organization_id=candidate.organization_id,
                candidate_id=candidate.pk,
                kind=events.CONSENT_CHANGED,
                actor_id=actor.pk if actor else None,
                related={"consent_record_id": record.pk},
                details={"purpose": purpose, "granted": granted, "source": source},
            )
        )
    return record


def consent_set(
    *,
    candidate: Candidate,
    purpose: str,
    granted: bool,
    source: str,
    ip_address: str | None = None,
    actor: User | None = None,
) -> ConsentRecord | None:
    """Record `granted` for `purpose` unless it already is the current answer (clicking twice records once)."""
    if consent_state(candidate, purpose) is granted:
        return None
    return consent_record(
        candidate=candidate, purpose=purpose, granted=granted, source=source, ip_address=ip_address, actor=actor
    )


def consent_state(candidate: Candidate, purpose: str) -> bool | None:
    """The latest answer for `purpose`: True, False, or None when never asked."""
    latest = candidate.consents.filter(purpose=purpose).order_by("-recorded_at", "-id").first()
    return latest.granted if latest else None


def with_message_consent(candidates):
    """Annotate `consents_to_messages` (True/False/None) on a candidate queryset in one query."""
    latest = ConsentRecord.objects.filter(candidate=OuterRef("pk"), purpose=ConsentRecord.Purpose.MESSAGES).order_by(
        "-recorded_at", "-id"
    )
    return candidates.annotate(consents_to_messages=Subquery(latest.values("granted")[:1]))
