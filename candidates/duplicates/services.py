"""Keeping the stored duplicate pairs current, and "not a duplicate".

Writes that change a matching field (create, import, edit, merge) call `queue_refresh`, which
publishes `duplicates_refresh_task` once the transaction commits. Publishing is best effort: a
broker that is down is logged, never an error for the request, and the nightly rebuild of every
organisation's pairs catches up. Erasure calls `duplicates_forget` in its own transaction;
deleting a candidate (a merge, a delete) deletes its pairs with it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from candidates.duplicates import matching, rebuild
from candidates.duplicates.models import DuplicateDismissal, DuplicatePair
from candidates.models import Candidate
from talentcircles.models import Organization, User

log = logging.getLogger(__name__)

# Candidate ids per refresh task: an import queues one task per this many of its rows.
REFRESH_BATCH = 500
_LOADED_FIELDS = ("organization_id", "search_name", "current_company", "city", "email", "phone", "erased_at")

Pairs = dict[tuple[int, int], list[str]]


def queue_refresh(org_id: int, candidate_ids: Iterable[int]) -> None:
    """Recompute these candidates' pairs once the transaction commits (best effort, see the module)."""
    ids = list(dict.fromkeys(candidate_ids))
    if ids:
        transaction.on_commit(lambda: _publish(org_id, ids))


def _publish(org_id: int, ids: list[int]) -> None:
    from candidates.tasks import duplicates_refresh_task  # tasks import this module

    for start in range(0, len(ids), REFRESH_BATCH):
        batch = ids[start : start + REFRESH_BATCH]
        if duplicates_refresh_task.app.conf.task_always_eager:
            duplicates_refresh_task.apply_async((org_id, batch))  # run here (tests): its errors are the task's
            continue
        try:
            duplicates_refresh_task.apply_async((org_id, batch), retry=False)
        except Exception:  # the broker is unreachable: the nightly rebuild catches up
            log.warning("duplicates of %s candidate(s) not queued; the nightly rebuild will", len(ids) - start)
            return


def _dismissed(org_id: int, touching: Q) -> set[tuple[int, int]]:
    rows = DuplicateDismissal.objects.for_org(org_id).filter(touching)
    return set(rows.values_list("candidate_a_id", "candidate_b_id"))


def _touching(ids: list[int]) -> Q:
    return Q(candidate_a__in=ids) | Q(candidate_b__in=ids)


def _store(org_id: int, pairs: Pairs) -> int:
    now = timezone.now()
    rows = [
        DuplicatePair(
            organization_id=org_id, candidate_a_id=a, candidate_b_id=b, score=len(reasons), reasons=reasons,
            computed_at=now,
        )
        for (a, b), reasons in sorted(pairs.items())  # in key order, so concurrent writers cannot deadlock
    ]  # fmt: skip
    # Another refresh may store the same pair meanwhile (both sides changed): the later one wins.
    DuplicatePair.objects.bulk_create(
        rows,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["candidate_a", "candidate_b"],
        update_fields=["score", "reasons", "computed_at"],
    )
    return len(rows)


@transaction.atomic
def duplicates_refresh(*, org_id: int, candidate_ids: list[int]) -> int:
    """Recompute the pairs of these candidates of the organisation; returns how many pairs they are in.

    Candidates gone from the organisation are skipped (their pairs went with them); erased ones lose theirs.
    Dismissed pairs are not stored again.
    """
    candidates = list(Candidate.objects.for_org(org_id).filter(pk__in=candidate_ids).only(*_LOADED_FIELDS))
    found: Pairs = {}
    with matching.similar_names_only():
        for candidate in candidates:
            for other_id, reasons in matching.twins_of(candidate).items():
                found[(min(candidate.pk, other_id), max(candidate.pk, other_id))] = reasons
    ids = [candidate.pk for candidate in candidates]
    for pair in _dismissed(org_id, _touching(ids)):
        found.pop(pair, None)
    DuplicatePair.objects.for_org(org_id).filter(_touching(ids)).delete()
    return _store(org_id, found)


@transaction.atomic
def duplicates_rebuild(*, org: Organization) -> int:
    """Recompute every pair of the organisation (existing data, the nightly catch-up); returns the count."""
    if connection.vendor == "postgresql":
        return rebuild.rebuild_postgresql(org)
    found = matching.organisation_pairs(org)
    for pair in _dismissed(org.pk, Q()):
        found.pop(pair, None)
    DuplicatePair.objects.for_org(org).delete()
    return _store(org.pk, found)


def duplicates_forget(*, candidate: Candidate) -> None:
    """Delete the candidate's pairs and dismissals (erasure: the row stays, anonymous, and matches nothing)."""
    touching = _touching([candidate.pk])
    DuplicatePair.objects.for_org(candidate.organization_id).filter(touching).delete()
    DuplicateDismissal.objects.for_org(candidate.organization_id).filter(touching).delete()


@transaction.atomic
def duplicate_dismiss(*, org: Organization, first_id: int, second_id: int, actor: User | None) -> DuplicateDismissal:
    """Remember that the two candidates are not the same person and stop showing their pair.

    Raises Candidate.DoesNotExist unless both are candidates of `org` (and two different ones).
    Dismissing a pair twice keeps the first decision.
    """
    a_id, b_id = sorted((first_id, second_id))
    if a_id == b_id or Candidate.objects.for_org(org).filter(pk__in=[a_id, b_id]).count() != 2:
        raise Candidate.DoesNotExist("Both candidates must belong to the organisation.")
    dismissal, _created = DuplicateDismissal.objects.get_or_create(
        candidate_a_id=a_id, candidate_b_id=b_id, defaults={"organization": org, "dismissed_by": actor}
    )
    DuplicatePair.objects.for_org(org).filter(candidate_a_id=a_id, candidate_b_id=b_id).delete()
    return dismissal
