"""The one-click renewal: "keep me in your community", from the link in the notice e-mail.

The link (`/c/<org>/stay/<token>/`) carries the organisation, the candidate and the day it was
issued, signed with `django.core.signing` under its own salt; it is valid for RENEWAL_LINK_DAYS.
A GET shows a page with one button and changes nothing (mail scanners follow links); the POST
renews: consent to the community terms is recorded (source "renewal e-mail link"), announced on the
timeline, and the retention clock restarts.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from candidates.consent import consent_record, consent_state
from candidates.models import Candidate, ConsentRecord
from candidates.retention.clock import anchor_touch
from talentcircles import events
from talentcircles.models import Organization

RENEWAL_SALT = "candidates.retention.renewal"
# The notice goes out 30 days before; the link outlives that a little (a late reader is still kept).
RENEWAL_LINK_DAYS = 45


class RenewalLinkError(Exception):
    """The link cannot renew: `expired` says whether it was once valid (the page says so)."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.message, self.expired = message, expired


def renewal_token(candidate: Candidate, *, now: datetime | None = None) -> str:
    issued = int((now or timezone.now()).timestamp())
    return signing.dumps([candidate.organization_id, candidate.pk, issued], salt=RENEWAL_SALT)


def renewal_url(candidate: Candidate, *, now: datetime | None = None) -> str:
    path = reverse("retention_renew", args=[candidate.organization.slug, renewal_token(candidate, now=now)])
    return settings.SITE_URL + path


def renewal_candidate(*, org: Organization, token: str, now: datetime | None = None) -> Candidate:
    """The candidate the link names, in `org`. Candidate.DoesNotExist for a link that is not one of
    this organisation's (tampered, another organisation's); RenewalLinkError when it expired or the
    person's data is gone."""
    try:
        org_id, candidate_id, issued = signing.loads(token, salt=RENEWAL_SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise Candidate.DoesNotExist from None
    if org_id != org.pk:
        raise Candidate.DoesNotExist
    candidate = Candidate.objects.for_org(org).select_related("organization").get(pk=candidate_id)
    if candidate.erased_at is not None:
        raise RenewalLinkError("This person's data has already been removed from the community.")
    age = (now or timezone.now()) - datetime.fromtimestamp(issued, tz=UTC)
    if age > timedelta(days=RENEWAL_LINK_DAYS):
        raise RenewalLinkError("This link has expired.", expired=True)
    return candidate


@transaction.atomic
def retention_renew(*, candidate: Candidate, ip_address: str | None = None, now: datetime | None = None) -> None:
    """The person asked to stay: consent recorded and announced, the retention clock restarted."""
    now = now or timezone.now()
    purpose = ConsentRecord.Purpose.COMMUNITY_TERMS
    already = consent_state(candidate, purpose) is True
    record = consent_record(
        candidate=candidate, purpose=purpose, granted=True, source=ConsentRecord.Source.RENEWAL_LINK,
        ip_address=ip_address,
    )  # fmt: skip
    if already:  # consent_record announces changes only; a renewal is worth a line on the timeline too
        events.emit(
            events.CandidateEvent(
                organization_id=candidate.organization_id,
                candidate_id=candidate.pk,
                kind=events.CONSENT_CHANGED,
                occurred_at=now,
                actor_id=candidate.user_id,
                related={"consent_record_id": record.pk},
                details={"purpose": purpose, "granted": True, "source": record.source, "renewal": True},
            )
        )
    anchor_touch(candidate_id=candidate.pk, at=now)
    candidate.retention_anchor_at = max(candidate.retention_anchor_at, now)
