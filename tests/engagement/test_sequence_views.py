"""The recruiter's sequence pages: list, builder, preview, sequence page, enrol screen, job progress, actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from engagement.circles.models import CircleMembership
from engagement.sequences import enrolment, enrolment_batches, lifecycle
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence
from engagement.timeline.models import Activity
from messaging import outbox
from messaging import services as messaging_services
from messaging.models import Message, Thread
from tests.engagement.sequence_support import candidate, enrol, link_to_step, make_sequence, template, three_steps
from tests.factories import CandidateFactory, CircleFactory, MessageTemplateFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(name: str, tenant, *args) -> str:
    return reverse(name, args=[tenant.org.slug, *args])


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def step_rows(*rows: dict) -> dict:
    """POST data for the builder's steps formset."""
    data = {
        "steps-TOTAL_FORMS": str(len(rows)),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "10",
    }
    for index, row in enumerate(rows):
        defaults = {"kind": "email", "delay": "0", "delay_unit": "hours", "same_thread": "on"}
        for name, value in {**defaults, **row}.items():
            if value is not None:
                data[f"steps-{index}-{name}"] = value
    return data


def circle_with(tenant, *people):
    circle = CircleFactory(organization=tenant.org)
    for person in people:
        CircleMembership.objects.create(circle=circle, candidate=person)
    return circle


# --- The list ------------------------------------------------------------------------------------


def test_the_list_has_an_empty_state(acme):
    response = acme.client.get(url("sequence_list", acme))
    assert response.status_code == 200
    assert b'id="sequences-empty"' in response.content


def test_the_list_shows_steps_active_enrollments_and_the_reply_rate(acme):
    sequence = make_sequence(acme, name="Backend 2026")
    people = [candidate(acme) for _ in range(4)]
    enrol(acme, sequence, people)
    Enrollment.objects.filter(candidate=people[0]).update(steps_done=1, state=Enrollment.State.REPLIED)
    Enrollment.objects.filter(candidate=people[1]).update(steps_done=1)
    response = acme.client.get(url("sequence_list", acme))
    row = response.context["page"].object_list[0]
    assert (row.step_count, row.active_count, row.reply_rate) == (3, 3, 50.0)
    assert b"Backend 2026" in response.content
    assert b'data-reply-rate="50.0"' in response.content


def test_the_list_leaves_archived_sequences_out_unless_asked(acme):
    make_sequence(acme, name="Old one", status=Sequence.Status.ARCHIVED)
    assert b"Old one" not in acme.client.get(url("sequence_list", acme)).content
    assert b"Old one" in acme.client.get(url("sequence_list", acme) + "?archived=1").content


