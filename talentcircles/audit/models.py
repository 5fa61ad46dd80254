"""The audit trail: one append-only row per thing worth answering for (who, what, when, from where).

Rows are never changed or deleted, by the ORM (`save` of an existing row, `delete`, and the queryset's
`update`/`delete` raise) nor in the database (a trigger refuses UPDATE and DELETE, migration 0015).
The two exceptions, the retention purge and the redaction of an erased person's values, go through
`talentcircles.audit.maintenance`, which the trigger lets through.

The organisation, the actor and the target are plain ids without database constraints: deleting a
user, a membership or a candidate must not touch the trail (a cascade or SET NULL would be an UPDATE
or DELETE), and the trail outlives them until its retention ends.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone


class AuditImmutable(Exception):
    """The audit trail is append-only: what it records is never changed or removed."""


def _refuse(*_args: Any, **_kwargs: Any) -> NoReturn:
    raise AuditImmutable("The audit trail is append-only: entries cannot be changed or deleted.")


class AuditEntryQuerySet(models.QuerySet):
    def for_org(self, org: Any) -> AuditEntryQuerySet:
        return self.filter(organization=org)

    def about_candidate(self, candidate_id: int) -> AuditEntryQuerySet:
        return self.filter(target_type=AuditEntry.TargetType.CANDIDATE, target_id=candidate_id)

    # Writes other than INSERT are refused; `maintenance` alone uses the underlying methods below.
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse

    def maintenance_update(self, **values: Any) -> int:
        return super().update(**values)

    def maintenance_delete(self) -> int:
        return super().delete()[0]


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        PROFILE_VIEWED = "profile_viewed", "Profile viewed"
        DATA_EXPORTED = "data_exported", "Data exported"
        FIELD_CHANGED = "field_changed", "Fields changed"
        MERGED = "merged", "Candidates merged"
        ERASED = "erased", "Personal data erased"
        DELETED = "deleted", "Candidate deleted"
        SETTING_CHANGED = "setting_changed", "Settings changed"
        ROLE_CHANGED = "role_changed", "Role changed"
        MEMBER_ADDED = "member_added", "Member added"
        MEMBER_REMOVED = "member_removed", "Member removed"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"

    class ActorKind(models.TextChoices):
        MEMBER = "member", "Member"
        CANDIDATE = "candidate", "Candidate (portal)"
        API_TOKEN = "api_token", "API token"
        SYSTEM = "system", "System"

    class TargetType(models.TextChoices):
        CANDIDATE = "candidate", "Candidate"
        ORGANIZATION = "organization", "Organisation"
        MEMBERSHIP = "membership", "Membership"
        API_TOKEN = "api_token", "API token"
        CANDIDATE_LIST = "candidate_list", "Candidate list"
        AUDIT_TRAIL = "audit_trail", "Audit trail"

    organization = models.ForeignKey(
        "talentcircles.Organization", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    actor = models.ForeignKey(
        "talentcircles.User",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who did it; empty for the system.",
    )
    actor_kind = models.CharField(max_length=12, choices=ActorKind.choices, default=ActorKind.SYSTEM)
    api_token_id = models.BigIntegerField(null=True, blank=True, help_text="The API token the request used.")
    action = models.CharField(max_length=32, choices=Action.choices)
    target_type = models.CharField(max_length=20, choices=TargetType.choices, blank=True)
    target_id = models.BigIntegerField(null=True, blank=True)
    # Never a candidate's name or e-mail: "Candidate #12". A member's e-mail is fine (staff, not subjects).
    target_label = models.CharField(max_length=200, blank=True)
    # {field: [old, new]}; an erased candidate's values are replaced by REDACTED, the field names stay.
    changes = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    details = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "audit entry"
        verbose_name_plural = "audit entries"
        ordering = ["-created_at", "-id"]
        # The admin search's filters, each with the organisation first and newest first after it;
        # created_at alone (above) serves the retention purge.
        indexes = [
            models.Index(fields=["organization", "-created_at", "-id"], name="audit_org_recent"),
            models.Index(fields=["organization", "actor", "-created_at"], name="audit_org_actor"),
            models.Index(fields=["organization", "action", "-created_at"], name="audit_org_action"),
            models.Index(fields=["organization", "target_type", "target_id", "-created_at"], name="audit_org_target"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.target_label} at {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()
