"""Retention's writes from the admin's pages: the policy, and the people kept on purpose."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate
from candidates.retention.models import RetentionExclusion
from talentcircles.models import Organization, User
from talentcircles.services import organization_update


@transaction.atomic
def retention_policy_update(*, org: Organization, enabled: bool, months: int) -> Organization:
    """Change the policy. Switching it on, or shortening the period, starts 30 days' notice for everyone."""
    tightened = (enabled and not org.retention_enabled) or (enabled and months < org.retention_months)
    organization_update(org=org, retention_enabled=enabled, retention_months=months)
    if tightened:
        org.retention_notice_from = timezone.now()
        org.save(update_fields=["retention_notice_from"])
    return org


@transaction.atomic
def retention_exclusion_set(*, org: Organization, candidate_id: int, reason: str, by: User) -> RetentionExclusion:
    """Keep this person whatever the policy says (or change the reason); DoesNotExist outside `org`."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": ["Say why this person is kept."]})
    candidate = Candidate.objects.for_org(org).filter(erased_at=None).get(pk=candidate_id)
    exclusion, _ = RetentionExclusion.objects.update_or_create(
        candidate=candidate, defaults={"organization": org, "reason": reason[:300], "created_by": by}
    )
    return exclusion


@transaction.atomic
def retention_exclusion_remove(*, org: Organization, candidate_id: int) -> None:
    """The policy applies to this person again (their clock is unchanged); DoesNotExist when not excluded."""
    RetentionExclusion.objects.for_org(org).get(candidate_id=candidate_id).delete()