def test_the_list_runs_a_fixed_number_of_queries(acme, django_assert_max_num_queries):
    make_sequence(acme, name="First")
    with django_assert_max_num_queries(20) as few:
        acme.client.get(url("sequence_list", acme))
    for n in range(8):
        sequence = make_sequence(acme, name=f"More {n}")
        enrol(acme, sequence, [candidate(acme)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert acme.client.get(url("sequence_list", acme)).status_code == 200


# --- Building --------------------------------------------------------------------------------------


def test_a_sequence_is_built_with_two_steps(acme):
    first, second = template(acme), template(acme)
    assert acme.client.get(url("sequence_create", acme)).status_code == 200
    data = {"name": "Backend 2026", "action": "save"} | step_rows(
        {"template": first.pk},
        {"template": second.pk, "delay": "3", "delay_unit": "business_days"},
    )
    response = acme.client.post(url("sequence_create", acme), data)
    sequence = Sequence.objects.get(name="Backend 2026")
    assert response.status_code == 302
    assert response["Location"] == url("sequence_detail", acme, sequence.pk)
    steps = list(sequence.steps.order_by("order"))
    assert [(s.template, s.delay_hours, s.delay_business_days) for s in steps] == [(first, 0, 0), (second, 0, 3)]
    assert sequence.owner == acme.user


def test_a_step_without_a_template_is_refused_next_to_the_field(acme):
    data = {"name": "No template", "action": "save"} | step_rows({"template": "", "delay": "2"})
    response = acme.client.post(url("sequence_create", acme), data)
    assert response.status_code == 400
    step = response.context["formset"].forms[0]
    assert step.errors["template"] == ["Choose the template this step sends."]
    assert not Sequence.objects.exists()


def test_a_sequence_without_steps_is_refused(acme):
    data = {"name": "Nothing", "action": "save"} | step_rows({"template": ""})  # an untouched blank row
    response = acme.client.post(url("sequence_create", acme), data)
    assert response.status_code == 400
    assert response.context["formset"].non_form_errors() == ["Add at least one step."]
    assert b'id="steps-errors"' in response.content


def test_a_follow_up_without_a_delay_is_refused(acme):
    first, second = template(acme), template(acme)
    data = {"name": "Too fast", "action": "save"} | step_rows({"template": first.pk}, {"template": second.pk})
    response = acme.client.post(url("sequence_create", acme), data)
    assert response.status_code == 400
    assert "needs a delay" in " ".join(response.context["formset"].forms[1].errors["delay"])
    assert b"nothing was saved" in response.content
    assert not Sequence.objects.exists()


def test_a_negative_delay_is_refused(acme):
    data = {"name": "Backwards", "action": "save"} | step_rows({"template": template(acme).pk, "delay": "-2"})
    response = acme.client.post(url("sequence_create", acme), data)
    assert response.status_code == 400
    assert response.context["formset"].forms[0].errors["delay"]


def test_another_recruiters_personal_template_cannot_be_chosen(acme, colleague):
    personal = MessageTemplateFactory(organization=acme.org, owner=colleague.user, is_shared=False)
    page = acme.client.get(url("sequence_create", acme))
    assert personal.name.encode() not in page.content
    data = {"name": "Borrowed", "action": "save"} | step_rows({"template": personal.pk})
    response = acme.client.post(url("sequence_create", acme), data)
    assert response.status_code == 400
    assert not Sequence.objects.exists()


def test_another_organisations_template_cannot_be_chosen(acme, globex):
    theirs = MessageTemplateFactory(organization=globex.org, owner=globex.user)
    data = {"name": "Borrowed", "action": "save"} | step_rows({"template": theirs.pk})
    assert acme.client.post(url("sequence_create", acme), data).status_code == 400
    assert not Sequence.objects.exists()


def test_add_a_step_renders_another_row_without_saving(acme):
    first = template(acme)
    data = {"name": "Draft", "action": "add"} | step_rows({"template": first.pk})
    response = acme.client.post(url("sequence_create", acme), data)
    assert response.status_code == 200
    formset = response.context["formset"]
    assert len(formset.forms) == 2
    assert str(formset.forms[0].initial["template"]) == str(first.pk)
    assert response.context["form"].initial["name"] == "Draft"
    assert not Sequence.objects.exists()


def test_the_up_and_down_buttons_swap_rows_without_javascript(acme):
    first, second = template(acme), template(acme)
    data = {"name": "Draft", "action": "down-0"} | step_rows(
        {"template": first.pk}, {"template": second.pk, "delay": "48"}
    )
    response = acme.client.post(url("sequence_create", acme), data)
    rows = [form.initial for form in response.context["formset"].forms]
    assert [str(r["template"]) for r in rows] == [str(second.pk), str(first.pk)]
    assert not Sequence.objects.exists()


def test_removing_a_step_drops_it(acme):
    sequence = make_sequence(acme)
    steps = list(sequence.steps.order_by("order"))
    data = {"name": sequence.name, "action": "save"} | step_rows(
        *[
            {
                "id": s.pk,
                "kind": s.kind,
                "template": s.template_id or "",
                "task_text": s.task_text,
                "delay": s.delay_business_days or s.delay_hours,
                "delay_unit": "business_days" if s.delay_business_days else "hours",
            }
            for s in steps
        ]
    )
    data["steps-INITIAL_FORMS"] = "3"
    data["steps-2-DELETE"] = "on"
    response = acme.client.post(url("sequence_edit", acme, sequence.pk), data)
    assert response.status_code == 302, response.context["formset"].errors
    assert list(sequence.steps.values_list("pk", flat=True).order_by("order")) == [steps[0].pk, steps[1].pk]


def test_editing_a_running_sequence_says_changes_apply_to_steps_not_yet_sent(acme):
    sequence = make_sequence(acme)
    enrol(acme, sequence, [candidate(acme)])
    page = acme.client.get(url("sequence_edit", acme, sequence.pk))
    assert page.status_code == 200
    assert b'id="running-notice"' in page.content
    assert b"the changes apply to the steps not yet sent" in page.content
    steps = list(sequence.steps.order_by("order"))
    data = {"name": "Renamed", "action": "save"} | step_rows(
        {"id": steps[0].pk, "template": steps[0].template_id},
        {"id": steps[1].pk, "template": steps[1].template_id, "delay": "96"},
    )
    data["steps-INITIAL_FORMS"] = "2"
    response = acme.client.post(url("sequence_edit", acme, sequence.pk), data)
    assert response.status_code == 302
    assert any("apply to the steps not yet sent" in text for text in flashes(response))
    sequence.refresh_from_db()
    assert sequence.name == "Renamed"
    assert sequence.steps.get(pk=steps[1].pk).delay_hours == 96


def test_a_saved_step_moves_up_on_the_sequence_page(acme):
    first, second = template(acme), template(acme)
    sequence = make_sequence(
        acme,
        steps=[
            {"order": 1, "template": first.pk, "delay_hours": 1},
            {"order": 2, "template": second.pk, "delay_hours": 24},
        ],
    )
    moving = sequence.steps.get(order=2)
    response = acme.client.post(url("sequence_step_move", acme, sequence.pk, moving.pk), {"direction": "up"})
    assert response.status_code == 302
    moving.refresh_from_db()
    assert moving.order == 1


def test_a_move_the_rules_refuse_says_why(acme):
    # Moving the follow-up first would leave the old first step (no delay) as a follow-up.
    sequence = make_sequence(
        acme,
        steps=[
            {"order": 1, "template": template(acme).pk},
            {"order": 2, "template": template(acme).pk, "delay_hours": 24},
        ],
    )
    first = sequence.steps.get(order=1)
    response = acme.client.post(url("sequence_step_move", acme, sequence.pk, first.pk), {"direction": "down"})
    assert response.status_code == 302
    assert any("not moved" in text for text in flashes(response))
    first.refresh_from_db()
    assert first.order == 1


def test_moving_another_sequences_step_is_404(acme):
    sequence, other = make_sequence(acme), make_sequence(acme, name="Other")
    step = other.steps.get(order=1)
    assert (
        acme.client.post(url("sequence_step_move", acme, sequence.pk, step.pk), {"direction": "up"}).status_code == 404
    )


# --- Preview ---------------------------------------------------------------------------------------


def test_the_preview_renders_every_step_for_the_candidate_with_its_score(acme):
    sequence = make_sequence(acme)
    jane = candidate(acme, first_name="Jane", last_name="Roe")
    response = acme.client.get(url("sequence_preview", acme, sequence.pk) + f"?candidate={jane.pk}")
    assert response.status_code == 200
    previews = response.context["previews"]
    assert len(previews) == 3
    assert previews[0]["subject"] == f"Hello from {acme.org.name}"
    assert "Hi Jane" in previews[0]["body"]
    assert 0 <= previews[0]["check"].score <= 100
    assert previews[2]["task"] == "Call them"
    assert b"data-score" in response.content


def test_the_preview_shows_a_token_that_cannot_be_filled(acme):
    needs_company = template(acme, body="Hi {{ candidate.first_name }}, how is {{ candidate.current_company }}?")
    sequence = make_sequence(acme, steps=[{"order": 1, "template": needs_company.pk}])
    jane = candidate(acme, first_name="Jane", current_company="")
    response = acme.client.get(url("sequence_preview", acme, sequence.pk) + f"?candidate={jane.pk}")
    assert response.status_code == 200
    assert "current_company" in response.context["previews"][0]["error"]
    assert b"data-preview-error" in response.content


def test_the_preview_finds_no_candidate_of_another_organisation(acme, globex):
    sequence = make_sequence(acme)
    theirs = CandidateFactory(organization=globex.org)
    response = acme.client.get(url("sequence_preview", acme, sequence.pk) + f"?candidate={theirs.pk}")
    assert response.status_code == 200
    assert response.context["candidate"] is None
    assert b'id="preview-no-match"' in response.content


# --- Status and the sequence page ------------------------------------------------------------------


def test_a_sequence_is_paused_resumed_and_archived(acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    status_url = url("sequence_status", acme, sequence.pk)
    assert acme.client.post(status_url, {"status": "paused"}).status_code == 302
    assert Sequence.objects.get(pk=sequence.pk).status == "paused"
    acme.client.post(status_url, {"status": "active"})
    assert Sequence.objects.get(pk=sequence.pk).status == "active"
    response = acme.client.post(status_url, {"status": "archived"})
    assert response["Location"] == url("sequence_list", acme)
    enrollment.refresh_from_db()
    assert (Sequence.objects.get(pk=sequence.pk).status, enrollment.state) == ("archived", "stopped")


def test_an_unknown_status_changes_nothing(acme):
    sequence = make_sequence(acme)
    response = acme.client.post(url("sequence_status", acme, sequence.pk), {"status": "deleted"})
    assert response.status_code == 302
    assert Sequence.objects.get(pk=sequence.pk).status == "active"


def _sent(message: Message) -> Message:
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT, sent_at=timezone.now())
    return message


def test_the_sequence_page_counts_each_step_and_lists_enrollments(acme):
    sequence = make_sequence(acme)
    first, second, _task = sequence.steps.order_by("order")
    people = [candidate(acme, first_name=f"P{n}") for n in range(4)]
    enrollments = enrol(acme, sequence, people).enrolled
    threads = {}
    for enrollment in enrollments:
        message = _sent(
            outbox.thread_start(
                org=acme.org,
                candidate=enrollment.candidate,
                recruiter=acme.user,
                subject="Hi",
                body="Hello there",
                origin=Thread.Origin.SEQUENCE,
                automated=True,
            )
        )
        link_to_step(message, enrollment, first)
        threads[enrollment.candidate_id] = message.thread
    # P0 answers "Interested" after step 1; P1's address bounces; P2 gets step 2 and says "Not interested".
    messaging_services.message_receive(
        thread=threads[people[0].pk], channel=Message.Channel.CLICK, body_text="", classification="interested"
    )
    Message.objects.filter(thread=threads[people[1].pk]).update(status=Message.Status.BOUNCED)
    follow_up = outbox.message_reply(
        thread=threads[people[2].pk], sender=acme.user, body="Following up", automated=True
    )
    link_to_step(_sent(follow_up), enrollments[2], second)
    messaging_services.message_receive(
        thread=threads[people[2].pk],
        channel=Message.Channel.EMAIL,
        body_text="No thanks",
        classification="not_interested",
        received_at=timezone.now() + timedelta(minutes=5),
    )
    # P3 unsubscribes after step 1.
    Activity.objects.create(
        organization=acme.org,
        candidate=people[3],
        kind=Activity.Kind.UNSUBSCRIBE,
        summary="Unsubscribed",
        occurred_at=timezone.now() + timedelta(minutes=10),
    )

    response = acme.client.get(url("sequence_detail", acme, sequence.pk))
    assert response.status_code == 200
    figures = {row.step.order: row for row in response.context["figures"]}
    assert (figures[1].sent, figures[1].bounced, figures[1].replied, figures[1].interested) == (4, 1, 1, 1)
    assert figures[1].unsubscribed == 1
    assert (figures[2].sent, figures[2].replied, figures[2].not_interested) == (1, 1, 1)
    assert (figures[3].sent, figures[3].replied) == (0, 0)
    assert len(response.context["page"].object_list) == 4
    assert b'id="enrollment-table"' in response.content


def test_next_send_times_are_shown_in_the_viewers_time_zone(acme):
    acme.user.time_zone = "America/New_York"
    acme.user.save()
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    Enrollment.objects.filter(pk=enrollment.pk).update(next_run_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    response = acme.client.get(url("sequence_detail", acme, sequence.pk))
    assert b"Mon 2 Mar, 10:00 EST" in response.content


def test_the_enrollment_list_filters_by_state(acme):
    sequence = make_sequence(acme)
    _a, b = enrol(acme, sequence, [candidate(acme), candidate(acme)]).enrolled
    lifecycle.enrollment_stop(enrollment=b)
    response = acme.client.get(url("sequence_detail", acme, sequence.pk) + "?state=stopped")
    assert [e.pk for e in response.context["page"].object_list] == [b.pk]
    assert b"Stopped by a recruiter." in response.content


def test_the_sequence_page_runs_a_fixed_number_of_queries(acme, django_assert_max_num_queries):
    sequence = make_sequence(acme)
    enrol(acme, sequence, [candidate(acme)])
    with django_assert_max_num_queries(30) as few:
        acme.client.get(url("sequence_detail", acme, sequence.pk))
    enrol(acme, sequence, [candidate(acme) for _ in range(15)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert acme.client.get(url("sequence_detail", acme, sequence.pk)).status_code == 200


# --- Enrolling -------------------------------------------------------------------------------------


def test_the_enrol_screen_from_a_candidate_shows_the_first_message_and_enrols(acme):
    sequence = make_sequence(acme)
    jane = candidate(acme, first_name="Jane")
    screen = acme.client.get(url("sequence_enrol", acme) + f"?candidate={jane.pk}&sequence={sequence.pk}")
    assert screen.status_code == 200
    sample = screen.context["samples"][0]
    assert sample["candidate"] == jane
    assert "Hi Jane" in sample["body"]
    assert b"data-score" in screen.content
    assert screen.context["to_enrol"] == 1
    response = acme.client.post(url("sequence_enrol", acme), {"candidate": jane.pk, "sequence": sequence.pk})
    assert response.status_code == 302
    assert response["Location"] == url("sequence_detail", acme, sequence.pk)
    assert Enrollment.objects.get(candidate=jane).state == "active"


def test_the_enrol_screen_without_a_sequence_asks_for_one(acme):
    make_sequence(acme, name="Pick me")
    jane = candidate(acme)
    screen = acme.client.get(url("sequence_enrol", acme) + f"?candidate={jane.pk}")
    assert screen.status_code == 200
    assert b"Pick me" in screen.content
    assert "samples" not in screen.context


def test_the_enrol_screen_for_a_circle_lists_who_is_skipped_and_why(acme):
    sequence = make_sequence(acme)
    ok = candidate(acme, first_name="Okay")
    gone = candidate(acme, first_name="Gone", unsubscribed_at=timezone.now())
    hired = candidate(acme, first_name="Hired", stage=Candidate.Stage.HIRED)
    dnc = candidate(acme, first_name="Blocked", do_not_contact=True)
    already = candidate(acme, first_name="Already")
    enrol(acme, sequence, [already])
    circle = circle_with(acme, ok, gone, hired, dnc, already)
    screen = acme.client.get(url("sequence_enrol", acme) + f"?circle={circle.pk}&sequence={sequence.pk}")
    assert screen.status_code == 200
    reasons = {row["candidate"].first_name: row["reason"] for row in screen.context["skipped_rows"]}
    assert reasons == {
        "Gone": "Unsubscribed from all messages",
        "Hired": "In a final stage (hired, not interested or archived)",
        "Blocked": "Marked do-not-contact",
        "Already": "Already enrolled in this sequence",
    }
    assert [s["candidate"] for s in screen.context["samples"]] == [ok]
    assert screen.context["to_enrol"] == 1
    response = acme.client.post(url("sequence_enrol", acme), {"circle": circle.pk, "sequence": sequence.pk})
    assert response.status_code == 302
    assert "4 skipped" not in " ".join(flashes(response))  # reasons are spelt out
    assert set(Enrollment.objects.filter(sequence=sequence, state="active").values_list("candidate", flat=True)) == {
        ok.pk,
        already.pk,
    }


def test_a_selection_from_the_candidate_list_goes_to_the_enrol_screen(acme):
    people = [candidate(acme), candidate(acme)]
    response = acme.client.post(url("sequence_enrol_start", acme), {"selected": [p.pk for p in people], "query": "q=x"})
    assert response.status_code == 302
    expected = (
        url("sequence_enrol", acme) + "?" + urlencode([("selected", p.pk) for p in sorted(people, key=lambda p: p.pk)])
    )
    assert response["Location"] == expected
    screen = acme.client.get(response["Location"])
    assert screen.context["total"] == 2


def test_all_matching_the_list_filters_goes_to_the_enrol_screen(acme):
    sequence = make_sequence(acme)
    candidate(acme, current_title="Backend Engineer", stage=Candidate.Stage.NEW)
    candidate(acme, current_title="Backend Engineer", stage=Candidate.Stage.NEW)
    candidate(acme, current_title="Backend Engineer", stage=Candidate.Stage.CONTACTED)
    response = acme.client.post(url("sequence_enrol_start", acme), {"all_matching": "on", "query": "stage=new"})
    assert response.status_code == 302
    screen = acme.client.get(response["Location"] + f"&sequence={sequence.pk}")
    assert screen.context["total"] == 2
    assert "matching the list's filters" in screen.context["audience_label"]
    enrolled = acme.client.post(
        url("sequence_enrol", acme), {"all_matching": "on", "query": "stage=new", "sequence": sequence.pk}
    )
    assert enrolled.status_code == 302
    assert Enrollment.objects.filter(sequence=sequence).count() == 2


def test_an_empty_selection_goes_back_to_the_list_with_a_message(acme):
    response = acme.client.post(url("sequence_enrol_start", acme), {"query": ""})
    assert response["Location"] == url("candidate_list", acme)
    assert any("Select at least one" in text for text in flashes(response))


def test_invalid_filters_are_refused_rather_than_widened(acme):
    response = acme.client.post(url("sequence_enrol_start", acme), {"all_matching": "on", "query": "stage=nonsense"})
    assert response["Location"].startswith(url("candidate_list", acme))
    assert any("not valid" in text for text in flashes(response))
    screen = acme.client.get(
        url("sequence_enrol", acme) + "?" + urlencode({"all_matching": "on", "query": "stage=nonsense"})
    )
    assert screen.status_code == 404


def test_enrolling_without_a_sequence_is_a_form_error(acme):
    jane = candidate(acme)
    response = acme.client.post(url("sequence_enrol", acme), {"candidate": jane.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["sequence"]
    assert not Enrollment.objects.exists()


def test_enrolling_in_an_archived_sequence_is_refused(acme):
    sequence = make_sequence(acme, status=Sequence.Status.ARCHIVED)
    jane = candidate(acme)
    response = acme.client.post(url("sequence_enrol", acme), {"candidate": jane.pk, "sequence": sequence.pk})
    assert response.status_code == 400
    assert not Enrollment.objects.exists()


def test_a_large_enrolment_runs_in_the_background_with_progress(acme, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(enrolment, "BACKGROUND_ENROLMENT_THRESHOLD", 2)
    sequence = make_sequence(acme)
    circle = circle_with(acme, *[candidate(acme) for _ in range(3)])
    screen = acme.client.get(url("sequence_enrol", acme) + f"?circle={circle.pk}&sequence={sequence.pk}")
    assert screen.context["background"] is True
    with django_capture_on_commit_callbacks(execute=False):
        response = acme.client.post(url("sequence_enrol", acme), {"circle": circle.pk, "sequence": sequence.pk})
    job = EnrollmentJob.objects.get()
    assert response["Location"] == url("sequence_enrol_job", acme, job.pk)
    waiting = acme.client.get(response["Location"])
    assert b'hx-trigger="every 1s"' in waiting.content
    enrolment_batches.enrollment_job_run(job_id=job.pk)
    partial = acme.client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert b'aria-valuenow="100"' in partial.content
    assert b"hx-trigger" not in partial.content  # done: polling stops
    assert Enrollment.objects.filter(sequence=sequence).count() == 3


def test_another_organisations_candidate_circle_or_sequence_on_the_enrol_screen_is_404(acme, globex):
    sequence = make_sequence(acme)
    theirs = make_sequence(globex)
    their_candidate = CandidateFactory(organization=globex.org)
    their_circle = CircleFactory(organization=globex.org)
    mine = candidate(acme)
    enrol_url = url("sequence_enrol", acme)
    assert acme.client.get(f"{enrol_url}?candidate={their_candidate.pk}").status_code == 404
    assert acme.client.get(f"{enrol_url}?circle={their_circle.pk}").status_code == 404
    assert acme.client.get(f"{enrol_url}?candidate={mine.pk}&sequence={theirs.pk}").status_code == 404
    assert acme.client.post(enrol_url, {"candidate": their_candidate.pk, "sequence": sequence.pk}).status_code == 404
    assert acme.client.post(enrol_url, {"circle": their_circle.pk, "sequence": sequence.pk}).status_code == 404
    assert acme.client.post(enrol_url, {"candidate": mine.pk, "sequence": theirs.pk}).status_code == 400
    assert not Enrollment.objects.exists()


def test_a_selection_naming_another_organisations_candidate_leaves_them_out(acme, globex):
    sequence = make_sequence(acme)
    mine, theirs = candidate(acme), CandidateFactory(organization=globex.org)
    response = acme.client.post(
        url("sequence_enrol", acme), {"selected": [mine.pk, theirs.pk], "sequence": sequence.pk}
    )
    assert response.status_code == 302
    assert list(Enrollment.objects.values_list("candidate", flat=True)) == [mine.pk]


# --- One enrollment --------------------------------------------------------------------------------


def test_an_enrollment_is_paused_resumed_and_stopped(acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    back = url("sequence_detail", acme, sequence.pk) + "?state=active"
    response = acme.client.post(url("enrollment_pause", acme, enrollment.pk), {"next": back})
    assert response["Location"] == back
    assert Enrollment.objects.get(pk=enrollment.pk).state == "paused"
    acme.client.post(url("enrollment_resume", acme, enrollment.pk))
    assert Enrollment.objects.get(pk=enrollment.pk).state == "active"
    acme.client.post(url("enrollment_stop", acme, enrollment.pk))
    stopped = Enrollment.objects.get(pk=enrollment.pk)
    assert (stopped.state, stopped.stop_reason, stopped.next_run_at) == ("stopped", "Stopped by a recruiter.", None)


def test_resuming_an_active_enrollment_says_why_not(acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    response = acme.client.post(url("enrollment_resume", acme, enrollment.pk))
    assert response.status_code == 302
    assert any("Only a paused enrollment" in text for text in flashes(response))


def test_an_outside_next_url_is_ignored(acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    response = acme.client.post(url("enrollment_pause", acme, enrollment.pk), {"next": "https://evil.example/"})
    assert response["Location"].startswith(url("sequence_detail", acme, sequence.pk))


# --- Tenancy ---------------------------------------------------------------------------------------


@pytest.fixture
def theirs(globex):
    """One of each of globex's sequence objects."""
    sequence = make_sequence(globex)
    enrollment = enrol(globex, sequence, [candidate(globex)]).enrolled[0]
    job = EnrollmentJob.objects.create(organization=globex.org, sequence=sequence, total=1)
    return {"sequence": sequence, "step": sequence.steps.first(), "enrollment": enrollment, "job": job}


@pytest.mark.parametrize(
    ("name", "keys", "method"),
    [
        ("sequence_detail", ["sequence"], "get"),
        ("sequence_edit", ["sequence"], "get"),
        ("sequence_edit", ["sequence"], "post"),
        ("sequence_preview", ["sequence"], "get"),
        ("sequence_status", ["sequence"], "post"),
        ("sequence_step_move", ["sequence", "step"], "post"),
        ("sequence_enrol_job", ["job"], "get"),
        ("enrollment_pause", ["enrollment"], "post"),
        ("enrollment_resume", ["enrollment"], "post"),
        ("enrollment_stop", ["enrollment"], "post"),
    ],
)
def test_another_organisations_sequence_objects_are_404_in_my_organisation(acme, theirs, name, keys, method):
    address = url(name, acme, *[theirs[key].pk for key in keys])
    data = {"status": "paused", "direction": "up", "name": "x", "action": "save"} if method == "post" else {}
    assert getattr(acme.client, method)(address, data).status_code == 404
    theirs["enrollment"].refresh_from_db()
    theirs["sequence"].refresh_from_db()
    assert (theirs["enrollment"].state, theirs["sequence"].status, theirs["sequence"].name) == (
        "active",
        "active",
        "Backend 2026",
    )


@pytest.mark.parametrize("name", ["sequence_list", "sequence_create", "sequence_enrol", "sequence_enrol_start"])
def test_the_pages_of_another_organisation_are_404(acme, globex, name):
    address = url(name, globex)
    assert acme.client.get(address).status_code in (404, 405)
    assert acme.client.post(address, {"name": "x"}).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(client, acme):
    response = client.get(url("sequence_list", acme))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_recruiter_sees_the_nav_link_and_entry_points(acme):
    jane = candidate(acme)
    circle = circle_with(acme, jane)
    assert b">Sequences</a>" in acme.client.get(url("sequence_list", acme)).content
    detail = acme.client.get(url("candidate_detail", acme, jane.pk))
    assert f"{url('sequence_enrol', acme)}?candidate={jane.pk}".encode() in detail.content
    circle_page = acme.client.get(url("circle_detail", acme, circle.pk))
    assert f"{url('sequence_enrol', acme)}?circle={circle.pk}".encode() in circle_page.content
    listing = acme.client.get(url("candidate_list", acme))
    assert b'id="bulk-enrol"' in listing.content


def test_three_steps_helper_is_valid_for_the_builder(acme):
    # The builder accepts what the services accept: the same three steps through the form.
    steps = three_steps(acme)
    data = {"name": "Three", "action": "save"} | step_rows(
        {"template": steps[0]["template"]},
        {"template": steps[1]["template"], "delay": "72"},
        {"kind": "task", "task_text": "Call them", "delay": "1", "delay_unit": "business_days"},
    )
    assert acme.client.post(url("sequence_create", acme), data).status_code == 302
    assert Sequence.objects.get(name="Three").steps.count() == 3


def test_a_user_outside_the_organisation_gets_404(acme):
    stranger = UserFactory(email="stranger@example.com")
    acme.client.force_login(stranger)
    assert acme.client.get(url("sequence_list", acme)).status_code == 404
