"""Templates, conversations and the messages in them, in and out; the raw inbound mail kept for the record."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet

MAX_BODY_CHARS = 50_000


def new_reply_token() -> str:
    """Unguessable, URL- and local-part-safe: 26 characters of base32 (130 bits)."""
    return secrets.token_bytes(17).hex()[:32]


class MessageTemplateQuerySet(OrgScopedQuerySet):
    def active(self) -> MessageTemplateQuerySet:
        return self.filter(archived_at=None)

    def visible_to(self, user) -> MessageTemplateQuerySet:
        """Shared templates and the user's own personal ones."""
        return self.filter(Q(is_shared=True) | Q(owner=user))


class MessageTemplate(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    subject = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text with tokens such as {{ candidate.first_name }}.")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    is_shared = models.BooleanField(default=True, help_text="Shared with the organisation, or personal.")
    archived_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = MessageTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["organization", "archived_at", "name"], name="template_org_active")]

    def __str__(self) -> str:
        return self.name


class ThreadQuerySet(OrgScopedQuerySet):
    pass


class Thread(models.Model):
    """One conversation between a recruiter and a candidate."""

    class StartedBy(models.TextChoices):
        RECRUITER = "recruiter", "Recruiter"
        CANDIDATE = "candidate", "Candidate"

    class Origin(models.TextChoices):
        ONE_TO_ONE = "one_to_one", "One-to-one"
        BULK = "bulk", "Bulk"
        SEQUENCE = "sequence", "Sequence"
        PORTAL = "portal", "Portal"

    # db_index=False: the composite indexes in Meta lead with the organisation; one more would only slow writes.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="threads")
    recruiter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=200)
    reply_token = models.CharField(max_length=32, unique=True, default=new_reply_token, editable=False)
    started_by = models.CharField(max_length=10, choices=StartedBy.choices, default=StartedBy.RECRUITER)
    # Where the conversation came from. The sequence or circle behind it is engagement's to record
    # (its link rows point here); this app keeps no engagement ids.
    origin = models.CharField(max_length=12, choices=Origin.choices, default=Origin.ONE_TO_ONE)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now)
    last_inbound_at = models.DateTimeField(null=True, blank=True)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        ordering = ["-last_message_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "candidate", "-last_message_at"], name="thread_org_candidate"),
            models.Index(fields=["organization", "recruiter", "-last_message_at"], name="thread_org_recruiter"),
            models.Index(fields=["organization", "-last_message_at"], name="thread_org_recent"),
        ]

    def __str__(self) -> str:
        return self.subject


class MessageQuerySet(OrgScopedQuerySet):
    def outgoing(self) -> MessageQuerySet:
        return self.filter(direction=Message.Direction.OUT)

    def incoming(self) -> MessageQuerySet:
        return self.filter(direction=Message.Direction.IN)

    def answers(self) -> MessageQuerySet:
        """What counts as the candidate answering: replies and one-click responses, not auto-replies."""
        return self.incoming().filter(is_auto_reply=False)


