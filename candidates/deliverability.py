"""Whether a candidate's address takes our mail: hard and soft bounces, and spam complaints.

A hard bounce (no such mailbox, no such domain) makes the address undeliverable and suppressed at
once (`candidates.privacy.candidate_mark_undeliverable`). Soft bounces (a full mailbox, a server
that is down) are counted in a row on the candidate; at `settings.SOFT_BOUNCE_LIMIT` the address is
treated the same way. Any sign the mail got through (a delivery notice, a reply) starts the count
again. A spam complaint is the strongest opt-out: unsubscribed from all mail and suppressed for good.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from candidates.models import Candidate, ConsentRecord, DigestFrequency, Suppression
from candidates.privacy import candidate_mark_undeliverable, candidate_unsubscribe, suppression_hash

DEFAULT_SOFT_BOUNCE_LIMIT = 3


def soft_bounce_limit() -> int:
    """Soft bounces in a row after which an address counts as undeliverable (SOFT_BOUNCE_LIMIT, at least 1)."""
    return max(int(getattr(settings, "SOFT_BOUNCE_LIMIT", DEFAULT_SOFT_BOUNCE_LIMIT) or 0), 1)


@dataclass(frozen=True)
class BounceOutcome:
    """What a bounce did to the candidate's address."""

    hard: bool
    soft_bounces: int  # in a row, this one included (0 for a hard bounce)
    limit: int
    undeliverable: bool  # the address is now undeliverable (this bounce or an earlier one made it so)
    newly_undeliverable: bool  # this bounce made it so


@transaction.atomic
def candidate_record_bounce(*, candidate: Candidate, hard: bool) -> BounceOutcome:
    """Count a bounce of mail to the candidate's current address: hard at once, soft at the limit.

    The count is one conditional UPDATE, so two bounces handled at once both count.
    """
    limit = soft_bounce_limit()
    if hard:
        newly = candidate_mark_undeliverable(candidate=candidate)
        Candidate.objects.filter(pk=candidate.pk).exclude(soft_bounces=0).update(soft_bounces=0)
        return BounceOutcome(hard=True, soft_bounces=0, limit=limit, undeliverable=True, newly_undeliverable=newly)
    Candidate.objects.filter(pk=candidate.pk).update(soft_bounces=F("soft_bounces") + 1, updated_at=timezone.now())
    count, undeliverable = Candidate.objects.values_list("soft_bounces", "email_undeliverable").get(pk=candidate.pk)
    candidate.soft_bounces = count
    newly = False
    if count >= limit and not undeliverable:
        newly = candidate_mark_undeliverable(candidate=candidate)
        undeliverable = True
    return BounceOutcome(
        hard=False, soft_bounces=count, limit=limit, undeliverable=undeliverable, newly_undeliverable=newly
    )


def candidate_reset_soft_bounces(*, candidate_id: int) -> bool:
    """Mail got through (a delivery notice, a reply): the soft bounces in a row start again. True if reset."""
    return bool(Candidate.objects.filter(pk=candidate_id).exclude(soft_bounces=0).update(soft_bounces=0))


@transaction.atomic
def candidate_complained(*, candidate: Candidate) -> bool:
    """The candidate reported our mail as spam: unsubscribed from all mail and suppressed for good.

    "Receive messages again" lifts an unsubscribe but not this suppression. Returns True the first
    time (False when they had already complained). Emits UNSUBSCRIBED when they were subscribed.
    """
    candidate_unsubscribe(candidate=candidate, source=ConsentRecord.Source.SPAM_COMPLAINT)
    # Community mail (circle digests) too, explicitly: the unsubscribe already blocks it.
    Candidate.objects.filter(pk=candidate.pk).exclude(digest_frequency=DigestFrequency.NEVER).update(
        digest_frequency=DigestFrequency.NEVER
    )
    if not candidate.email:
        return True
    key = {"organization_id": candidate.organization_id, "email_hash": suppression_hash(candidate.email)}
    existing = Suppression.objects.select_for_update().filter(**key).first()
    if existing is None:
        Suppression.objects.create(**key, reason=Suppression.Reason.COMPLAINED)
        return True
    if existing.reason in (Suppression.Reason.COMPLAINED, Suppression.Reason.ERASED):
        return False
    existing.reason = Suppression.Reason.COMPLAINED
    existing.save(update_fields=["reason"])
    return True
