"""Talent circles: memberships, posts (announcements, jobs, events), RSVPs, digests and invitations."""

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


class CircleOutreach(models.Model):
    """A conversation started for a circle: a bulk send to its members, or an API thread start naming it.

    Messaging reports such threads through the audience hook (talentcircles/audiences.py) in the
    transaction that starts them; the analytics' circle cut and `{{ circle.name }}` in later replies
    read this row.
    """

    thread = models.OneToOneField(
        "messaging.Thread", on_delete=models.CASCADE, primary_key=True, related_name="circle_outreach"
    )
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="outreach")
    # db_index=False: every read starts from a thread or a circle.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)

    objects = OrgScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Thread {self.thread_id} for {self.circle_id}"


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
    # Erasure deletes a person's RSVPs; for an event already under way it keeps their "going" here, anonymously.
    erased_attendees = models.PositiveIntegerField(default=0, editable=False)
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
