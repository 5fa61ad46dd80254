from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Case, CharField, Exists, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower, Upper
from django.utils import timezone
from django.utils.functional import cached_property

from candidates import countries
from candidates.digest_frequency import DigestFrequency
from candidates.normalise import INDUSTRIES
from talentcircles.expressions import Sha256Hex
from talentcircles.models import TIME_ZONE_CHOICES, Organization
from talentcircles.tenancy import OrgScopedQuerySet

INDUSTRY_CHOICES = [(name, name) for name in INDUSTRIES]


class Label(models.Model):
    """An organisation's vocabulary word: a skill or a free tag."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    key = models.CharField(max_length=80, help_text="Case-folded name; unique per organisation.")

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Skill(Label):
    class Meta(Label.Meta):
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="skill_org_key_unique")]


class Tag(Label):
    class Meta(Label.Meta):
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="tag_org_key_unique")]


# Why a candidate may not be messaged, in the order they are reported, with the label recruiters see.
# The one definition for every path that writes to candidates (one-to-one, bulk, sequences, digests,
# community invitations); a path may add rules of its own on top (a final stage, a digest's frequency).
MESSAGE_BLOCKS: dict[str, str] = {
    "erased": "Erased their data on request",
    "unsubscribed": "Unsubscribed from all messages",
    "do_not_contact": "Marked do-not-contact",
    "undeliverable": "E-mail address undeliverable (it bounced)",
    "no_email": "No e-mail address",
    "no_consent": "Withdrew consent to messages",
    "suppressed": "On the suppression list (unsubscribed, bounced or erased before)",
}


def _message_block_rules() -> dict[str, Q]:
    """Reason → the candidates it blocks, over the columns and the facts `_with_message_facts` adds.

    No condition may be NULL for a row, so that "not blocked" (its negation) keeps every other row.
    """
    return {
        "erased": Q(erased_at__isnull=False),
        "unsubscribed": Q(unsubscribed_at__isnull=False),
        "do_not_contact": Q(do_not_contact=True),
        "undeliverable": Q(email_undeliverable=True),
        "no_email": Q(email=""),
        # Never asked (a sourced candidate) is not a refusal; a withdrawn consent is.
        "no_consent": Q(messages_consent=False),
        "suppressed": Q(email_suppressed=True),
    }


class CandidateQuerySet(OrgScopedQuerySet):
    def active(self) -> CandidateQuerySet:
        return self.exclude(stage=Candidate.Stage.ARCHIVED)

    def not_erased(self) -> CandidateQuerySet:
        """Leave out erased rows: they stay only for anonymous counts and are in no list."""
        return self.filter(erased_at=None)

    def _with_message_facts(self) -> CandidateQuerySet:
        latest_consent = ConsentRecord.objects.filter(
            candidate=OuterRef("pk"), purpose=ConsentRecord.Purpose.MESSAGES
        ).order_by("-recorded_at", "-id")
        # The suppression list holds hashes of normalised addresses; Candidate.email is stored normalised.
        suppressed = Suppression.objects.filter(
            organization=OuterRef("organization"), email_hash=Sha256Hex(Lower(OuterRef("email")))
        )
        return self.alias(
            messages_consent=Coalesce(Subquery(latest_consent.values("granted")[:1]), Value(True)),
            email_suppressed=Exists(suppressed),
        )

    def messageable(self) -> CandidateQuerySet:
        """Candidates who may be messaged: none of MESSAGE_BLOCKS applies (see `with_message_block`)."""
        return self._with_message_facts().filter(*[~rule for rule in _message_block_rules().values()])

    def with_message_block(self) -> CandidateQuerySet:
        """Annotate `message_block`: the first of MESSAGE_BLOCKS that applies to the candidate, or None."""
        reasons = [When(rule, then=Value(reason)) for reason, rule in _message_block_rules().items()]
        return self._with_message_facts().annotate(message_block=Case(*reasons, default=None, output_field=CharField()))

    def contactable(self) -> CandidateQuerySet:
        """May be messaged and not in a final stage (hired, not interested, archived): the list filter."""
        return self.messageable().exclude(stage__in=Candidate.FINAL_STAGES)


class Candidate(models.Model):
    """One person in one organisation's talent community."""

    class Source(models.TextChoices):
        SOURCED = "sourced", "Sourced"
        REFERRAL = "referral", "Referral"
        PORTAL = "portal", "Community portal"
        IMPORT = "import", "Import"
        EVENT = "event", "Event"
        OTHER = "other", "Other"

    class Stage(models.TextChoices):
        NEW = "new", "New"
        CONTACTED = "contacted", "Contacted"
        ENGAGED = "engaged", "Engaged"
        INTERESTED = "interested", "Interested"
        APPLIED = "applied", "Applied"
        HIRED = "hired", "Hired"
        NOT_INTERESTED = "not_interested", "Not interested"
        ARCHIVED = "archived", "Archived"

    FINAL_STAGES = (Stage.HIRED, Stage.NOT_INTERESTED, Stage.ARCHIVED)

    # db_index=False: every index in Meta.indexes leads with the organisation (migration 0008).
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="candidates", db_index=False)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.CharField("e-mail", max_length=254, blank=True, help_text="Stored lower-case.")
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +442079460958.")
    headline = models.CharField(max_length=220, blank=True)
    current_title = models.CharField(max_length=200, blank=True)
    current_company = models.CharField(max_length=200, blank=True)
    industry = models.CharField(max_length=80, blank=True, choices=INDUSTRY_CHOICES)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    country_code = models.CharField("country", max_length=2, blank=True, help_text="ISO 3166 code, e.g. GB.")
    # Set only by migration 0012: a country typed before the list that names no country ("UN" for
    # "United Kingdom" in a two-letter box). Shown on the profile to fix; choosing a country clears it.
    country_unmapped = models.CharField("country as typed before", max_length=100, blank=True, editable=False)
    time_zone = models.CharField(max_length=64, blank=True, choices=TIME_ZONE_CHOICES)
    linkedin_url = models.CharField("LinkedIn URL", max_length=200, blank=True)
    links = models.JSONField(default=list, blank=True, help_text="Other profile or portfolio URLs.")
    skills = models.ManyToManyField(Skill, blank=True, related_name="candidates")
    tags = models.ManyToManyField(Tag, blank=True, related_name="candidates")
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.SOURCED)
    referrer = models.CharField(max_length=200, blank=True)
    # Their own indexes are partial (cand_owner, cand_user): most candidates have neither.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_candidates",
        db_index=False,
    )
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.NEW)
    stage_changed_at = models.DateTimeField(default=timezone.now, help_text="When the current stage began.")
    do_not_contact = models.BooleanField(default=False)
    email_undeliverable = models.BooleanField(default=False)
    # Soft bounces (full mailbox, server down) in a row; at settings.SOFT_BOUNCE_LIMIT the address is undeliverable.
    soft_bounces = models.PositiveSmallIntegerField(default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate_profiles",
        db_index=False,
    )
    last_contacted_at = models.DateTimeField(null=True, blank=True)
    last_replied_at = models.DateTimeField(null=True, blank=True)
    digest_frequency = models.CharField(max_length=12, choices=DigestFrequency.choices, default=DigestFrequency.WEEKLY)
    unsubscribed_at = models.DateTimeField(null=True, blank=True, help_text="“Stop all messages”: never messaged.")
    erased_at = models.DateTimeField(null=True, blank=True, help_text="Personal data removed on request.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # When the retention clock started: creation, a reply, portal activity or renewed consent (candidates/retention).
    retention_anchor_at = models.DateTimeField(default=timezone.now, editable=False)
    # Kept current by candidates.search.refresh(), folded (candidates.folding); the tsvector is
    # filled on PostgreSQL only, the text (name, work, skills, résumés) on SQLite only.
    search_name = models.CharField(max_length=201, blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    search_text = models.TextField(blank=True, editable=False)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "email"], condition=~Q(email=""), name="candidate_org_email_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "linkedin_url"],
                condition=~Q(linkedin_url=""),
                name="candidate_org_linkedin_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "last_name", "first_name", "id"], name="cand_org_name"),
            models.Index(fields=["organization", "-created_at"], name="cand_org_created"),
            models.Index(fields=["organization", "-updated_at"], name="cand_org_updated"),
            models.Index(fields=["organization", "stage"], name="cand_org_stage"),
            models.Index(fields=["organization", "owner"], name="cand_org_owner"),
            models.Index(fields=["organization", "source"], name="cand_org_source"),
            models.Index(fields=["organization", "industry"], name="cand_org_industry"),
            models.Index(fields=["organization", "country_code", "city"], name="cand_org_location"),
            # The location filter matches city or region case-insensitively.
            models.Index("organization", Upper("city"), name="cand_org_city_ci"),
            models.Index("organization", Upper("region"), name="cand_org_region_ci"),
            models.Index(
                fields=["organization", "last_name", "first_name", "id"],
                condition=~Q(email="")
                & Q(do_not_contact=False, email_undeliverable=False, unsubscribed_at=None, erased_at=None),
                name="cand_org_contactable",
            ),
            # The rows a list can show (not erased), with their stage: the list's capped count, by default
            # (not archived) or by stage, reads at most 10,001 entries of it and no table row (migration 0015).
            models.Index(fields=["organization", "stage"], condition=Q(erased_at=None), name="cand_org_listed"),
            # Partial: the filters are ranges, which never match a NULL, and most rows are NULL.
            models.Index(
                fields=["organization", "last_contacted_at"],
                condition=Q(last_contacted_at__isnull=False),
                name="cand_org_contacted",
            ),
            models.Index(
                fields=["organization", "last_replied_at"],
                condition=Q(last_replied_at__isnull=False),
                name="cand_org_replied",
            ),
            models.Index(fields=["organization", "current_company"], name="cand_org_company"),
            models.Index("organization", "retention_anchor_at", "id", condition=Q(erased_at=None), name="cand_retain"),
            models.Index(fields=["organization", "phone"], condition=~Q(phone=""), name="cand_org_phone"),
            # The foreign keys' own lookups (deleting a user, a portal sign-in) look for one user.
            models.Index(fields=["owner"], condition=Q(owner__isnull=False), name="cand_owner"),
            models.Index(fields=["user"], condition=Q(user__isnull=False), name="cand_user"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def country_name(self) -> str:
        return countries.name(self.country_code)

    @property
    def location(self) -> str:
        return ", ".join(part for part in (self.city, self.region, self.country_code) if part)

    @property
    def linkedin_href(self) -> str:
        return f"https://www.{self.linkedin_url}" if self.linkedin_url else ""

    # What a list shows of each candidate's relations. The list selectors set them for a whole page
    # from one query (candidates/listed_labels.py), as plain lists: a default prefetch built a manager
    # and a queryset per row, some 3 ms per relation for a page of 25. Elsewhere they are
    # read from the relation (its prefetch cache when there is one).
    @cached_property
    def listed_skills(self) -> list[Skill]:
        return list(self.skills.all())

    @cached_property
    def listed_tags(self) -> list[Tag]:
        return list(self.tags.all())

    @cached_property
    def listed_resumes(self) -> list[Resume]:
        return list(self.resumes.all())

    def message_block_reason(self) -> str | None:
        """Why this candidate may not be messaged (a key of MESSAGE_BLOCKS), or None.

        From the `message_block` annotation when the candidate was loaded `with_message_block()`
        (the detail selector does), else read fresh from the database (one query).
        """
        if "message_block" in self.__dict__:
            return self.__dict__["message_block"]
        found = Candidate.objects.filter(pk=self.pk).with_message_block().values_list("message_block", flat=True)
        return found.first()

    @property
    def is_contactable(self) -> bool:
        return self.message_block_reason() is None and self.stage not in self.FINAL_STAGES


def resume_upload_to(instance: Resume, filename: str) -> str:
    # A random name: the uploader's file name never reaches the file system.
    suffix = PurePath(filename).suffix.lower()
    return f"resumes/{instance.organization_id}/{uuid.uuid4().hex}{suffix}"


class Resume(models.Model):
    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", "Word (DOCX)"

    class ExtractionStatus(models.TextChoices):
        PENDING = "pending", "Extracting text…"
        DONE = "done", "Text extracted"
        FAILED = "failed", "Text not extracted"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="resumes")
    file = models.FileField(upload_to=resume_upload_to)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    size = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    # The text is read by a worker (candidates/resume_text.py), never in the request: pending until
    # then, failed with a reason a person can read when the file fails the checks or the time limit.
    extraction_status = models.CharField(
        max_length=7, choices=ExtractionStatus.choices, default=ExtractionStatus.PENDING
    )
    extraction_reason = models.CharField(max_length=300, blank=True)
    # Claims by workers (a claim older than the lease means its worker died); bounded by MAX_ATTEMPTS.
    extraction_attempts = models.PositiveSmallIntegerField(default=0)
    extraction_claimed_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["candidate", "-created_at"], name="resume_candidate_created"),
            # The sweep's scan: only the few rows still waiting for their text.
            models.Index(
                fields=["created_at"], name="resume_extraction_pending", condition=Q(extraction_status="pending")
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class ImportJob(models.Model):
    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        LINKEDIN = "linkedin", "LinkedIn Connections.csv"
        JSONRESUME = "jsonresume", "JSON Resume"

    class Status(models.TextChoices):
        MAPPING = "mapping", "Waiting for column mapping"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        FAILED = "failed", "Failed"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    format = models.CharField(max_length=12, choices=Format.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MAPPING)
    file = models.FileField(upload_to="imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    mapping = models.JSONField(default=dict, blank=True, help_text="Column header → candidate field.")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, help_text="[{row, reason, data}] for rows that failed.")
    warnings = models.JSONField(
        default=list,
        blank=True,
        help_text="[{row, outcome, messages, data}] for rows imported with a field left out, or skipped (no name).",
    )
    message = models.TextField(blank=True, help_text="Why the whole job failed, if it did.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="importjob_org_created")]

    def __str__(self) -> str:
        return f"{self.get_format_display()} import of {self.original_name}"

    @property
    def percent(self) -> int:
        return round(100 * self.processed / self.total) if self.total else (100 if self.is_done else 0)

    @property
    def is_done(self) -> bool:
        return self.status in (self.Status.FINISHED, self.Status.FAILED)


class MergeRecord(models.Model):
    """What a merge of two duplicate candidates did, kept after the duplicate is gone."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    kept = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="merge_records")
    merged_candidate_id = models.BigIntegerField(help_text="The id of the candidate merged into `kept`.")
    merged_snapshot = models.JSONField(help_text="The merged candidate's profile as it was.")
    chosen_fields = models.JSONField(default=dict, help_text="Field → which side's value was kept.")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    merged_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-merged_at"]

    def __str__(self) -> str:
        return f"#{self.merged_candidate_id} merged into {self.kept}"


class ConsentRecord(models.Model):
    """A consent given or withdrawn, with the wording the person saw: demonstrable (GDPR Art. 7)."""

    class Purpose(models.TextChoices):
        COMMUNITY_TERMS = "community_terms", "Community terms"
        MESSAGES = "messages", "Receive messages"

    class Source(models.TextChoices):
        PORTAL = "portal", "Community portal"
        RECRUITER = "recruiter", "Recruiter"
        IMPORT = "import", "Import"
        ADMIN = "admin", "Admin"
        UNSUBSCRIBE_LINK = "unsubscribe_link", "Unsubscribe link"
        SPAM_COMPLAINT = "spam_complaint", "Spam complaint"
        RENEWAL_LINK = "renewal_link", "Renewal e-mail link"
        RETENTION = "retention", "Retention policy"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    granted = models.BooleanField()
    wording_version = models.CharField(max_length=40)
    recorded_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=20, choices=Source.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["candidate", "purpose", "-recorded_at"], name="consent_latest")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {'granted' if self.granted else 'withdrawn'}"


class Suppression(models.Model):
    """An address never to be messaged again, kept as a hash so erasure leaves no e-mail behind."""

    class Reason(models.TextChoices):
        ERASED = "erased", "Erased on request"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"
        # Reported our mail as spam to their provider: not lifted by "receive messages again".
        COMPLAINED = "complained", "Reported as spam"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    email_hash = models.CharField(max_length=64, help_text="SHA-256 of the normalised e-mail address.")
    reason = models.CharField(max_length=12, choices=Reason.choices)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "email_hash"], name="suppression_org_hash_unique")
        ]

    def __str__(self) -> str:
        return f"{self.email_hash[:12]}… ({self.reason})"


# Registered with the app from their own packages (the duplicates and retention parts of the product).
from candidates.duplicates.models import DuplicateDismissal, DuplicatePair  # noqa: E402, F401
from candidates.retention.models import RetentionExclusion, RetentionNotice, RetentionRun  # noqa: E402, F401
