"""The recruiter's candidate list: search as you type, filters, sorting, pagination, empty states, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from candidates.models import Candidate
from tests.candidates.page_support import add_candidate, listed_names, make_candidates, page_url
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_the_organisations_candidates_with_a_total_count(acme, globex):
    add_candidate(
        acme.org, "Ada", "Lovelace", current_title="Analyst", current_company="Engines Ltd", skills=["Python"]
    )
    add_candidate(acme.org, "Grace", "Hopper")
    add_candidate(globex.org, "Alan", "Turing")
    response = acme.client.get(page_url("candidate_list", acme.org))
    assert response.status_code == 200
    assert listed_names(response) == ["Grace Hopper", "Ada Lovelace"]  # by last name
    html = response.content.decode()
    assert "2</strong> candidates" in html
    assert "Alan Turing" not in html
    assert "Analyst" in html and "Engines Ltd" in html and "Python" in html
    assert 'name="q"' in html and 'hx-trigger="input changed delay:300ms, search"' in html


def test_the_navigation_links_to_candidates_and_marks_it_active(acme):
    html = acme.client.get(page_url("candidate_list", acme.org)).content.decode()
    assert f'nav-link active" aria-current="page" href="{page_url("candidate_list", acme.org)}"' in html


def test_search_finds_candidates_as_you_type(acme):
    add_candidate(acme.org, "Ada", "Lovelace", skills=["Python"])
    add_candidate(acme.org, "Grace", "Hopper", current_title="Compiler writer")
    assert listed_names(acme.client.get(page_url("candidate_list", acme.org, query="q=lovel"))) == ["Ada Lovelace"]
    assert listed_names(acme.client.get(page_url("candidate_list", acme.org, query="q=compiler"))) == ["Grace Hopper"]
    assert listed_names(acme.client.get(page_url("candidate_list", acme.org, query="q=pyth"))) == ["Ada Lovelace"]


def test_an_htmx_request_gets_only_the_results_partial(acme):
    add_candidate(acme.org, "Ada", "Lovelace")
    add_candidate(acme.org, "Grace", "Hopper")
    response = acme.client.get(page_url("candidate_list", acme.org, query="q=hopper"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="candidate-filters"' not in html
    assert "Grace Hopper" in html and "Ada Lovelace" not in html
    assert "HX-Request" in response["Vary"]
    # Going back in history asks for the whole page again.
    restore = acme.client.get(
        page_url("candidate_list", acme.org, query="q=hopper"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in restore.content.decode()


def test_each_filter_narrows_the_list(acme, varied):
    ten_days_ago = (timezone.localdate() - timedelta(days=10)).isoformat()
    expectations = {
        "skill=python": ["Ada Lovelace", "Alan Turing"],
        "skill=PYTHON": ["Ada Lovelace", "Alan Turing"],
        "tag=shortlist": ["Ada Lovelace"],
        "industry=Banking": ["Grace Hopper"],
        "location=london": ["Ada Lovelace"],
        "location=Virginia": ["Grace Hopper"],
        "location=us": ["Grace Hopper"],
        "stage=engaged": ["Alan Turing"],
        f"owner={acme.user.pk}": ["Ada Lovelace"],
        f"owner={varied['colleague'].pk}": ["Grace Hopper"],
        "owner=none": ["Katherine Johnson", "Alan Turing"],
        "source=referral": ["Ada Lovelace"],
        "contactable=yes": ["Grace Hopper", "Ada Lovelace"],
        "contactable=no": ["Katherine Johnson", "Alan Turing"],
        f"contacted_before={ten_days_ago}": ["Ada Lovelace"],
        f"contacted_after={ten_days_ago}": ["Grace Hopper"],
        "skill=python&stage=engaged": ["Alan Turing"],
    }
    for query, names in expectations.items():
        response = acme.client.get(page_url("candidate_list", acme.org, query=query))
        assert response.status_code == 200
        assert listed_names(response) == names, query


def test_archived_candidates_are_hidden_unless_asked_for(acme):
    add_candidate(acme.org, "Ada", "Lovelace")
    add_candidate(acme.org, "Old", "Timer", stage="archived")
    assert listed_names(acme.client.get(page_url("candidate_list", acme.org))) == ["Ada Lovelace"]
    assert listed_names(acme.client.get(page_url("candidate_list", acme.org, query="stage=archived"))) == ["Old Timer"]


def test_invalid_filter_values_show_a_message_not_an_error(acme, varied):
    query = "stage=bogus&owner=999999&contacted_after=yesterday&industry=Nope&sort=sideways&page=x"
    response = acme.client.get(page_url("candidate_list", acme.org, query=query))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were ignored" in html
    for label in ("Stage", "Owner", "Last contacted on or after", "Industry", "Sort"):
        assert f"<strong>{label}</strong>" in html
    assert len(listed_names(response)) == 4  # the valid rest still applies (none here)
    response = acme.client.get(
        page_url("candidate_list", acme.org, query="contacted_after=2025-02-01&contacted_before=2025-01-01")
    )
    assert response.status_code == 200
    assert "Choose a date later" in response.content.decode()


def test_the_list_sorts_by_name_newest_update_and_last_contact(acme, varied):
    now = timezone.now()
    for offset, key in enumerate(["katherine", "alan", "grace", "ada"]):
        Candidate.objects.filter(pk=varied[key].pk).update(
            created_at=now - timedelta(days=10 - offset), updated_at=now - timedelta(days=offset)
        )
    sort = {
        "name": ["Grace Hopper", "Katherine Johnson", "Ada Lovelace", "Alan Turing"],
        "-created": ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson"],
        "-updated": ["Katherine Johnson", "Alan Turing", "Grace Hopper", "Ada Lovelace"],
    }
    for key, names in sort.items():
        assert listed_names(acme.client.get(page_url("candidate_list", acme.org, query=f"sort={key}"))) == names, key
    contacted = listed_names(acme.client.get(page_url("candidate_list", acme.org, query="sort=-last_contacted")))
    assert contacted.index("Grace Hopper") < contacted.index("Ada Lovelace")


def test_search_results_are_ranked_by_relevance(acme):
    add_candidate(acme.org, "Grace", "Hopper", current_company="Smith & Sons")
    add_candidate(acme.org, "John", "Smith")
    assert listed_names(acme.client.get(page_url("candidate_list", acme.org, query="q=smith")))[0] == "John Smith"


def test_the_list_is_paginated_25_a_page(acme):
    CandidateFactory.create_batch(30, organization=acme.org)
    first = acme.client.get(page_url("candidate_list", acme.org))
    assert len(first.context["page"].object_list) == 25
    assert "30</strong> candidates" in first.content.decode()
    assert 'rel="next"' in first.content.decode()
    second = acme.client.get(page_url("candidate_list", acme.org, query="page=2"))
    assert len(second.context["page"].object_list) == 5
    assert set(listed_names(first)).isdisjoint(listed_names(second))
    beyond = acme.client.get(page_url("candidate_list", acme.org, query="page=99"))
    assert beyond.status_code == 200 and beyond.context["page"].number == 2


def test_pagination_links_keep_the_filters(acme):
    CandidateFactory.create_batch(26, organization=acme.org, source="event")
    html = acme.client.get(page_url("candidate_list", acme.org, query="source=event")).content.decode()
    assert "?source=event&amp;page=2" in html


def test_an_empty_organisation_is_invited_to_add_or_import(acme, globex):
    add_candidate(globex.org, "Alan", "Turing")
    html = acme.client.get(page_url("candidate_list", acme.org)).content.decode()
    assert "No candidates yet" in html
    assert page_url("candidate_create", acme.org) in html


def test_a_search_without_matches_offers_to_clear_the_filters(acme):
    add_candidate(acme.org, "Ada", "Lovelace")
    response = acme.client.get(page_url("candidate_list", acme.org, query="q=zzzzqqq&source=event"))
    html = response.content.decode()
    assert "No candidates match “zzzzqqq” with these filters" in html
    assert "clear the search and filters" in html
    assert "No candidates yet" not in html


def test_the_list_runs_a_constant_number_of_queries(acme, django_assert_num_queries):
    url = page_url("candidate_list", acme.org)
    make_candidates(acme.org, acme.user, 5)
    acme.client.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as five:
        assert len(acme.client.get(url).context["page"].object_list) == 5
    make_candidates(acme.org, acme.user, 25)
    with django_assert_num_queries(len(five.captured_queries)):
        response = acme.client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert response.content.decode().count(">Python</span>") == 25
    assert len(five.captured_queries) <= 12


def test_a_search_runs_no_more_queries_than_the_list_and_no_count(acme):
    make_candidates(acme.org, acme.user, 3)
    for first in ("Ann", "Bea"):
        add_candidate(acme.org, first, "Smith", skills=["Python"])
    url = page_url("candidate_list", acme.org)
    acme.client.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as listing:
        acme.client.get(url)
    with CaptureQueriesContext(connection) as searching:
        response = acme.client.get(url, {"q": "smith"})
    assert listed_names(response) == ["Ann Smith", "Bea Smith"]
    assert len(searching) <= len(listing) <= 10
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in searching.captured_queries)


def test_a_search_beyond_the_ranked_window_shows_its_count_with_a_plus(acme, monkeypatch):
    monkeypatch.setattr("candidates.selectors.RANK_WINDOW", 2)
    for first in ("Ann", "Bea", "Cat"):
        add_candidate(acme.org, first, "Smith")
    response = acme.client.get(page_url("candidate_list", acme.org), {"q": "smith"})
    assert response.context["total"] == 2 and response.context["total_is_capped"]
    assert 'data-total="2">2+</strong>' in response.content.decode()
    response = acme.client.get(page_url("candidate_list", acme.org), {"q": "ann"})
    assert response.context["total"] == 1 and not response.context["total_is_capped"]
