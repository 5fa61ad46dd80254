"""Starting the existing people's retention clocks from their history, after the upgrade.

Migration candidates 0017 adds the clock with the upgrade's time for everyone (no table rewrite);
`clocks_start` then sets each clock to the latest of the person's creation, last reply and last
consent, in batches of ids, each batch its own short transaction, so the application keeps
working while it runs and a stopped run simply starts again. A clock that moved since the upgrade
(a reply, a portal visit, a renewal) is newer than the upgrade and left alone. Portal visits before
the upgrade were never recorded: they do not count.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest

from candidates.models import Candidate, ConsentRecord
from candidates.retention.clock import SELF_CONSENT_SOURCES

BATCH = 5000
MIGRATION = ("candidates", "0017_retention")


def upgraded_at() -> datetime:
    """When the clock was added (the migration's record): clocks at or before it were never set."""
    return MigrationRecorder.Migration.objects.get(app=MIGRATION[0], name=MIGRATION[1]).applied


def clocks_start(*, batch: int = BATCH, say: Callable[[str], None] | None = None) -> int:
    """Set the clocks the upgrade started to each person's history; how many rows were updated."""
    upgrade = upgraded_at()
    consent = ConsentRecord.objects.filter(
        candidate=OuterRef("pk"), granted=True, source__in=SELF_CONSENT_SOURCES
    ).order_by("-recorded_at")
    history = Greatest(
        "created_at",
        Coalesce("last_replied_at", "created_at"),
        Coalesce(Subquery(consent.values("recorded_at")[:1]), "created_at"),
    )
    untouched = Candidate.objects.filter(erased_at=None, retention_anchor_at__lte=upgrade)
    updated, last_id = 0, 0
    while True:
        ids = list(untouched.filter(pk__gt=last_id).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return updated
        last_id = ids[-1]
        with transaction.atomic():
            # Only the clocks that change are written: a second run reads, and rewrites nothing.
            changed = Candidate.objects.filter(pk__in=ids, retention_anchor_at__lte=upgrade).alias(history=history)
            updated += changed.exclude(retention_anchor_at=F("history")).update(retention_anchor_at=history)
        if say:
            say(f"{updated:,} clocks started (up to id {last_id})")
