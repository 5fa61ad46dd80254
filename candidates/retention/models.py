"""Retention's records: who is kept on purpose, the notices sent before anonymisation, and each run.

Registered with the candidates app from `candidates/models.py`. The clock itself is a column of the
candidate (`Candidate.retention_anchor_at`), so the daily run and the preview read one index.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet


class RetentionExclusion(models.Model):
    """An admin's decision to keep a person whatever the retention policy says, with the reason."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate = models.OneToOneField(
        "candidates.Candidate", on_delete=models.CASCADE, related_name="retention_exclusion"
    )
    reason = models.CharField(max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="retention_excl_org")]

    def __str__(self) -> str:
        return f"Kept: {self.reason}"


class RetentionNotice(models.Model):
    """The "keep me in your community" e-mail of one retention cycle (one clock start) of one person.

    Written `pending` by the planning pass, claimed and sent by the periodic task; unique per
    (candidate, cycle) so a person is warned once per cycle whatever runs twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Not sent (no longer due or may not be e-mailed)"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="+", db_index=False)
    cycle_anchor_at = models.DateTimeField(help_text="The clock's start this notice belongs to.")
    due_at = models.DateTimeField(help_text="When the person is due to be anonymised.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "cycle_anchor_at"], name="retention_notice_once_per_cycle")
        ]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="retention_notice_pending"),
            models.Index(fields=["organization", "-created_at"], name="retention_notice_org"),
        ]

    def __str__(self) -> str:
        return f"Notice to #{self.candidate_id} ({self.status})"


class RetentionRun(models.Model):
    """One pass of the anonymisation (or of its dry run) over one organisation: what it did."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    cutoff = models.DateTimeField(null=True, blank=True, help_text="Clocks that started before this were due.")
    due = models.PositiveIntegerField(default=0, help_text="Due when the run started (excluded people left out).")
    anonymised = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0, help_text="No longer due when their turn came (a reply).")
    errors = models.PositiveIntegerField(default=0)
    # Candidate ids and exception names only: a run's record holds no personal data.
    error_details = models.JSONField(default=list, blank=True)
    triggered_by = models.CharField(max_length=20, default="schedule")

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["organization", "-started_at"], name="retention_run_org")]

    def __str__(self) -> str:
        return f"Retention run {self.started_at:%Y-%m-%d %H:%M}{' (dry run)' if self.dry_run else ''}"
