"""What the pages read: one candidate's likely twins, and a page of the organisation's pairs.

Both read `DuplicatePair` (kept current in the background), never compute pairs per request.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from candidates.duplicates.models import DuplicatePair
from candidates.models import Candidate
from talentcircles.models import Organization


def duplicates_of(candidate: Candidate, *, limit: int = 5) -> list[Candidate]:
    """The candidates stored as likely the same person as `candidate`, strongest first: one query."""
    pairs = (
        DuplicatePair.objects.for_org(candidate.organization_id)
        .filter(Q(candidate_a=candidate.pk) | Q(candidate_b=candidate.pk))
        .select_related("candidate_a", "candidate_b")
        .order_by("-score", "candidate_a_id", "candidate_b_id")[:limit]
    )
    return [pair.candidate_b if pair.candidate_a_id == candidate.pk else pair.candidate_a for pair in pairs]


def duplicate_pair_list(*, org: Organization) -> QuerySet[DuplicatePair]:
    """The organisation's pairs, strongest (most signals) then newest first, both candidates and their
    owners joined: a page of it is one query (plus the paginator's count)."""
    return (
        DuplicatePair.objects.for_org(org)
        .select_related("candidate_a__owner", "candidate_b__owner")
        .order_by("-score", "-candidate_b_id", "-candidate_a_id")
    )
