"""The audit trail (issue #21): who viewed, exported, changed, merged or erased what, when and from where.

Any app records through `record()` (or `build()` + `record_many()` for a batch); admins read the
trail under Settings → Audit trail. Entries are append-only (`models`), redacted when the person they
are about is erased and purged after AUDIT_RETENTION_DAYS (`maintenance`). docs/audit.md.
"""

from talentcircles.audit.models import AuditEntry, AuditImmutable
from talentcircles.audit.recording import (
    Action,
    ActorKind,
    TargetType,
    build,
    diff,
    form_changes,
    record,
    record_many,
)

__all__ = [
    "Action",
    "ActorKind",
    "AuditEntry",
    "AuditImmutable",
    "TargetType",
    "build",
    "diff",
    "form_changes",
    "record",
    "record_many",
]
