"""The candidate list and profile cost the same number of queries whatever the organisation's size,
and neither writes the session back (issue #18). The recruiter home: tests/talentcircles/test_home_costs.py.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.candidates.page_support import add_candidate, make_candidates, page_url

# Session, user, membership; the owners (one query for the filter form and the bulk form); the count
# (capped), the page with its owners, its skills and tags (one query: candidates/listed_labels.py); the
# navigation's memberships; the circles.
LIST_QUERIES = 9
# The same with a search: the ranked window of ids (which gives the count too), then the page from it.
SEARCH_QUERIES = 9
# Session, user, membership; the candidate with its owner and portal user, skills, tags, résumés; the
# navigation's memberships; the likely duplicates (one read of the stored pairs, candidates/duplicates/);
# the audit trail's "profile viewed" entry (one INSERT, docs/audit.md: every view is recorded, in the
# database, where the trail must be durable; not batched through Redis, which holds nothing that matters).
PROFILE_QUERIES = 10


def _session_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


@pytest.mark.parametrize("candidates", [3, 20])
@pytest.mark.parametrize(("query", "expected"), [("", LIST_QUERIES), ("q=lovelace", SEARCH_QUERIES)])
def test_the_list_query_count_is_pinned(acme, django_assert_num_queries, candidates, query, expected):
    for i in range(candidates):  # through the service, so the search columns are filled
        add_candidate(acme.org, f"Ada{i}", "Lovelace", skills=["Python"], tags=["Shortlist"], owner=acme.user)
    url = page_url("candidate_list", acme.org, query=query)
    acme.client.get(url)
    with django_assert_num_queries(expected):
        response = acme.client.get(url)
    assert len(response.context["page"].object_list) == candidates


@pytest.mark.parametrize("others", [0, 20])
def test_the_profile_query_count_is_pinned(acme, django_assert_num_queries, others):
    make_candidates(acme.org, acme.user, others)
    candidate = add_candidate(
        acme.org, skills=["Python"], tags=["Shortlist"], email="ada@example.com", phone="+14155550100"
    )
    url = page_url("candidate_detail", acme.org, candidate.pk)
    acme.client.get(url)
    with django_assert_num_queries(PROFILE_QUERIES):
        assert acme.client.get(url).status_code == 200


def test_the_list_renders_its_filter_form_with_the_values_given(acme):
    owner = acme.user
    query = f"owner={owner.pk}&stage=engaged&location=Lon&contacted_after=2026-01-02"
    response = acme.client.get(page_url("candidate_list", acme.org, query=query))
    html = response.content.decode()
    assert f'<option value="{owner.pk}" selected>' in html
    assert '<option value="engaged" selected>Engaged</option>' in html
    assert 'name="location" value="Lon"' in html
    assert 'name="contacted_after" value="2026-01-02"' in html


def test_neither_page_writes_the_session_on_each_view(acme):
    candidate = add_candidate(acme.org)
    for url in (page_url("candidate_list", acme.org), page_url("candidate_detail", acme.org, candidate.pk)):
        acme.client.get(url)
        with CaptureQueriesContext(connection) as again:
            assert acme.client.get(url).status_code == 200
        assert _session_writes(again) == [], url


def test_another_organisations_candidate_is_a_404(acme, globex):
    theirs = add_candidate(globex.org)
    assert acme.client.get(page_url("candidate_detail", acme.org, theirs.pk)).status_code == 404
    assert acme.client.get(page_url("candidate_list", globex.org)).status_code == 404
