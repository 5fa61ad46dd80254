"""Reading the audit trail: the admin page's filtered, keyset-paginated list and its CSV export."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import timezone

from talentcircles.audit.models import AuditEntry

if TYPE_CHECKING:
    from talentcircles.models import Organization, User

PAGE_SIZE = 50
COUNT_CAP = 10_000


@dataclass(frozen=True)
class AuditFilters:
    actor: User | None = None
    action: str = ""
    candidate_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive, in the organisation's time zone like date_from


@dataclass(frozen=True)
class Cursor:
    """Where a page ends: the last entry's (created_at, id), newest first."""

    created_at: datetime
    id: int

    def encode(self) -> str:
        # In UTC with a "Z": no "+" that a hand-built query string would turn into a space.
        stamp = self.created_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return f"{stamp}_{self.id}"

    @classmethod
    def decode(cls, value: str) -> Cursor | None:
        """The cursor in a `before` parameter, or None (the first page) for anything unreadable."""
        stamp, _, pk = value.rpartition("_")
        try:
            created_at = datetime.fromisoformat(stamp)
            return cls(created_at, int(pk)) if timezone.is_aware(created_at) else None
        except ValueError:
            return None


@dataclass(frozen=True)
class AuditPage:
    entries: list[AuditEntry]
    next_cursor: Cursor | None


def _day_start(day: date, org: Organization) -> datetime:
    """Midnight starting `day` in the organisation's time zone."""
    return datetime.combine(day, time.min, tzinfo=zoneinfo.ZoneInfo(org.time_zone))


def audit_entries(*, org: Organization, filters: AuditFilters) -> QuerySet[AuditEntry]:
    """The organisation's entries matching `filters`, newest first, with their actor joined."""
    entries = AuditEntry.objects.for_org(org).select_related("actor")
    if filters.actor is not None:
        entries = entries.filter(actor=filters.actor)
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.candidate_id is not None:
        entries = entries.about_candidate(filters.candidate_id)
    if filters.date_from:
        entries = entries.filter(created_at__gte=_day_start(filters.date_from, org))
    if filters.date_to:
        entries = entries.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1), org))
    return entries.order_by("-created_at", "-id")


def audit_page(
    *, org: Organization, filters: AuditFilters, before: Cursor | None = None, size: int = PAGE_SIZE
) -> AuditPage:
    """One page older than `before`, by keyset on (created_at, id): one query at any depth."""
    entries = audit_entries(org=org, filters=filters)
    if before is not None:
        entries = entries.filter(
            Q(created_at__lt=before.created_at) | Q(created_at=before.created_at, id__lt=before.id)
        )
    rows = list(entries[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return AuditPage(rows, Cursor(rows[-1].created_at, rows[-1].pk) if more else None)


def audit_count(*, org: Organization, filters: AuditFilters) -> int:
    """How many entries match, counted up to COUNT_CAP + 1 (shown as "10,000+")."""
    return audit_entries(org=org, filters=filters).order_by()[: COUNT_CAP + 1].count()
