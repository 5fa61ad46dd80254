"""Building and editing a sequence: steps, delays, templates, reordering; and the preview for one candidate."""

from __future__ import annotations

import pytest

from engagement.sequences.models import Sequence
from tests.engagement.sequence_support import candidate, enrol, make_sequence, template, three_steps
from tests.engagement.sequence_views_support import flashes, step_rows, url
from tests.factories import CandidateFactory, MessageTemplateFactory

pytestmark = pytest.mark.django_db


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