class Message(models.Model):
    class Direction(models.TextChoices):
        OUT = "out", "Outgoing"
        IN = "in", "Incoming"

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        PORTAL = "portal", "Portal"
        CLICK = "click", "One-click response"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"
        CANCELLED = "cancelled", "Not sent"
        # The worker stopped between handing the e-mail to the mail server and recording the answer:
        # it may or may not have gone out. Never re-sent automatically; a person resends it (or not).
        UNKNOWN = "unknown", "Delivery unknown"
        RECEIVED = "received", "Received"

    class Classification(models.TextChoices):
        INTERESTED = "interested", "Interested"
        NOT_INTERESTED = "not_interested", "Not interested"
        NEUTRAL = "neutral", "Neutral"
        # Written replies only (messaging/replies): "stop writing to me", "ask me again in March", a question.
        OPT_OUT = "opt_out", "Opt-out"
        LATER = "later", "Later"
        QUESTION = "question", "Question"

    PENDING_STATUSES = (Status.QUEUED, Status.SENDING)

    # db_index=False: the composite indexes in Meta lead with these columns; every message row is written three
    # times (queued, sending, sent), so each index it does not need costs three times.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages", db_index=False)
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=6, choices=Channel.choices, default=Channel.EMAIL)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_email = models.CharField(max_length=254, blank=True)
    to_email = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    template = models.ForeignKey(MessageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    personalisation_score = models.PositiveSmallIntegerField(null=True, blank=True)
    findings = models.JSONField(default=list, blank=True)
    # Hash of the body with the candidate's own facts taken out: finds mass-identical messages.
    body_fingerprint = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    message_id_header = models.CharField("Message-ID", max_length=255, blank=True)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    is_auto_reply = models.BooleanField(default=False)
    classification = models.CharField(max_length=16, choices=Classification.choices, blank=True)
    # Why: the phrase that decided ("“keine E-Mails mehr” (de)"), or who corrected it.
    classification_reason = models.CharField(max_length=200, blank=True, default="", db_default="")
    # Written by automation (a sequence's step), not by a person: delivery drops it once the candidate
    # answered in its thread, and automated sends count against the daily limits.
    automated = models.BooleanField(default=False)
    # The contact-policy warning the sender saw and chose to send anyway (e.g. writing to someone in a
    # colleague's live conversation): "<code>: <detail>", blank when nothing was overridden.
    policy_override = models.CharField(max_length=300, blank=True, default="", db_default="")
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Written (in its own transaction) just before the e-mail is handed to the mail server, cleared
    # by each claim: a row left `sending` with it set may have gone out; without it, it did not.
    handed_at = models.DateTimeField(null=True, blank=True)
    # When a delivery task for it last reached the broker; null while none did (the broker was down
    # when it was written): the relay publishes those.
    published_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="message_org_idempotency_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["thread", "created_at"], name="message_thread"),
            models.Index(fields=["message_id_header"], condition=~Q(message_id_header=""), name="message_header"),
            # The sweep: rows stuck in queued or sending.
            models.Index(
                fields=["status", "claimed_at"], condition=Q(status__in=["queued", "sending"]), name="message_pending"
            ),
            # The mass-message finding: identical bodies sent by the organisation in the last day.
            models.Index(fields=["organization", "body_fingerprint", "created_at"], name="message_fingerprint"),
            models.Index(fields=["organization", "candidate", "-created_at"], name="message_candidate"),
        ]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.subject}"

    @property
    def is_outgoing(self) -> bool:
        return self.direction == self.Direction.OUT


class InboundEmailQuerySet(OrgScopedQuerySet):
    def unmatched(self) -> InboundEmailQuerySet:
        return self.filter(status=InboundEmail.Status.UNMATCHED)


class InboundEmail(models.Model):
    """A raw e-mail as it arrived, kept for the record; matched to a thread or waiting in "Unmatched"."""

    class Status(models.TextChoices):
        MATCHED = "matched", "Matched to a conversation"
        UNMATCHED = "unmatched", "Waiting to be assigned"
        ASSIGNED = "assigned", "Assigned by a recruiter"
        BOUNCE = "bounce", "Bounce"
        COMPLAINT = "complaint", "Spam complaint"
        REJECTED = "rejected", "Refused"
        DISCARDED = "discarded", "Discarded"

    # Null when nothing in the mail says which organisation it is for (only admins see those).
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    # Message-ID, or a hash of the raw bytes when there is none: the same mail twice is stored once.
    dedup_key = models.CharField(max_length=255, unique=True)
    message_id_header = models.CharField("Message-ID", max_length=255, blank=True)
    from_email = models.CharField(max_length=254, blank=True)
    to_emails = models.TextField(blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body_text = models.TextField(blank=True, help_text="The cleaned text, quoted history and signature removed.")
    raw = models.BinaryField(help_text="The message exactly as received.")
    is_auto_reply = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    message = models.OneToOneField(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_email"
    )
    received_at = models.DateTimeField(default=timezone.now)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = InboundEmailQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["organization", "status", "-received_at"], name="inbound_org_status")]

    def __str__(self) -> str:
        return self.subject or self.dedup_key


class ClassificationCorrection(models.Model):
    """A recruiter's correction of what a reply was read as: who, when, from what to what."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="corrections")
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    corrected_at = models.DateTimeField(default=timezone.now)
    previous = models.CharField(max_length=16, choices=Message.Classification.choices, blank=True)
    classification = models.CharField(max_length=16, choices=Message.Classification.choices)
    previous_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["corrected_at", "id"]
        indexes = [models.Index(fields=["organization", "corrected_at"], name="correction_org_time")]

    def __str__(self) -> str:
        return f"{self.previous} → {self.classification}"
