from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from datetime import time
from email.utils import formataddr, parseaddr
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from talentcircles.colours import readable_shade
from talentcircles.tenancy import OrgScopedQuerySet

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in zoneinfo.available_timezones() if "/" in tz or tz == "UTC")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """Recruiters, admins and portal candidates alike sign in with their e-mail."""

    # Django's documented way to drop an inherited field; the stubs type AbstractUser.username as a str.
    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)
    title = models.CharField(max_length=120, blank=True, help_text="Job title shown in messages.")
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Django documents a BaseUserManager subclass for a custom user; the stubs insist on auth's
    # username-based UserManager here.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


DEFAULT_BRAND_COLOR = "#1f6feb"
hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a hex colour such as #1f6feb.")


class Organization(models.Model):
    """A company's talent community."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    tagline = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    brand_color = models.CharField(max_length=7, default=DEFAULT_BRAND_COLOR, validators=[hex_colour])
    sender_name = models.CharField(max_length=120, blank=True)
    sender_email = models.EmailField(blank=True)
    time_zone = models.CharField(max_length=64, choices=TIME_ZONE_CHOICES, default="UTC")
    send_window_start = models.TimeField(default=time(9, 0))
    send_window_end = models.TimeField(default=time(18, 0))
    cold_score_threshold = models.PositiveSmallIntegerField(
        default=30, help_text="A warm relationship whose strength falls below this is “going cold”."
    )
    cold_after_days = models.PositiveSmallIntegerField(
        default=60, help_text="Or: no two-way contact for this many days."
    )
    bulk_min_score = models.PositiveSmallIntegerField(
        "minimum personalisation score for bulk sends",
        default=0,
        validators=[MaxValueValidator(100)],
        help_text="Bulk messages scoring below this are held back (0 turns the rule off).",
    )
    send_weekdays = models.CharField(
        max_length=7,
        default="12345",
        validators=[RegexValidator(r"^[1-7]{0,7}$", "Use ISO weekday digits, 1 = Monday … 7 = Sunday.")],
        help_text="Days follow-ups may go out, as ISO weekday digits: 12345 is Monday to Friday.",
    )
    daily_send_cap = models.PositiveIntegerField(
        "daily sends per recruiter",
        default=200,
        help_text="Sequence messages a recruiter's enrolments may send per day; the rest wait for tomorrow.",
    )
    out_of_office_delay_days = models.PositiveSmallIntegerField(
        default=3, help_text="An out-of-office reply postpones a sequence's next step by this many days."
    )
    response_window_days = models.PositiveSmallIntegerField(
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="An outreach answered within this many days counts as answered (LinkedIn's report: 30).",
    )
    live_rate_min_sends = models.PositiveIntegerField(
        "sends before the live rate is assessed",
        default=100,
        help_text="The live 14-day rate is judged (and the guard acts) only from this many sends.",
    )
    response_guard_enabled = models.BooleanField(
        "response-rate guard",
        default=True,
        help_text="Warn recruiters under 13% and pause their bulk sends if it lasts (LinkedIn's rule).",
    )
    share_team_analytics = models.BooleanField(
        default=True, help_text="Recruiters see everyone's response-rate figures, not only their own."
    )
    # The contact policy (messaging/policy.py): who may be contacted now, and why not.
    active_conversation_days = models.PositiveSmallIntegerField(
        "live conversation (days)",
        default=14,
        validators=[MaxValueValidator(365)],
        help_text="A candidate who replied within this many days (or whose reply is unanswered) gets no bulk "
        "or sequence message; only the conversation's recruiter writes to them.",
    )
    contact_cooldown_days = models.PositiveSmallIntegerField(
        "contact cooldown (days)",
        default=7,
        validators=[MaxValueValidator(365)],
        help_text="No new bulk send or sequence enrolment to someone anyone here contacted this recently (0: off).",
    )
    automated_messages_per_day = models.PositiveSmallIntegerField(
        "automated messages per candidate per day",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="Across all sequences; later steps wait for the next day.",
    )
    # Retention (candidates/retention/, docs/privacy.md): people with no two-way contact and no renewed
    # consent for `retention_months` are anonymised. On for new organisations; existing ones start off.
    retention_enabled = models.BooleanField(
        "retention policy",
        default=True,
        help_text="Anonymise people with no two-way contact and no renewed consent for the period below.",
    )
    retention_months = models.PositiveSmallIntegerField(
        "retention period (months)",
        default=24,
        validators=[MinValueValidator(6), MaxValueValidator(120)],
        help_text="Between 6 and 120 months. Each person is e-mailed 30 days before, with a link to stay.",
    )
    # Switching the policy on or shortening it gives everyone 30 days' notice from then (retention/clock.py).
    retention_notice_from = models.DateTimeField(null=True, blank=True, editable=False)
    # The getting-started checklist on the home page (talentcircles/checklist.py): a send window
    # looked at and saved counts as set; a dismissed checklist stays hidden.
    send_window_set_at = models.DateTimeField(null=True, blank=True, editable=False)
    setup_checklist_dismissed_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def from_address(self) -> str:
        """Our sending address under the organisation's name; replies go to its own (`reply_to_addresses`)."""
        return formataddr((self.sender_name or self.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))

    def reply_to_addresses(self) -> list[str]:
        return [self.sender_email] if self.sender_email else []

    @property
    def brand_text_color(self) -> str:
        """The brand colour, darkened if need be, for text and for what carries white text (WCAG AA 4.5:1)."""
        try:
            return readable_shade(self.brand_color)
        except ValueError:  # a value that bypassed the validator: the default brand, rather than a broken page
            return readable_shade(DEFAULT_BRAND_COLOR)

    def clean(self) -> None:
        if self.send_window_start >= self.send_window_end:
            raise ValidationError({"send_window_end": "The send window must end after it starts."})


class Membership(models.Model):
    class Role(models.TextChoices):
        # What each role may do: talentcircles/permissions.py (ROLE_CAPABILITIES), docs/roles.md.
        ADMIN = "admin", "Admin"
        RECRUITER = "recruiter", "Recruiter"
        COORDINATOR = "coordinator", "Coordinator"
        READ_ONLY = "read_only", "Read-only (hiring manager)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RECRUITER)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_user_org_unique")]
        ordering = ["organization__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.role})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN


class Invitation(models.Model):
    """An admin's invitation for someone to join with a role; the link is signed and expires."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Membership.Role.choices, default=Membership.Role.RECRUITER)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "accepted_at"])]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization}"


def _token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(OrgScopedQuerySet):
    def for_org(self, org: Organization | int) -> ApiTokenQuerySet:
        return self.filter(membership__organization=org)

    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """An API key bound to one membership, so to one organisation. Only its hash is stored."""

    KEY_PREFIX = "tc_"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    key_digest = models.CharField(max_length=64, unique=True)
    key_hint = models.CharField(max_length=12, help_text="The key's first characters, to recognise it.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The token acts with its member's role as it is now; read-only keeps only reading (permissions.py).
    read_only = models.BooleanField(
        default=False, help_text="Read-only tokens can read but never change anything, whatever their member's role."
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_hint}…)"

    @classmethod
    def new_key(cls) -> str:
        return cls.KEY_PREFIX + secrets.token_urlsafe(30)

    @staticmethod
    def digest(key: str) -> str:
        return _token_digest(key)


# Models of talentcircles' own parts (the audit trail, webhooks out), so Django registers them with this app.
from talentcircles.audit.models import AuditEntry  # noqa: E402, F401
from talentcircles.webhooks_out.models import WebhookDelivery, WebhookEndpoint  # noqa: E402, F401
