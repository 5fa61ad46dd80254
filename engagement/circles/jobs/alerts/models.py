"""Job alerts' data: a member's `JobAlertPreference`, a job opening to match (`JobAlertScan`), the due
`JobAlert` per member and job (never twice: unique), and the `JobAlertEmail` that carried some of them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from engagement.circles.jobs.models import Job
from talentcircles.models import Organization


class AlertFrequency(models.TextChoices):
    IMMEDIATELY = "immediately", "As soon as a job opens"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    # The frequency of the member's community digest, whatever it is when alerts go out.
    WITH_DIGEST = "with_digest", "As often as my community digest"
    NEVER = "never", "Never"


def all_remote_policies() -> list[str]:
    return list(Job.RemotePolicy.values)


class JobAlertPreference(models.Model):
    """What openings a member wants by e-mail, and how often. No row means no alerts (frequency never)."""

    # db_index=False: the index in Meta leads with the organisation.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate = models.OneToOneField(
        "candidates.Candidate", on_delete=models.CASCADE, related_name="job_alert_preference"
    )
    skills = models.JSONField(default=list, blank=True, help_text="Any of these skills; empty: any job.")
    locations = models.JSONField(default=list, blank=True, help_text="Any of these places; empty: anywhere.")
    remote_policies = models.JSONField(default=all_remote_policies, help_text="Acceptable: onsite, hybrid, remote.")
    frequency = models.CharField(max_length=12, choices=AlertFrequency.choices, default=AlertFrequency.NEVER)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            # The matcher reads the organisation's members who want alerts.
            models.Index(
                fields=["organization", "candidate"],
                condition=~Q(frequency="never"),
                name="job_alert_pref_on",
            )
        ]

    def __str__(self) -> str:
        return f"Job alerts of {self.candidate_id} ({self.frequency})"


class JobAlertScan(models.Model):
    """A job's opening, to be matched against the members' alerts: written with the opening, claimed by
    the periodic task (or the task queued on commit), done once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+", db_index=False)
    opened_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    matched = models.PositiveIntegerField(default=0, help_text="Alerts written by this scan.")
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "opened_at"], name="job_alert_scan_once")]
        indexes = [
            models.Index(fields=["created_at"], condition=Q(status="pending"), name="job_alert_scan_pending"),
        ]

    def __str__(self) -> str:
        return f"Scan of job {self.job_id} opened {self.opened_at:%Y-%m-%d %H:%M}"


class JobAlertEmail(models.Model):
    """One job-alert e-mail to a member. `sending` is committed before the e-mail is handed to the mail
    server and `sent` right after: a worker killed in between leaves this one e-mail in doubt (the sweep
    marks it `unknown`), never sent again."""

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNKNOWN = "unknown", "Delivery unknown"

    # What counts as an e-mail in the member's frequency window (a failed one did not reach them).
    COUNTED = (Status.SENDING, Status.SENT, Status.UNKNOWN)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SENDING)
    message_id_header = models.CharField("Message-ID", max_length=255)
    job_count = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        constraints = [
            # One e-mail in flight per member: two runs never build two e-mails for one person at once.
            models.UniqueConstraint(
                fields=["candidate"], condition=Q(status="sending"), name="job_alert_email_in_flight"
            )
        ]
        indexes = [
            # The member's latest e-mail (their frequency window) and "my data".
            models.Index(fields=["candidate", "-created_at"], name="job_alert_email_cand"),
            # The sweep of e-mails left in flight by a killed worker.
            models.Index(fields=["created_at"], condition=Q(status="sending"), name="job_alert_email_sending"),
        ]

    def __str__(self) -> str:
        return f"Job alert e-mail {self.pk} to {self.candidate_id} ({self.status})"


class JobAlert(models.Model):
    """A job that matched a member's alert: due until it is e-mailed (once) or dropped (job closed, member
    no longer reachable or no longer wanting alerts)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Due"
        EMAILED = "emailed", "E-mailed"
        DROPPED = "dropped", "Dropped"

    class DropReason(models.TextChoices):
        NONE = "", "—"
        JOB_CLOSED = "job_closed", "The job closed before the alert went out"
        ALERTS_OFF = "alerts_off", "The member turned job alerts off"
        NOT_CONTACTABLE = "not_contactable", "The contact policy holds the member back"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="+", db_index=False)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="+", db_index=False)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    drop_reason = models.CharField(max_length=16, choices=DropReason.choices, blank=True, default="")
    email = models.ForeignKey(
        JobAlertEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="alerts", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "job"], name="job_alert_once")]
        indexes = [
            # The due alerts, member by member (the sender's pass).
            models.Index(fields=["candidate"], condition=Q(status="pending"), name="job_alert_pending"),
            # Deleting a job, or a job's alerts.
            models.Index(fields=["job"], name="job_alert_job"),
            models.Index(fields=["email"], condition=Q(email__isnull=False), name="job_alert_email"),
        ]

    def __str__(self) -> str:
        return f"Job {self.job_id} for {self.candidate_id} ({self.status})"
