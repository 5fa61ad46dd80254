"""The daily anonymisation: every person whose clock ran out, through the erasure service.

One RetentionRun row per organisation and pass records what was due, done, skipped and failed.
People are taken in batches by id; each is erased in its own transaction after being read again
under a row lock, so a reply that arrives meanwhile (the clock restarts) or an admin's exclusion
keeps them. A pass that stops half-way (a deploy, a killed worker) leaves the rest due, and the next
pass takes them: the run is resumable by construction. A dry run counts and lists, and changes no
candidate.

Erasure keeps what it keeps for everyone (candidates/privacy.py): the anonymous row (stage,
source, dates), the conversations a recruiter started without a word or address (the response-rate
roll-ups stay correct), anonymous event attendance, and a hash on the suppression list.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from candidates.models import ConsentRecord
from candidates.privacy import candidate_erase
from candidates.retention import clock
from candidates.retention.models import RetentionRun
from talentcircles.models import Organization

logger = logging.getLogger(__name__)

BATCH = 200
MAX_ERROR_DETAILS = 50

Progress = Callable[[int, str], None]  # (candidate id, "anonymised" / "would anonymise" / "skipped" / "error")


def _erase_if_still_due(org: Organization, day, candidate_id: int) -> bool:
    with transaction.atomic():
        candidate = clock.due_on(org, day).select_for_update(of=("self",)).filter(pk=candidate_id).first()
        if candidate is None:
            return False
        candidate_erase(candidate=candidate, source=ConsentRecord.Source.RETENTION)
        return True


def _record_error(run: RetentionRun, candidate_id: int, exc: Exception) -> None:
    logger.exception("Retention: candidate %s of organisation %s not anonymised", candidate_id, run.organization_id)
    run.errors += 1
    if len(run.error_details) < MAX_ERROR_DETAILS:
        # No message text: an exception may quote the person's data.
        run.error_details.append({"candidate_id": candidate_id, "error": type(exc).__name__})


def retention_apply(
    *,
    org: Organization,
    now: datetime | None = None,
    dry_run: bool = False,
    triggered_by: str = "schedule",
    progress: Progress | None = None,
) -> RetentionRun:
    """Anonymise (or, dry, list) the organisation's people due today; the run's record, finished."""
    now = now or timezone.now()
    day = clock.today(now)
    due = clock.due_on(org, day)
    run = RetentionRun.objects.create(
        organization=org,
        dry_run=dry_run,
        started_at=now,
        cutoff=clock.anchor_limit(org, day),
        due=due.count(),
        triggered_by=triggered_by,
    )
    last_id = 0
    while True:
        ids = list(due.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        last_id = ids[-1]
        for candidate_id in ids:
            outcome = "would anonymise" if dry_run else _apply_one(org, day, run, candidate_id)
            if progress:
                progress(candidate_id, outcome)
        if not dry_run:
            run.save(update_fields=["anonymised", "skipped", "errors", "error_details"])  # progress, if it stops
    run.finished_at = timezone.now()
    run.save(update_fields=["anonymised", "skipped", "errors", "error_details", "finished_at"])
    return run


def _apply_one(org: Organization, day, run: RetentionRun, candidate_id: int) -> str:
    try:
        erased = _erase_if_still_due(org, day, candidate_id)
    except Exception as exc:  # one person's failure must not stop the others'; recorded on the run
        _record_error(run, candidate_id, exc)
        return "error"
    if erased:
        run.anonymised += 1
        return "anonymised"
    run.skipped += 1
    return "skipped"


def retention_apply_all(*, now: datetime | None = None) -> list[RetentionRun]:
    """The daily pass over every organisation whose policy is on."""
    return [retention_apply(org=org, now=now) for org in Organization.objects.filter(retention_enabled=True)]
