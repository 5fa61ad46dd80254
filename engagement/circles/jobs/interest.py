"""Interest in jobs: a relationship a recruiter follows up, not an application form.

A candidate raises a hand for an open job in the portal (with an optional note and one of their own
résumés), or a recruiter adds them (they said so on a call or in a reply). Recruiters then move the
interest along: shortlisted, handed to the ATS, not a fit (with a reason). Only the candidate
withdraws, and only the candidate raises a hand again after withdrawing. There is one row per
(job, candidate); every change is on the candidate's timeline. Each function runs in one
transaction and raises ValidationError with a message a person can act on, writing nothing.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from candidates.models import Candidate, Resume
from engagement.circles.jobs.models import Job, JobInterest
from engagement.timeline.models import Activity
from engagement.timeline.services import activity_record
from talentcircles.models import User
from talentcircles.webhooks_out.outbox import webhook_event_record

Status = JobInterest.Status
Reason = JobInterest.Reason
MAX_NOTE_LENGTH = 2000
MAX_REASON_NOTE_LENGTH = 300
# Where a recruiter may move an interest from each status. Nobody but the candidate withdraws, and
# a withdrawn interest comes back only when the candidate raises a hand again.
RECRUITER_MOVES: dict[str, frozenset[str]] = {
    Status.INTERESTED: frozenset({Status.SHORTLISTED, Status.HANDED_TO_ATS, Status.NOT_A_FIT}),
    Status.SHORTLISTED: frozenset({Status.INTERESTED, Status.HANDED_TO_ATS, Status.NOT_A_FIT}),
    Status.HANDED_TO_ATS: frozenset({Status.SHORTLISTED, Status.NOT_A_FIT}),
    Status.NOT_A_FIT: frozenset({Status.INTERESTED, Status.SHORTLISTED}),
    Status.WITHDRAWN: frozenset(),
}
# A recruiter adds people to jobs that are still being filled; the portal offers open ones only.
RECRUITER_JOB_STATUSES = (Job.Status.OPEN, Job.Status.ON_HOLD)


def _record(interest: JobInterest, job: Job, *, summary: str, actor_id: int | None, body: str = "", **details) -> None:
    activity_record(
        organization_id=interest.organization_id,
        candidate_id=interest.candidate_id,
        kind=Activity.Kind.JOB_INTEREST,
        summary=summary[:300],
        body=body,
        actor_id=actor_id,
        details={"job_id": job.pk, "source": interest.source, "status": interest.status, **details},
    )


def _announce(interest: JobInterest) -> None:
    """`job.interest_created` for webhooks out, in this transaction (a hand raised again counts too)."""
    webhook_event_record(organization_id=interest.organization_id, event_type="job.interest_created",
                         candidate_id=interest.candidate_id,
                         data={"job_id": interest.job_id, "interest_id": interest.pk})  # fmt: skip


def _check_note_and_resume(candidate: Candidate, note: str, resume: Resume | None) -> None:
    errors: dict[str, list[str]] = {}
    if len(note) > MAX_NOTE_LENGTH:
        errors["note"] = [f"Keep the note under {MAX_NOTE_LENGTH:,} characters."]
    if resume is not None and resume.candidate_id != candidate.pk:
        errors["resume"] = ["Choose one of your own résumés."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def job_interest_raise(
    *,
    candidate: Candidate,
    job: Job,
    note: str = "",
    resume: Resume | None = None,
    source: str = JobInterest.Source.PORTAL,
    actor_id: int | None = None,
) -> JobInterest:
    """The candidate is interested in the open job: one row per (job, candidate), on the candidate's
    timeline the first time (and again after a withdrawal). Raising it again keeps the status and
    replaces the note and résumé when new ones are given."""
    note = (note or "").strip()
    if job.organization_id != candidate.organization_id or job.status != Job.Status.OPEN:
        raise ValidationError("This job is not open any more.")
    _check_note_and_resume(candidate, note, resume)
    interest, created = JobInterest.objects.select_for_update().get_or_create(
        job=job,
        candidate=candidate,
        defaults={"organization_id": job.organization_id, "source": source, "note": note, "resume": resume},
    )
    if not created and interest.status != Status.WITHDRAWN:
        if note or resume is not None:
            interest.note = note or interest.note
            interest.resume = resume or interest.resume
            interest.updated_at = timezone.now()
            interest.save(update_fields=["note", "resume", "updated_at"])
        return interest
    if not created:
        interest.status, interest.note, interest.resume = Status.INTERESTED, note, resume
        interest.reason, interest.reason_note, interest.updated_at = Reason.NONE, "", timezone.now()
        interest.save(update_fields=["status", "note", "resume", "reason", "reason_note", "updated_at"])
    _record(
        interest,
        job,
        summary=f"Interested in the job “{job.title}”",
        actor_id=candidate.user_id if actor_id is None else actor_id,
        body=note,
        resume_id=resume.pk if resume else None,
    )
    _announce(interest)
    return interest


@transaction.atomic
def job_interest_add(
    *, job: Job, candidate: Candidate, actor: User, source: str = JobInterest.Source.RECRUITER
) -> tuple[JobInterest, bool]:
    """A recruiter records that the candidate is interested (they said so on a call, or in a reply).

    Returns the interest and whether it is new; an interest already there is left as it is. A
    candidate who withdrew is not put back: only they can raise a hand again."""
    if source not in (JobInterest.Source.RECRUITER, JobInterest.Source.REPLY):
        raise ValidationError({"source": ["Choose “added by a recruiter” or “said so in a reply”."]})
    if candidate.organization_id != job.organization_id or candidate.erased_at is not None:
        raise ValidationError({"candidate": ["Choose a candidate of your organisation."]})
    if job.status not in RECRUITER_JOB_STATUSES:
        raise ValidationError({"job": ["Only an open job or one on hold takes interest."]})
    interest, created = JobInterest.objects.select_for_update().get_or_create(
        job=job, candidate=candidate, defaults={"organization_id": job.organization_id, "source": source}
    )
    if not created and interest.status == Status.WITHDRAWN:
        raise ValidationError(
            {"candidate": [f"{candidate.full_name} withdrew their interest; only they can raise a hand again."]}
        )
    if created:
        how = "said so in a reply" if source == JobInterest.Source.REPLY else "added by a recruiter"
        _record(interest, job, summary=f"Interested in the job “{job.title}” ({how})", actor_id=actor.pk)
        _announce(interest)
    return interest, created


def _check_move(interest: JobInterest, status: str, reason: str, reason_note: str) -> None:
    if status == Status.WITHDRAWN:
        raise ValidationError({"status": ["Only the candidate can withdraw their interest."]})
    if status not in Status.values:
        choices = ", ".join(value for value in Status.values if value != Status.WITHDRAWN)
        raise ValidationError({"status": [f"Choose one of: {choices}."]})
    if status not in RECRUITER_MOVES[interest.status]:
        current, wanted = Status(interest.status).label.lower(), Status(status).label.lower()
        raise ValidationError({"status": [f"An interest that is {current} cannot become {wanted}."]})
    errors: dict[str, list[str]] = {}
    if status == Status.NOT_A_FIT and (not reason or reason not in Reason.values):
        errors["reason"] = ["Choose why they are not a fit."]
    if len(reason_note) > MAX_REASON_NOTE_LENGTH:
        errors["reason_note"] = [f"Keep it under {MAX_REASON_NOTE_LENGTH} characters."]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def job_interest_move(
    *, interest: JobInterest, status: str, actor: User, reason: str = "", reason_note: str = ""
) -> JobInterest:
    """A recruiter moves the interest (see RECRUITER_MOVES); "not a fit" needs a reason from the short
    list, with optional words beside it. Moving to the status it has already changes nothing."""
    locked = JobInterest.objects.select_for_update().select_related("job").get(pk=interest.pk)
    reason_note = (reason_note or "").strip()
    if status == locked.status:
        return locked
    _check_move(locked, status, reason, reason_note)
    previous = locked.status
    not_a_fit = status == Status.NOT_A_FIT
    locked.status, locked.updated_at = status, timezone.now()
    locked.reason, locked.reason_note = (reason, reason_note) if not_a_fit else (Reason.NONE, "")
    locked.save(update_fields=["status", "reason", "reason_note", "updated_at"])
    summary = f"Job “{locked.job.title}”: {Status(previous).label.lower()} → {Status(status).label.lower()}"
    if not_a_fit:
        summary += f" ({Reason(reason).label.lower()})"
    _record(locked, locked.job, summary=summary, actor_id=actor.pk, body=locked.reason_note, previous=previous,
            reason=locked.reason)  # fmt: skip
    return locked


@transaction.atomic
def job_interest_withdraw(*, interest: JobInterest) -> JobInterest:
    """The candidate withdraws their interest (from any status); recruiters see it, and cannot undo it."""
    locked = JobInterest.objects.select_for_update().select_related("job", "candidate").get(pk=interest.pk)
    if locked.status == Status.WITHDRAWN:
        return locked
    previous = locked.status
    locked.status, locked.updated_at = Status.WITHDRAWN, timezone.now()
    locked.save(update_fields=["status", "updated_at"])
    summary = f"Withdrew their interest in the job “{locked.job.title}”"
    _record(locked, locked.job, summary=summary, actor_id=locked.candidate.user_id, previous=previous)
    return locked
