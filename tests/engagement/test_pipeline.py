"""The pipeline board: columns by stage, owner filter, capped columns, moves by form and by fetch."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from candidates.models import Candidate
from engagement.circles.models import CircleMembership
from engagement.timeline import selectors
from engagement.timeline.models import Activity
from tests.factories import CircleFactory

pytestmark = pytest.mark.django_db


def board(tenant) -> str:
    return reverse("pipeline", args=[tenant.org.slug])


def move(tenant, candidate) -> str:
    return reverse("pipeline_move", args=[tenant.org.slug, candidate.pk])


def test_the_board_has_a_column_per_stage_without_archived_candidates(acme, make_candidate):
    make_candidate(acme, "Nina", "New", email="nina@example.com")
    make_candidate(acme, "Eve", "Engaged", email="eve@example.com", stage="engaged")
    make_candidate(acme, "Archie", "Archived", email="archie@example.com", stage="archived")
    response = acme.client.get(board(acme))
    html = response.content.decode()
    assert response.status_code == 200
    for stage in ("new", "contacted", "engaged", "interested", "applied", "hired", "not_interested"):
        assert f'data-stage-column="{stage}"' in html
    assert 'data-stage-column="archived"' not in html and "Archie" not in html
    engaged = html.split('data-stage-column="engaged"')[1].split("</section>")[0]
    assert "Eve Engaged" in engaged and "Nina" not in engaged
    eve = Candidate.objects.get(first_name="Eve")
    assert f'href="{reverse("candidate_detail", args=[acme.org.slug, eve.pk])}"' in engaged
    assert f'action="{move(acme, eve)}"' in engaged
    assert 'id="pipeline-total">2<' in html
    assert 'draggable="true"' in html and "js/pipeline.js" in html
    assert '<label class="visually-hidden" for="move-' in html  # the keyboard control is labelled


def test_the_board_filters_by_owner(acme, make_candidate, colleague):
    make_candidate(acme, "Mine", email="mine@example.com")
    make_candidate(acme, "Theirs", email="theirs@example.com", owner=colleague.user)
    make_candidate(acme, "Nobodys", email="nobody@example.com", owner=None)
    mine = acme.client.get(board(acme), {"owner": acme.user.pk}).content.decode()
    assert "Mine" in mine and "Theirs" not in mine and "Nobodys" not in mine
    unowned = acme.client.get(board(acme), {"owner": "none"}).content.decode()
    assert "Nobodys" in unowned and "Mine" not in unowned
    anyone = acme.client.get(board(acme), {"owner": "nonsense"}).content.decode()
    assert "Mine" in anyone and "Theirs" in anyone  # an invalid filter is left out


def test_columns_are_capped_and_link_to_the_filtered_list(acme, make_candidate):
    for i in range(4):
        make_candidate(acme, f"P{i}", email=f"p{i}@example.com", stage="contacted")
    columns = selectors.pipeline_board(org=acme.org, cap=3)
    contacted = next(c for c in columns if c.stage == "contacted")
    assert (contacted.total, len(contacted.cards), contacted.hidden) == (4, 3, 1)
    assert [c.first_name for c in contacted.cards] == ["P3", "P2", "P1"]  # recently changed first
    capped = next(c for c in selectors.pipeline_board(org=acme.org, cap=3, count_cap=2) if c.stage == "contacted")
    assert (capped.total, capped.capped, capped.hidden, len(capped.cards)) == (2, True, 0, 3)


def test_the_more_link_goes_to_the_candidate_list_for_that_stage(acme, make_candidate, monkeypatch):
    capped = selectors.pipeline_board
    monkeypatch.setattr(selectors, "pipeline_board", lambda **kwargs: capped(**kwargs, cap=1))
    for i in range(3):
        make_candidate(acme, f"P{i}", email=f"p{i}@example.com", stage="engaged")
    html = acme.client.get(board(acme)).content.decode()
    list_url = reverse("candidate_list", args=[acme.org.slug])
    assert f'href="{list_url}?stage=engaged">2 more in the candidate list</a>' in html


def test_the_board_runs_the_same_queries_for_few_or_many_candidates(acme, make_candidate, django_assert_num_queries):
    make_candidate(acme, "One", email="one@example.com")
    with CaptureQueriesContext(connection) as few:
        acme.client.get(board(acme))
    for i, stage in enumerate(["new", "contacted", "engaged", "interested", "applied", "hired", "not_interested"] * 4):
        make_candidate(acme, f"P{i}", email=f"p{i}@example.com", stage=stage)
    with CaptureQueriesContext(connection) as many:
        acme.client.get(board(acme))
    # A count per column, and the cards of each non-empty one: all seven columns now, one before.
    assert len(many) == len(few) + 6
    with django_assert_num_queries(len(many)):
        acme.client.get(board(acme))


def test_the_keyboard_control_moves_a_card_without_javascript(acme, candidate):
    response = acme.client.post(move(acme, candidate), {"stage": "interested", "owner": str(acme.user.pk)})
    assert response.status_code == 302
    assert response["Location"] == f"{board(acme)}?owner={acme.user.pk}"
    candidate.refresh_from_db()
    assert candidate.stage == "interested"
    change = Activity.objects.get(candidate=candidate, kind="stage_change")
    assert change.details["previous"] == "new" and change.actor == acme.user
    page = acme.client.get(response["Location"]).content.decode()
    assert "Moved Jane Doe to “Interested”." in page


def test_drag_and_drop_moves_through_a_json_answer(acme, candidate):
    response = acme.client.post(move(acme, candidate), {"stage": "engaged"}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json() == {
        "id": candidate.pk, "stage": "engaged", "label": "Engaged", "message": "Moved Jane Doe to “Engaged”."
    }  # fmt: skip


def test_an_unknown_stage_is_refused_with_a_message(acme, candidate):
    response = acme.client.post(move(acme, candidate), {"stage": "keen"}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert "“keen” is not a stage" in response.json()["errors"]["stage"][0]
    plain = acme.client.post(move(acme, candidate), {"stage": "keen"}, follow=True)
    assert "“keen” is not a stage" in plain.content.decode()
    assert Candidate.objects.get(pk=candidate.pk).stage == "new"


def test_the_nav_links_to_the_board_and_my_day(acme):
    html = acme.client.get(board(acme)).content.decode()
    assert f'class="nav-link active" aria-current="page" href="{board(acme)}">Pipeline</a>' in html
    assert f'href="{reverse("my_day", args=[acme.org.slug])}">My day</a>' in html


def test_the_board_filters_by_circle_and_ignores_other_organisations_circles(acme, globex, make_candidate):
    member = make_candidate(acme, "In", "Circle", email="in@example.com")
    make_candidate(acme, "Not", "Member", email="not@example.com")
    circle = CircleFactory(organization=acme.org, name="Backend")
    theirs = CircleFactory(organization=globex.org, name="Theirs")
    CircleMembership.objects.create(circle=circle, candidate=member, joined_via="recruiter")
    html = acme.client.get(board(acme), {"circle": circle.pk}).content.decode()
    assert "In Circle" in html and "Not Member" not in html
    assert f'<option value="{circle.pk}" selected>Backend</option>' in html and "Theirs" not in html
    unfiltered = acme.client.get(board(acme), {"circle": theirs.pk}).content.decode()
    assert "In Circle" in unfiltered and "Not Member" in unfiltered


def test_a_move_keeps_the_boards_filters(acme, candidate):
    circle = CircleFactory(organization=acme.org)
    response = acme.client.post(move(acme, candidate), {"stage": "engaged", "circle": str(circle.pk)})
    assert response["Location"] == f"{board(acme)}?circle={circle.pk}"
