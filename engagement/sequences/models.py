"""Follow-up sequences: the steps a recruiter writes once and the enrollments the dispatcher runs.

An `Enrollment` holds its own `next_run_at`; the dispatcher (engagement/dispatcher.py) claims
due rows every minute. Nothing about a follow-up lives in Celery's queue: a lost task, a
restarted worker or a flushed Redis loses nothing, because the row is the source of truth.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet


class SequenceQuerySet(OrgScopedQuerySet):
    def active(self) -> SequenceQuerySet:
        return self.filter(status=Sequence.Status.ACTIVE)


class Sequence(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        ARCHIVED = "archived", "Archived"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    # Empty means the organisation's send window.
    send_window_start = models.TimeField(null=True, blank=True)
    send_window_end = models.TimeField(null=True, blank=True)
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SequenceQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "status", "name"], name="sequence_org_status")]

    def __str__(self) -> str:
        return self.name


class SequenceStep(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", "E-mail"
        TASK = "task", "Task for the owner"

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(help_text="1 is the first step.")
    kind = models.CharField(max_length=5, choices=Kind.choices, default=Kind.EMAIL)
    template = models.ForeignKey(
        "messaging.MessageTemplate", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    # The wait after the previous step (after enrolment for the first): hours or business days.
    delay_hours = models.PositiveIntegerField(default=0)
    delay_business_days = models.PositiveSmallIntegerField(default=0)
    same_thread = models.BooleanField(default=True, help_text="Send as a reply in the previous message's thread.")
    task_text = models.CharField(max_length=300, blank=True, help_text="The reminder a task step creates.")

    class Meta:
        ordering = ["sequence", "order"]
        constraints = [models.UniqueConstraint(fields=["sequence", "order"], name="sequence_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.sequence_id} step {self.order}"


class EnrollmentQuerySet(OrgScopedQuerySet):
    def running(self) -> EnrollmentQuerySet:
        """Active or paused: what counts as "already enrolled"."""
        return self.filter(state__in=Enrollment.RUNNING_STATES)


class Enrollment(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        REPLIED = "replied", "Replied"
        STOPPED = "stopped", "Stopped"

    RUNNING_STATES = (State.ACTIVE, State.PAUSED)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # db_index=False: enrollment_sequence_state and enrollment_candidate_state lead with these columns.
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrollments", db_index=False)
    candidate = models.ForeignKey(
        "candidates.Candidate", on_delete=models.CASCADE, related_name="enrollments", db_index=False
    )
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    # The step that runs at next_run_at (null once there is none left); steps_done counts those run.
    next_step = models.ForeignKey(SequenceStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # The job the enrolment is about (from a job's "Who fits"): its steps fill {{ job.title }} and the rest, and
    # the conversations they start are recorded as about it. db_index=False: read from the enrollment only.
    job = models.ForeignKey(
        "engagement.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", db_index=False
    )
    steps_done = models.PositiveSmallIntegerField(default=0)
    next_run_at = models.DateTimeField(null=True, blank=True)
    stop_reason = models.CharField(max_length=300, blank=True)
    # The dispatcher's lease on SQLite (PostgreSQL uses row locks): set while a pass works on the row.
    claimed_until = models.DateTimeField(null=True, blank=True)
    enrolled_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sequence", "candidate"],
                condition=Q(state__in=["active", "paused"]),
                name="enrollment_once_while_running",
            )
        ]
        indexes = [
            # The dispatcher's scan: due active rows.
            models.Index(fields=["next_run_at"], condition=Q(state="active"), name="enrollment_due"),
            models.Index(fields=["candidate", "state"], name="enrollment_candidate_state"),
            models.Index(fields=["sequence", "state", "next_run_at"], name="enrollment_sequence_state"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id} in {self.sequence_id} ({self.state})"


class SequenceMessage(models.Model):
    """A message a sequence's step wrote: the link from messaging's row to the enrollment and step.

    Messaging keeps no engagement ids, so this row is where a sequence's message says whose it is.
    The dispatcher writes it in the transaction that writes the message. Its thread answers "this
    enrollment's conversation" (same-thread follow-ups) and "whose enrollment is this conversation"
    (the analytics' sequence cut); its step is what the per-step figures count.
    """

    # The message is the key: one link per message, and set-based reads join it on the message's id.
    message = models.OneToOneField(
        "messaging.Message", on_delete=models.CASCADE, primary_key=True, related_name="sequence_message"
    )
    thread = models.ForeignKey("messaging.Thread", on_delete=models.CASCADE, related_name="sequence_messages")
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="sequence_messages")
    # Null once the step is removed from the sequence: the message still belongs to its enrollment.
    step = models.ForeignKey(SequenceStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # db_index=False: every read starts from a message, a thread or an enrollment.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)

    objects = OrgScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Message {self.message_id} of enrollment {self.enrollment_id}"


class EnrollmentJob(models.Model):
    """A large enrolment processed in the background; the row shows its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="enrollment_jobs")
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    candidate_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    enrolled = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    # Reason code → count, e.g. {"unsubscribed": 12, "already_enrolled": 3}.
    skipped_reasons = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Enrolment job {self.pk} ({self.status})"
