"""The relationship timeline (`Activity`), relationship strength, reminders and the "My day" e-mail log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet


class ActivityQuerySet(OrgScopedQuerySet):
    def timeline(self, candidate) -> ActivityQuerySet:
        return self.filter(candidate=candidate).order_by("-occurred_at", "-id")


class Activity(models.Model):
    """One touch in a relationship. The timeline is this table, newest first."""

    class Kind(models.TextChoices):
        MESSAGE_OUT = "message_out", "Message sent"
        REPLY_IN = "reply_in", "Reply received"
        AUTO_REPLY = "auto_reply", "Automatic reply"
        BOUNCE = "bounce", "Bounce"
        COMPLAINT = "complaint", "Spam complaint"
        NOTE = "note", "Note"
        CALL = "call", "Call"
        MEETING = "meeting", "Meeting"
        STAGE_CHANGE = "stage_change", "Stage change"
        CIRCLE_JOIN = "circle_join", "Joined a circle"
        CIRCLE_LEAVE = "circle_leave", "Left a circle"
        RSVP = "rsvp", "Event RSVP"
        IMPORT = "import", "Imported"
        CREATED = "created", "Added"
        PROFILE_CHANGE = "profile_change", "Profile changed by the candidate"
        CONSENT_CHANGE = "consent_change", "Consent changed"
        UNSUBSCRIBE = "unsubscribe", "Unsubscribed"
        # From community e-mail only (a circle's posts, or all of them); recruiting messages still go.
        COMMUNITY_OPT_OUT = "community_opt_out", "Stopped community e-mails"
        MERGE = "merge", "Merged"
        RECLASSIFIED = "reclassified", "Reply reclassified"
        JOB_INTEREST = "job_interest", "Interested in a job"

    # Logged by recruiters and editable by their author; every other kind is immutable.
    LOGGED_KINDS = (Kind.NOTE, Kind.CALL, Kind.MEETING)
    # Kinds that count as the candidate talking to us (relationship strength, "going cold").
    TWO_WAY_KINDS = (Kind.REPLY_IN, Kind.CALL, Kind.MEETING)

    # db_index=False: activity_timeline leads with the candidate and activity_org_kind with the organisation.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate = models.ForeignKey(
        "candidates.Candidate", on_delete=models.CASCADE, related_name="activities", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True, help_text="A note's or a call's text.")
    details = models.JSONField(default=dict, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True, help_text="The messaging Message, when there is one.")
    # The circle and post an activity is about, by label: circles sit above the timeline (see DESIGN.md).
    circle = models.ForeignKey("engagement.Circle", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    post = models.ForeignKey("engagement.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["candidate", "-occurred_at", "-id"], name="activity_timeline"),
            models.Index(fields=["organization", "kind", "-occurred_at"], name="activity_org_kind"),
        ]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"


class Relationship(models.Model):
    """A candidate's relationship strength (0 to 100) and the reasons behind it, recomputed by tasks."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    candidate = models.OneToOneField("candidates.Candidate", on_delete=models.CASCADE, related_name="relationship")
    score = models.PositiveSmallIntegerField(default=0)
    reasons = models.JSONField(default=list, blank=True)
    last_two_way_at = models.DateTimeField(null=True, blank=True)
    messages_out = models.PositiveIntegerField(default=0)
    replies_in = models.PositiveIntegerField(default=0)
    computed_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["organization", "score"], name="relationship_org_score"),
            models.Index(fields=["organization", "last_two_way_at"], name="relationship_org_two_way"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.score}"


class ReminderQuerySet(OrgScopedQuerySet):
    def open(self) -> ReminderQuerySet:
        return self.filter(done_at__isnull=True)


class Reminder(models.Model):
    class Origin(models.TextChoices):
        RECRUITER = "recruiter", "Added by a recruiter"
        GOING_COLD = "going_cold", "Relationship going cold"
        SEQUENCE = "sequence", "Sequence task"
        REPLY = "reply", "Reply to answer"
        LATER = "later", "Asked to be contacted later"
        COMPLAINT = "complaint", "Spam complaint"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    recruiter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="reminders")
    due_at = models.DateTimeField()
    note = models.CharField(max_length=300)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.RECRUITER)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The reply it answers ("ask me again in March"): a correction of that reply's classification closes it.
    message_id = models.BigIntegerField(null=True, blank=True, help_text="The messaging Message, when there is one.")

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["organization", "recruiter", "done_at", "due_at"], name="reminder_my_day"),
            models.Index(fields=["candidate", "done_at"], name="reminder_candidate_open"),
        ]

    def __str__(self) -> str:
        return self.note


class RecruiterDigestLog(models.Model):
    """One "My day" e-mail per recruiter, organisation and local day: the unique key makes sending idempotent."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    recruiter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    local_date = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "recruiter", "local_date"], name="recruiter_digest_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recruiter_id} {self.local_date}"
