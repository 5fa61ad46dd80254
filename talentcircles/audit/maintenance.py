"""The only ways entries change or go: the retention purge and the redaction of an erased person.

Both run inside `maintenance()`, which the database trigger recognises: on PostgreSQL a setting
local to the transaction (`SET LOCAL talentcircles.audit_maintenance = 'on'`), on SQLite a row in
`talentcircles_audit_maintenance` that only this transaction can see before it commits. Either is
switched off again at the end of the block (or undone with it when the block fails), so the rest
of an enclosing transaction is held to the rule as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from talentcircles.audit.models import AuditEntry
from talentcircles.audit.recording import record

REDACTED = "[erased]"
PURGE_BATCH = 5000


@contextmanager
def maintenance() -> Iterator[None]:
    """A block in which the trigger lets UPDATE and DELETE of audit entries through (one transaction)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL talentcircles.audit_maintenance = 'on'")
            yield
            cursor.execute("SET LOCAL talentcircles.audit_maintenance = 'off'")
        else:
            cursor.execute("INSERT INTO talentcircles_audit_maintenance DEFAULT VALUES")
            flag = cursor.lastrowid
            yield
            cursor.execute("DELETE FROM talentcircles_audit_maintenance WHERE id = %s", [flag])


def redact_candidate(*, organization_id: int, candidate_id: int) -> int:
    """Blank the values in the entries about this candidate, keeping the facts; how many were changed.

    Field changes keep their field names (what was changed, when, by whom) with both values replaced
    by REDACTED; the address and browser of entries the person made themselves (portal) are dropped.
    """
    entries = AuditEntry.objects.for_org(organization_id).about_candidate(candidate_id)
    changed = 0
    with maintenance():
        for entry in entries.only("pk", "changes").iterator():
            redacted = {name: [REDACTED, REDACTED] for name in entry.changes}
            if entry.changes and redacted != entry.changes:
                changed += AuditEntry.objects.filter(pk=entry.pk).maintenance_update(changes=redacted)
        entries.filter(actor_kind=AuditEntry.ActorKind.CANDIDATE).maintenance_update(ip_address=None, user_agent="")
    return changed


def record_erasure(*, candidate: Any, actor: Any, source: str) -> AuditEntry:
    """The erasure of `candidate`'s personal data: their entries redacted, the erasure itself recorded.

    The person erasing their own data in the portal is recorded as the candidate, not as a member.
    """
    redact_candidate(organization_id=candidate.organization_id, candidate_id=candidate.pk)
    by_self = actor is not None and actor.pk == candidate.user_id
    return record(
        actor,
        candidate.organization_id,
        AuditEntry.Action.ERASED,
        target=candidate,
        details={"source": source},
        actor_kind=AuditEntry.ActorKind.CANDIDATE if by_self else None,
    )


def purge_expired(*, now: datetime | None = None, batch: int = PURGE_BATCH) -> int:
    """Delete entries older than AUDIT_RETENTION_DAYS (0: keep them all), oldest first, in batches."""
    days = settings.AUDIT_RETENTION_DAYS
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - timedelta(days=days)
    removed = 0
    while True:
        # Each batch in its own short transaction: a long purge never holds many locks for long.
        ids = list(
            AuditEntry.objects.filter(created_at__lt=cutoff).order_by("created_at").values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return removed
        with maintenance():
            removed += AuditEntry.objects.filter(pk__in=ids).maintenance_delete()
