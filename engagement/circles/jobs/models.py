"""Openings a community recruits for: `Job`, with its status from draft to filled or closed, and
`JobInterest`, a person's raised hand for one."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet


class JobQuerySet(OrgScopedQuerySet):
    def open(self) -> JobQuerySet:
        """The jobs the portal shows: open ones only (drafts, held, filled and closed ones are 404 there)."""
        return self.filter(status=Job.Status.OPEN)


class Job(models.Model):
    """An opening: what the role is, where, for whom, and where it stands."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        ON_HOLD = "on_hold", "On hold"
        FILLED = "filled", "Filled"
        CLOSED = "closed", "Closed"

    class RemotePolicy(models.TextChoices):
        ONSITE = "onsite", "On site"
        HYBRID = "hybrid", "Hybrid"
        REMOTE = "remote", "Remote"

    class EmploymentType(models.TextChoices):
        # The values schema.org's JobPosting.employmentType names, lower-cased.
        FULL_TIME = "full_time", "Full time"
        PART_TIME = "part_time", "Part time"
        CONTRACTOR = "contractor", "Contract"
        TEMPORARY = "temporary", "Temporary"
        INTERN = "intern", "Internship"

    class Seniority(models.TextChoices):
        ANY = "", "Not specified"
        JUNIOR = "junior", "Junior"
        MID = "mid", "Mid-level"
        SENIOR = "senior", "Senior"
        LEAD = "lead", "Lead"
        PRINCIPAL = "principal", "Principal"
        MANAGER = "manager", "Manager"
        DIRECTOR = "director", "Director"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=90, help_text="The job's address in the portal; stays when the title changes.")
    team = models.CharField(max_length=120, blank=True)
    description = models.TextField(blank=True, help_text="Markdown.")
    description_html = models.TextField(blank=True, editable=False, help_text="The description rendered and sanitised.")
    locations = models.JSONField(default=list, blank=True, help_text="Cities or regions, as typed.")
    remote_policy = models.CharField(max_length=10, choices=RemotePolicy.choices, default=RemotePolicy.ONSITE)
    employment_type = models.CharField(max_length=12, choices=EmploymentType.choices, default=EmploymentType.FULL_TIME)
    seniority = models.CharField(max_length=10, choices=Seniority.choices, blank=True, default=Seniority.ANY)
    skills = models.JSONField(default=list, blank=True, help_text="Skills wanted, as typed.")
    salary_min = models.PositiveIntegerField(null=True, blank=True)
    salary_max = models.PositiveIntegerField(null=True, blank=True)
    salary_currency = models.CharField(max_length=3, blank=True, help_text="ISO 4217, e.g. EUR.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    hiring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ats_url = models.URLField(blank=True, max_length=500, help_text="The posting in your applicant tracking system.")
    # Circles of the same organisation the job is shared to (services.job_share checks); the public
    # ones list it on their portal page while it is open. The through table's (job, circle) key and
    # its circle index serve both directions.
    circles = models.ManyToManyField("engagement.Circle", blank=True, related_name="jobs")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True, help_text="When it was last opened.")
    closed_at = models.DateTimeField(null=True, blank=True, help_text="When it was filled or closed.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="job_org_slug_unique"),
            models.CheckConstraint(
                condition=Q(salary_min__isnull=True) | Q(salary_max__isnull=True) | Q(salary_min__lte=F("salary_max")),
                name="job_salary_min_not_above_max",
            ),
        ]
        indexes = [
            # The recruiter list (all, or by status) and the portal's open jobs, newest first.
            models.Index(fields=["organization", "status", "-created_at"], name="job_org_status_created"),
            models.Index(fields=["organization", "-created_at"], name="job_org_created"),
        ]

    def __str__(self) -> str:
        return self.title


class JobInterest(models.Model):
    """A candidate interested in a job: a relationship a recruiter follows up, not an application form."""

    class Source(models.TextChoices):
        PORTAL = "portal", "Raised a hand in the portal"
        RECRUITER = "recruiter", "Added by a recruiter"
        REPLY = "reply", "Said so in a reply"

    class Status(models.TextChoices):
        INTERESTED = "interested", "Interested"
        SHORTLISTED = "shortlisted", "Shortlisted"
        HANDED_TO_ATS = "handed_to_ats", "Handed to the ATS"
        NOT_A_FIT = "not_a_fit", "Not a fit"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Reason(models.TextChoices):
        """Why a person is not a fit: a short list, with free text beside it."""

        NONE = "", "—"
        SKILLS = "skills", "Skills do not match the role"
        SENIORITY = "seniority", "Experience level"
        LOCATION = "location", "Location or way of working"
        SALARY = "salary", "Salary expectations"
        TIMING = "timing", "Timing"
        ROLE_FILLED = "role_filled", "The role went to someone else"
        OTHER = "other", "Other"

    # db_index=False: reads start from the job (job_interest_board) or the candidate (the unique key's twin).
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="interests", db_index=False)
    candidate = models.ForeignKey("candidates.Candidate", on_delete=models.CASCADE, related_name="job_interests")
    source = models.CharField(max_length=10, choices=Source.choices)
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.INTERESTED)
    note = models.TextField(blank=True, help_text="What the person wrote when raising a hand.")
    # One of the person's own résumés, chosen with the interest (never uploaded here).
    resume = models.ForeignKey("candidates.Resume", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True, help_text="Why not a fit.")
    reason_note = models.CharField(max_length=300, blank=True, help_text="Not a fit: the recruiter's words.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["job", "candidate"], name="job_interest_once")]
        indexes = [models.Index(fields=["job", "status", "-created_at"], name="job_interest_board")]

    def __str__(self) -> str:
        return f"{self.candidate_id} interested in {self.job_id}"
