from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet


class Circle(models.Model):
    """A group of candidates: public ones can be joined in the portal, private ones are segments."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="circles")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="circle_org_slug_unique")]

    def __str__(self) -> str:
        return self.name


class CircleMembership(models.Model):
    class JoinedVia(models.TextChoices):
        SELF = "self", "Joined in the portal"
        RECRUITER = "recruiter", "Added by a recruiter"
        IMPORT = "import", "Import"

    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="circle_memberships")
    joined_via = models.CharField(max_length=10, choices=JoinedVia.choices)
    joined_at = models.DateTimeField(default=timezone.now)
    email_posts = models.BooleanField(default=True, help_text="Include this circle's posts in the candidate's e-mails.")

    class Meta:
        ordering = ["-joined_at"]
        constraints = [models.UniqueConstraint(fields=["circle", "candidate"], name="circle_membership_unique")]
        indexes = [models.Index(fields=["candidate", "circle"], name="circle_membership_candidate")]

    def __str__(self) -> str:
        return f"{self.candidate_id} in {self.circle}"


class PostQuerySet(OrgScopedQuerySet):
    def published(self) -> PostQuerySet:
        return self.filter(status=Post.Status.PUBLISHED)


class Post(models.Model):
    class Kind(models.TextChoices):
        ANNOUNCEMENT = "announcement", "Announcement"
        JOB = "job", "Job"
        EVENT = "event", "Event"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="posts")
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.ANNOUNCEMENT)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, help_text="Markdown.")
    body_html = models.TextField(blank=True, editable=False, help_text="The body rendered and sanitised.")
    job_url = models.URLField(blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    location = models.CharField(max_length=200, blank=True)
    online_url = models.URLField(blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True, help_text="Seats; empty means unlimited.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["circle", "status", "-published_at"], name="post_circle_feed"),
            models.Index(fields=["organization", "kind", "starts_at"], name="post_org_events"),
        ]

    def __str__(self) -> str:
        return self.title


class Rsvp(models.Model):
    class Response(models.TextChoices):
        YES = "yes", "Going"
        NO = "no", "Not going"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="rsvps")
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="rsvps")
    response = models.CharField(max_length=3, choices=Response.choices)
    responded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "candidate"], name="rsvp_once_per_event")]
        indexes = [models.Index(fields=["post", "response"], name="rsvp_post_response")]

    def __str__(self) -> str:
        return f"{self.candidate_id}: {self.response}"


class DigestDelivery(models.Model):
    """A post e-mailed to a candidate: the unique key means a post is never sent to someone twice."""

    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["candidate", "post"], name="digest_post_once")]

    def __str__(self) -> str:
        return f"{self.post_id} to {self.candidate_id}"


class CommunityInvitation(models.Model):
    """A recruiter's personal invitation for a known candidate to join the community portal."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    sent_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["candidate", "-sent_at"], name="community_invite_candidate")]

    def __str__(self) -> str:
        return f"{self.candidate_id} invited"


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
        MERGE = "merge", "Merged"

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
    circle = models.ForeignKey(Circle, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    post = models.ForeignKey(Post, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
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

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    recruiter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders")
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="reminders")
    due_at = models.DateTimeField()
    note = models.CharField(max_length=300)
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.RECRUITER)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

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


# Sequences, and the response-rate roll-ups and guard, live in their own modules (this one would pass
# ~400 lines); Django finds their models through here.
from engagement.analytics_models import RecruiterGuard, ResponseOutreach, ResponseStat, ResponseStatWeek  # noqa: E402,F401
from engagement.sequence_models import Enrollment, EnrollmentJob, Sequence, SequenceStep  # noqa: E402,F401
