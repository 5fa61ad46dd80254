"""Messages about a job: its template tokens, and which conversations were started about it.

Messaging may not import the jobs, so they are registered with it as a topic (`messaging.topics`)
from `EngagementConfig.ready()`: a bulk message or an enrolment "about the job" is rendered with
`{{ job.title }}`, `{{ job.url }}` (the job's public page) and the rest filled from the job, and
messaging reports each conversation it starts about the job inside its own transaction; each is one
`JobOutreach` row here (messaging keeps no engagement ids). The job's response rate
(engagement/analytics/jobs.py) counts these conversations.
"""

from __future__ import annotations

from django.db import models
from django.urls import reverse

from engagement.circles.jobs.models import Job
from messaging.rendering import join_words
from messaging.topics import TopicSource, register_topic_source
from talentcircles.models import Organization
from talentcircles.portal_context import site_url
from talentcircles.tenancy import OrgScopedQuerySet

KIND = "job"


class JobOutreach(models.Model):
    """A conversation started about a job: a bulk message from "who fits", or a sequence enrolled for it."""

    thread = models.OneToOneField(
        "messaging.Thread", on_delete=models.CASCADE, primary_key=True, related_name="job_outreach"
    )
    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="outreach")
    # db_index=False: every read starts from a thread or a job.
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        app_label = "engagement"

    def __str__(self) -> str:
        return f"Thread {self.thread_id} about job {self.job_id}"


def job_outreach_record(org: Organization, job_id: int, thread_ids: list[int]) -> None:
    """Link the organisation's new threads to its job `job_id`; another organisation's job links nothing.

    Runs in the caller's transaction (messaging's write of the threads); a linked thread keeps its job.
    """
    if not Job.objects.for_org(org).filter(pk=job_id).exists():
        return
    JobOutreach.objects.bulk_create(
        [JobOutreach(thread_id=pk, job_id=job_id, organization_id=org.pk) for pk in thread_ids],
        ignore_conflicts=True,
    )


def job_public_url(job: Job) -> str:
    """The job's public page on SITE_URL; "" while it is not open (the page would be a 404)."""
    if job.status != Job.Status.OPEN:
        return ""
    return site_url(reverse("portal_job_detail", args=[job.organization.slug, job.slug]))


def _where(job: Job) -> str:
    places = ", ".join(job.locations or [])
    if job.remote_policy == Job.RemotePolicy.REMOTE:
        return f"Remote ({places})" if places else "Remote"
    return places


def _load(org: Organization, pk: int) -> Job | None:
    return Job.objects.for_org(org).select_related("organization").filter(pk=pk).first()


JOB_TOPIC = TopicSource(
    kind=KIND,
    noun="job",
    tokens={
        "job.title": ("The job's title (messages about a job only).", "the role", lambda job: job.title),
        "job.url": ("The job's public page (an open job only).", "our careers page", job_public_url),
        "job.location": ("Where the job is, e.g. “Berlin” or “Remote”.", "with us", _where),
        "job.team": ("The job's team.", "our team", lambda job: job.team),
        "job.skills": ("Up to five of the skills the job asks for.", "your skills", lambda j: join_words(j.skills[:5])),
    },
    load=_load,
    label=lambda job: f"the job “{job.title}”",
    outreach_started=job_outreach_record,
)


def register_job_topic() -> None:
    """Called from EngagementConfig.ready()."""
    register_topic_source(JOB_TOPIC)
