"""Bulk actions on the candidate list: tag, untag, owner, stage and export, on a selection or all matching."""

from __future__ import annotations

import pytest

from candidates.models import Candidate
from tests.candidates.page_support import add_candidate, bulk_post, page_url, tag_names

pytestmark = pytest.mark.django_db


def test_bulk_actions_apply_to_the_selected_candidates(acme, varied):
    ada, grace, alan = varied["ada"], varied["grace"], varied["alan"]
    selected = [ada.pk, grace.pk]
    response = bulk_post(acme, action="tag", tags="Hot, Q3", selected=selected, query="skill=python")
    assert response.status_code == 302
    assert response["Location"] == page_url("candidate_list", acme.org, query="skill=python")
    assert tag_names(ada) == ["Hot", "Q3", "Shortlist"] and tag_names(grace) == ["Hot", "Q3"] and tag_names(alan) == []
    followed = acme.client.get(response["Location"])
    assert "Tagged 2 candidates with “Hot, Q3”." in followed.content.decode()

    bulk_post(acme, action="untag", tags="hot", selected=[ada.pk])
    assert tag_names(ada) == ["Q3", "Shortlist"] and tag_names(grace) == ["Hot", "Q3"]

    bulk_post(acme, action="owner", owner=str(varied["colleague"].pk), selected=selected)
    assert {c.owner_id for c in Candidate.objects.filter(pk__in=selected)} == {varied["colleague"].pk}
    bulk_post(acme, action="owner", owner="none", selected=[ada.pk])
    ada.refresh_from_db()
    assert ada.owner is None

    bulk_post(acme, action="stage", stage="interested", selected=selected)
    assert set(Candidate.objects.filter(pk__in=selected).values_list("stage", flat=True)) == {"interested"}
    alan.refresh_from_db()
    assert alan.stage == "engaged"


def test_bulk_actions_on_all_matching_respect_the_filter_and_never_touch_globex(acme, globex, varied):
    outsider = add_candidate(globex.org, "Guido", "Van Rossum", skills=["Python"])
    response = bulk_post(acme, action="tag", tags="Pythonista", all_matching="on", query="skill=python")
    followed = acme.client.get(response["Location"])
    assert "Tagged 2 candidates" in followed.content.decode()
    assert tag_names(varied["ada"]) == ["Pythonista", "Shortlist"] and tag_names(varied["alan"]) == ["Pythonista"]
    assert tag_names(varied["grace"]) == [] and tag_names(outsider) == []

    bulk_post(acme, action="stage", stage="interested", all_matching="on", query="q=turing")
    assert Candidate.objects.get(pk=varied["alan"].pk).stage == "interested"
    assert Candidate.objects.filter(stage="interested").count() == 1

    bulk_post(acme, action="owner", owner=str(varied["colleague"].pk), all_matching="on", query="skill=python&q=ada")
    assert list(Candidate.objects.filter(owner=varied["colleague"]).order_by("pk")) == [
        varied["ada"],
        varied["grace"],
    ]
    outsider.refresh_from_db()
    assert outsider.owner is None and outsider.stage == "new"


def test_all_matching_with_an_invalid_filter_changes_nothing(acme, varied):
    response = bulk_post(acme, action="stage", stage="hired", all_matching="on", query="stage=bogus")
    assert "nothing was changed" in acme.client.get(response["Location"]).content.decode()
    assert not Candidate.objects.filter(stage="hired").exists()


def test_bulk_actions_need_a_selection_and_their_inputs(acme, varied):
    response = bulk_post(acme, action="tag", tags="Hot")
    assert "Select at least one candidate" in acme.client.get(response["Location"]).content.decode()
    response = bulk_post(acme, action="tag", tags=" , ", selected=[varied["ada"].pk])
    assert "Name at least one tag." in acme.client.get(response["Location"]).content.decode()
    response = bulk_post(acme, action="owner", owner="424242", selected=[varied["ada"].pk])
    assert response.status_code == 302
    assert tag_names(varied["ada"]) == ["Shortlist"]
    assert Candidate.objects.get(pk=varied["ada"].pk).owner == acme.user
    assert acme.client.get(page_url("candidate_bulk", acme.org)).status_code == 405


def test_bulk_export_of_a_selection_downloads_only_those_candidates(acme, varied):
    response = bulk_post(acme, action="export", selected=[varied["grace"].pk, varied["alan"].pk])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="acme-candidates-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Grace" in body and "Alan" in body and "Ada" not in body
