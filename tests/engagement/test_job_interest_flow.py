"""Jobs from opening to interest, at the service layer: sharing to circles, deleting drafts, raising a
hand with a note and résumé, recruiters adding and moving interest, withdrawing, and erasure."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from candidates.merge import candidate_merge
from candidates.models import ConsentRecord
from candidates.privacy import candidate_erase
from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.interest import (
    job_interest_add,
    job_interest_move,
    job_interest_raise,
    job_interest_withdraw,
)
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.jobs.privacy import job_interests_data
from engagement.timeline.models import Activity
from tests.engagement.job_support import attach_resume, make_circle, make_job
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def _timeline(candidate) -> list[Activity]:
    return list(Activity.objects.filter(candidate=candidate, kind=Activity.Kind.JOB_INTEREST).order_by("id"))


# --- Sharing and deleting ------------------------------------------------------------------------


def test_a_job_is_shared_to_its_organisations_circles_and_never_to_anothers(acme, globex):
    job = make_job(acme)
    ours, other = make_circle(acme), make_circle(acme, "Data people", visibility="private")
    jobs.job_share(job=job, circles=[ours, other])
    assert set(job.circles.all()) == {ours, other}
    theirs = make_circle(globex)
    with pytest.raises(ValidationError) as refused:
        jobs.job_share(job=job, circles=[ours, theirs])
    assert "circles" in refused.value.message_dict
    assert set(job.circles.all()) == {ours, other}  # unchanged
    jobs.job_share(job=job, circles=[])
    assert not job.circles.exists()


def test_only_a_draft_can_be_deleted(acme):
    draft = make_job(acme, title="Draft")
    jobs.job_delete(job=draft)
    assert not Job.objects.filter(pk=draft.pk).exists()
    opened = make_job(acme, title="Opened", open_it=True)
    with pytest.raises(ValidationError) as refused:
        jobs.job_delete(job=opened)
    assert "Close it instead" in refused.value.messages[0]
    closed = jobs.job_close(job=opened)
    with pytest.raises(ValidationError):
        jobs.job_delete(job=closed)
    assert Job.objects.filter(pk=opened.pk).exists()


# --- Raising a hand ----------------------------------------------------------------------------------


def test_a_hand_is_raised_with_a_note_and_one_of_their_own_resumes(acme):
    candidate = CandidateFactory(organization=acme.org)
    resume = attach_resume(candidate)
    job = make_job(acme, open_it=True)
    interest = job_interest_raise(candidate=candidate, job=job, note="  Free from March.  ", resume=resume)
    assert (interest.note, interest.resume, interest.source) == ("Free from March.", resume, "portal")
    [activity] = _timeline(candidate)
    assert activity.body == "Free from March." and activity.details["resume_id"] == resume.pk
    # Raising it again keeps one interest, and a new note replaces the old one.
    job_interest_raise(candidate=candidate, job=job, note="Free from April.")
    interest.refresh_from_db()
    assert interest.note == "Free from April." and interest.resume == resume and len(_timeline(candidate)) == 1


def test_someone_elses_resume_or_a_long_note_is_refused_and_nothing_is_written(acme):
    candidate, stranger = CandidateFactory(organization=acme.org), CandidateFactory(organization=acme.org)
    job = make_job(acme, open_it=True)
    with pytest.raises(ValidationError) as refused:
        job_interest_raise(candidate=candidate, job=job, resume=attach_resume(stranger))
    assert "resume" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        job_interest_raise(candidate=candidate, job=job, note="x" * 2001)
    assert "note" in refused.value.message_dict
    assert not JobInterest.objects.exists() and not _timeline(candidate)


# --- Recruiters adding and moving ----------------------------------------------------------------


def test_a_recruiter_adds_someones_interest_once(acme):
    candidate = CandidateFactory(organization=acme.org)
    job = make_job(acme, open_it=True)
    interest, created = job_interest_add(job=job, candidate=candidate, actor=acme.user, source="reply")
    assert created and (interest.source, interest.status) == ("reply", "interested")
    [activity] = _timeline(candidate)
    assert activity.actor == acme.user and "said so in a reply" in activity.summary
    again, created = job_interest_add(job=job, candidate=candidate, actor=acme.user)
    assert again.pk == interest.pk and not created and len(_timeline(candidate)) == 1


def test_a_recruiter_cannot_add_to_a_draft_another_organisation_or_after_a_withdrawal(acme, globex):
    candidate = CandidateFactory(organization=acme.org)
    with pytest.raises(ValidationError):
        job_interest_add(job=make_job(acme, title="Draft"), candidate=candidate, actor=acme.user)
    with pytest.raises(ValidationError):
        job_interest_add(job=make_job(globex, open_it=True), candidate=candidate, actor=acme.user)
    job = make_job(acme, open_it=True)
    with pytest.raises(ValidationError):
        job_interest_add(job=job, candidate=candidate, actor=acme.user, source="portal")
    interest = job_interest_raise(candidate=candidate, job=job)
    job_interest_withdraw(interest=interest)
    with pytest.raises(ValidationError) as refused:
        job_interest_add(job=job, candidate=candidate, actor=acme.user)
    assert "only they can raise a hand again" in refused.value.messages[0]
    interest.refresh_from_db()
    assert interest.status == "withdrawn"


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["shortlisted", "handed_to_ats", "shortlisted", "interested"], True),
        (["not_a_fit", "shortlisted"], True),
        (["handed_to_ats", "interested"], False),
        (["not_a_fit", "handed_to_ats"], False),
        (["withdrawn"], False),
        (["hired"], False),
    ],
)
def test_recruiters_move_interest_only_along_the_allowed_transitions(acme, path, allowed):
    candidate = CandidateFactory(organization=acme.org)
    interest = job_interest_raise(candidate=candidate, job=make_job(acme, open_it=True))
    *steps, last = path
    for status in steps:
        job_interest_move(interest=interest, status=status, actor=acme.user, reason="skills")
    if allowed:
        job_interest_move(interest=interest, status=last, actor=acme.user, reason="skills")
        interest.refresh_from_db()
        assert interest.status == last and len(_timeline(candidate)) == 1 + len(path)
    else:
        with pytest.raises(ValidationError) as refused:
            job_interest_move(interest=interest, status=last, actor=acme.user, reason="skills")
        assert "status" in refused.value.message_dict
        interest.refresh_from_db()
        assert interest.status == (steps[-1] if steps else "interested")


def test_not_a_fit_needs_a_reason_from_the_list_and_keeps_the_recruiters_words(acme):
    candidate = CandidateFactory(organization=acme.org)
    interest = job_interest_raise(candidate=candidate, job=make_job(acme, title="Data Engineer", open_it=True))
    for reason in ("", "vibes"):
        with pytest.raises(ValidationError) as refused:
            job_interest_move(interest=interest, status="not_a_fit", actor=acme.user, reason=reason)
        assert "reason" in refused.value.message_dict
    moved = job_interest_move(
        interest=interest, status="not_a_fit", actor=acme.user, reason="salary", reason_note="Wants 30% more"
    )
    assert (moved.status, moved.reason, moved.reason_note) == ("not_a_fit", "salary", "Wants 30% more")
    activity = _timeline(candidate)[-1]
    assert activity.summary == "Job “Data Engineer”: interested → not a fit (salary expectations)"
    assert activity.body == "Wants 30% more" and activity.details["previous"] == "interested"
    # Reconsidered: the reason goes with the status.
    back = job_interest_move(interest=interest, status="shortlisted", actor=acme.user)
    assert (back.status, back.reason, back.reason_note) == ("shortlisted", "", "")


# --- Withdrawing, and erasure --------------------------------------------------------------------


def test_the_candidate_withdraws_and_raising_a_hand_again_starts_over(acme):
    candidate = CandidateFactory(organization=acme.org)
    job = make_job(acme, open_it=True)
    interest = job_interest_raise(candidate=candidate, job=job)
    job_interest_move(interest=interest, status="not_a_fit", actor=acme.user, reason="timing")
    withdrawn = job_interest_withdraw(interest=interest)
    assert withdrawn.status == "withdrawn" and "Withdrew" in _timeline(candidate)[-1].summary
    job_interest_withdraw(interest=interest)  # twice is harmless
    assert len(_timeline(candidate)) == 3
    with pytest.raises(ValidationError):
        job_interest_move(interest=interest, status="shortlisted", actor=acme.user)
    again = job_interest_raise(candidate=candidate, job=job, note="Changed my mind")
    assert (again.status, again.reason, again.note) == ("interested", "", "Changed my mind")


def test_my_data_lists_interests_and_erasure_drops_the_words_and_resume(acme):
    candidate = CandidateFactory(organization=acme.org)
    job = make_job(acme, title="Data Engineer", open_it=True)
    interest = job_interest_raise(candidate=candidate, job=job, note="Call me", resume=attach_resume(candidate))
    job_interest_move(interest=interest, status="not_a_fit", actor=acme.user, reason="skills", reason_note="No Go")
    [row] = job_interests_data(candidate)
    assert (row["job"], row["note"], row["resume"]) == ("Data Engineer", "Call me", "Mia CV.pdf")
    assert (row["status"], row["reason_note"]) == ("not_a_fit", "No Go")
    candidate_erase(candidate=candidate, source=ConsentRecord.Source.RECRUITER, actor=acme.user)
    interest.refresh_from_db()
    assert (interest.note, interest.reason_note, interest.resume) == ("", "", None)
    assert (interest.status, interest.job) == ("not_a_fit", job)  # the anonymous count stays


def test_a_merge_moves_interests_to_the_kept_record_without_doubling_one(acme):
    kept = CandidateFactory(organization=acme.org)
    other = CandidateFactory(organization=acme.org)
    both, only_other = make_job(acme, title="Both", open_it=True), make_job(acme, title="Only other", open_it=True)
    job_interest_raise(candidate=kept, job=both)
    job_interest_raise(candidate=other, job=both, note="duplicate")
    moved = job_interest_raise(candidate=other, job=only_other, note="Mine")
    candidate_merge(org=acme.org, keep=kept, other=other, choices={}, actor=acme.user)
    assert sorted(JobInterest.objects.values_list("job__title", "candidate_id")) == [
        ("Both", kept.pk),
        ("Only other", kept.pk),
    ]
    moved.refresh_from_db()
    assert moved.note == "Mine"
