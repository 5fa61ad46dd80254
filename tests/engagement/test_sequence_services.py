"""Building sequences and enrolling candidates: validation, skip reasons, bulk and background enrolment."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from candidates.models import Candidate, ConsentRecord
from engagement.circles.models import CircleMembership
from engagement.sequences.builder import sequence_create, sequence_pause, sequence_update, steps_reorder
from engagement.sequences.enrolment import enrollments_create
from engagement.sequences.lifecycle import (
    enrollment_pause,
    enrollment_resume,
    enrollment_stop,
    enrollments_postpone_for_candidate,
    enrollments_stop_for_candidate,
)
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence
from tests.engagement.sequence_support import (
    MONDAY_10,
    candidate,
    enrol,
    make_sequence,
    on_london_time,
    template,
    three_steps,
)
from tests.factories import CircleFactory, MessageTemplateFactory, UserFactory


@pytest.fixture(autouse=True)
def _london(acme):
    on_london_time(acme.org)


def errors_of(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


# --- Building -------------------------------------------------------------------------------------


def test_it_creates_a_sequence_with_its_steps_in_order(acme):
    sequence = make_sequence(acme)
    steps = list(sequence.steps.all())
    assert [(s.order, s.kind) for s in steps] == [(1, "email"), (2, "email"), (3, "task")]
    assert steps[1].delay_hours == 72 and steps[1].same_thread
    assert steps[2].task_text == "Call them" and steps[2].template is None
    assert sequence.status == Sequence.Status.ACTIVE and sequence.owner == acme.user


def test_an_email_step_without_a_template_is_refused_with_the_field(acme):
    steps = three_steps(acme)
    steps[1]["template"] = None
    assert "steps[1].template" in errors_of(lambda: make_sequence(acme, steps))
    assert not Sequence.objects.exists()


@pytest.mark.parametrize("delay", [0, -5])
def test_a_follow_up_needs_a_positive_delay(acme, delay):
    steps = three_steps(acme)
    steps[1]["delay_hours"] = delay
    assert "steps[1].delay_hours" in errors_of(lambda: make_sequence(acme, steps))


def test_the_first_step_may_go_out_at_once_but_not_with_a_negative_delay(acme):
    steps = three_steps(acme, delay_hours=-1)
    assert "steps[0].delay_hours" in errors_of(lambda: make_sequence(acme, steps))


def test_another_organisations_template_is_unknown(acme, globex):
    steps = three_steps(acme)
    steps[0]["template"] = MessageTemplateFactory(organization=globex.org).pk
    assert errors_of(lambda: make_sequence(acme, steps))["steps[0].template"] == ["Unknown template."]


def test_a_task_step_needs_its_text_and_bad_input_names_its_fields(acme):
    steps = three_steps(acme)
    steps[2]["task_text"] = " "
    steps[1]["kind"] = "sms"
    steps[1]["delay_hours"] = "soon"
    errors = errors_of(lambda: make_sequence(acme, steps))
    assert {"steps[2].task_text", "steps[1].kind", "steps[1].delay_hours"} <= set(errors)


def test_no_steps_no_name_and_a_half_window_are_refused(acme):
    errors = errors_of(lambda: make_sequence(acme, [{"kind": "email"}], name=""))
    assert "name" in errors
    no_steps = errors_of(lambda: sequence_create(org=acme.org, owner=acme.user, name="x", steps=[]))
    assert no_steps == {"steps": ["Add at least one step."]}
    errors = errors_of(lambda: make_sequence(acme, send_window_start=time(9)))
    assert "send_window_end" in errors


def test_steps_are_renumbered_by_their_order(acme):
    steps = three_steps(acme)
    steps[0]["order"], steps[1]["order"], steps[2]["order"] = 10, 20, 30
    sequence = make_sequence(acme, steps)
    assert list(sequence.steps.values_list("order", flat=True)) == [1, 2, 3]


def test_reordering_steps_keeps_them_and_checks_the_delays(acme):
    sequence = make_sequence(acme)
    first, second, third = sequence.steps.all()
    steps_reorder(sequence=sequence, step_ids=[first.pk, third.pk, second.pk])
    assert list(sequence.steps.values_list("pk", flat=True)) == [first.pk, third.pk, second.pk]
    # The first step has no delay: it can't become a follow-up.
    assert "steps[1].delay_hours" in errors_of(
        lambda: steps_reorder(sequence=sequence, step_ids=[second.pk, first.pk, third.pk])
    )
    assert "steps" in errors_of(lambda: steps_reorder(sequence=sequence, step_ids=[first.pk]))


def test_editing_steps_keeps_running_enrollments_on_the_steps_not_yet_run(acme):
    sequence = make_sequence(acme)
    first, second, _ = sequence.steps.all()
    person = candidate(acme)
    enrollment = enrol(acme, sequence, [person]).enrolled[0]
    Enrollment.objects.filter(pk=enrollment.pk).update(steps_done=1, next_step=second)
    new_template = template(acme, subject="Rewritten")
    sequence_update(
        sequence=sequence,
        steps=[
            {"id": first.pk, "kind": "email", "template": first.template_id},
            {"id": second.pk, "kind": "email", "template": new_template.pk, "delay_hours": 48},
        ],
    )
    enrollment.refresh_from_db()
    assert enrollment.next_step_id == second.pk
    assert enrollment.next_step.template == new_template and enrollment.state == "active"
    # Removing the step it waits for: nothing left to run, so it is complete.
    sequence_update(sequence=sequence, steps=[{"id": first.pk, "kind": "email", "template": first.template_id}])
    enrollment.refresh_from_db()
    assert enrollment.state == "completed"


def test_archiving_a_sequence_stops_its_enrollments(acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    sequence_update(sequence=sequence, status="archived")
    enrollment.refresh_from_db()
    assert enrollment.state == "stopped" and "archived" in enrollment.stop_reason
    assert "sequence" in errors_of(lambda: enrol(acme, sequence, [candidate(acme)]))


# --- Enrolling ------------------------------------------------------------------------------------


def test_it_enrols_and_schedules_the_first_step_in_the_candidates_window(acme):
    sequence = make_sequence(acme)
    here, there = candidate(acme), candidate(acme, time_zone="America/Los_Angeles")
    result = enrol(acme, sequence, [here, there])
    assert not result.skipped
    runs = {e.candidate_id: e.next_run_at for e in Enrollment.objects.all()}
    assert runs[here.pk] == MONDAY_10
    assert runs[there.pk] == MONDAY_10.replace(hour=17)  # 09:00 in Los Angeles
    enrollment = Enrollment.objects.get(candidate=here)
    assert enrollment.next_step.order == 1 and enrollment.enrolled_by == acme.user and enrollment.steps_done == 0


def test_it_skips_candidates_with_reasons(acme, globex):
    from candidates.consent import consent_record

    sequence = make_sequence(acme)
    ok = candidate(acme)
    unsubscribed = candidate(acme, unsubscribed_at=timezone.now())
    dnc = candidate(acme, do_not_contact=True)
    bounced = candidate(acme, email_undeliverable=True)
    erased = candidate(acme, erased_at=timezone.now())
    withdrawn = candidate(acme)
    consent_record(candidate=withdrawn, purpose=ConsentRecord.Purpose.MESSAGES, granted=False, source="recruiter")
    hired = candidate(acme, stage=Candidate.Stage.HIRED)
    enrolled = candidate(acme)
    enrol(acme, sequence, [enrolled])
    foreign = candidate(globex)
    people = [ok, unsubscribed, dnc, bounced, erased, withdrawn, hired, enrolled, foreign]
    result = enrol(acme, sequence, people)
    assert [e.candidate_id for e in result.enrolled] == [ok.pk]
    assert result.skipped == {
        unsubscribed.pk: "unsubscribed",
        dnc.pk: "do_not_contact",
        bounced.pk: "undeliverable",
        erased.pk: "erased",
        withdrawn.pk: "no_consent",
        hired.pk: "final_stage",
        enrolled.pk: "already_enrolled",
        foreign.pk: "other_organization",
    }
    labels = {row["reason"]: row["label"] for row in result.skipped_with_labels()}
    assert labels["already_enrolled"] == "Already enrolled in this sequence"
    assert not Enrollment.objects.filter(candidate=foreign).exists()


def test_a_finished_enrollment_does_not_block_enrolling_again(acme):
    sequence = make_sequence(acme)
    person = candidate(acme)
    enrollment_stop(enrollment=enrol(acme, sequence, [person]).enrolled[0])
    assert len(enrol(acme, sequence, [person]).enrolled) == 1


def test_it_enrols_a_whole_circle_and_refuses_another_organisations(acme, globex):
    sequence = make_sequence(acme)
    circle = CircleFactory(organization=acme.org)
    people = [candidate(acme) for _ in range(3)]
    for person in people:
        CircleMembership.objects.create(circle=circle, candidate=person, joined_via="recruiter")
    result = enrollments_create(org=acme.org, sequence=sequence, enrolled_by=acme.user, circle=circle, now=MONDAY_10)
    assert sorted(e.candidate_id for e in result.enrolled) == sorted(p.pk for p in people)
    other = CircleFactory(organization=globex.org)
    errors = errors_of(lambda: enrollments_create(org=acme.org, sequence=sequence, enrolled_by=acme.user, circle=other))
    assert "circle" in errors


def test_enrolment_runs_a_constant_number_of_queries(acme):
    sequence = make_sequence(acme)
    few, many = [candidate(acme) for _ in range(3)], [candidate(acme) for _ in range(40)]
    many[5].do_not_contact = True
    many[5].save()
    counts = []
    for people in (few, many):
        with CaptureQueriesContext(connection) as queries:
            enrol(acme, sequence, people)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Enrollment.objects.count() == 42


def test_a_large_enrolment_runs_in_the_background_with_progress(acme, django_capture_on_commit_callbacks, monkeypatch):
    from engagement.sequences import enrolment_batches

    monkeypatch.setattr(enrolment_batches, "ENROLMENT_CHUNK", 4)
    sequence = make_sequence(acme)
    people = [candidate(acme) for _ in range(10)]
    people[0].do_not_contact = True
    people[0].save()
    with django_capture_on_commit_callbacks(execute=True):
        result = enrollments_create(
            org=acme.org, sequence=sequence, enrolled_by=acme.user, candidate_ids=[p.pk for p in people],
            background_threshold=5,
        )  # fmt: skip
    assert result.job is not None and not result.enrolled
    job = EnrollmentJob.objects.get(pk=result.job.pk)
    assert (job.status, job.total, job.processed, job.enrolled, job.skipped) == ("done", 10, 10, 9, 1)
    assert job.skipped_reasons == {"do_not_contact": 1}
    assert Enrollment.objects.filter(sequence=sequence).count() == 9


def test_a_background_job_run_again_resumes_without_enrolling_twice(acme):
    from engagement.sequences.enrolment import enrollment_job_create
    from engagement.sequences.enrolment_batches import enrollment_job_run

    sequence = make_sequence(acme)
    people = [candidate(acme) for _ in range(3)]
    job = enrollment_job_create(org=acme.org, sequence=sequence, enrolled_by=acme.user, ids=[p.pk for p in people])
    enrollment_job_run(job_id=job.pk)
    EnrollmentJob.objects.filter(pk=job.pk).update(status="running", processed=0, enrolled=0, skipped=0)
    job = enrollment_job_run(job_id=job.pk)
    assert Enrollment.objects.count() == 3
    assert job.skipped_reasons.get("already_enrolled") == 3


# --- Pausing, resuming, stopping ---------------------------------------------------------------------


def test_pause_resume_and_stop_an_enrollment(acme):
    enrollment = enrol(acme, make_sequence(acme), [candidate(acme)]).enrolled[0]
    assert enrollment_pause(enrollment=enrollment).state == "paused"
    assert "state" in errors_of(lambda: enrollment_pause(enrollment=enrollment))
    assert enrollment_resume(enrollment=enrollment).state == "active"
    stopped = enrollment_stop(enrollment=enrollment, reason="Talked on the phone")
    assert (stopped.state, stopped.stop_reason, stopped.next_run_at) == ("stopped", "Talked on the phone", None)
    assert "state" in errors_of(lambda: enrollment_stop(enrollment=enrollment))


def test_pausing_a_sequence(acme):
    sequence = sequence_pause(sequence=make_sequence(acme))
    assert sequence.status == "paused"
    # Enrolling in a paused sequence is allowed: nothing goes out until it is resumed.
    assert len(enrol(acme, sequence, [candidate(acme)]).enrolled) == 1


def test_stop_for_candidate_and_postpone(acme):
    sequences = [make_sequence(acme, name=f"S{i}") for i in range(2)]
    person = candidate(acme)
    for sequence in sequences:
        enrol(acme, sequence, [person])
    ids = enrollments_stop_for_candidate(candidate_id=person.pk, reason="Hired elsewhere", now=MONDAY_10)
    assert len(ids) == 2
    assert enrollments_stop_for_candidate(candidate_id=person.pk, reason="again", now=MONDAY_10) == []
    assert set(Enrollment.objects.values_list("stop_reason", flat=True)) == {"Hired elsewhere"}

    other = candidate(acme)
    enrollment = enrol(acme, sequences[0], [other]).enrolled[0]
    assert enrollments_postpone_for_candidate(candidate_id=other.pk, days=3, now=MONDAY_10) == 1
    enrollment.refresh_from_db()
    assert enrollment.next_run_at == MONDAY_10 + timedelta(days=3)
    # The same out-of-office handled twice moves nothing further.
    assert enrollments_postpone_for_candidate(candidate_id=other.pk, days=3, now=MONDAY_10) == 0


def test_owner_must_be_a_member(acme):
    stranger = UserFactory()
    errors = errors_of(lambda: make_sequence(acme) and sequence_update(sequence=Sequence.objects.get(), owner=stranger))
    assert "owner" in errors
