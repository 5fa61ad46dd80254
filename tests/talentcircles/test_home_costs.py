"""The recruiter home costs the same whatever the organisation's size (issue #18).

Its figures are counted up to a cap ("10,000+"), and a view that changes nothing in the session
does not write the session row back.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from talentcircles import figures
from tests.factories import CandidateFactory

# Session and user, membership, the three capped figures, the response-rate card (live rate, guard),
# the organisation switcher, and the getting-started checklist (one query for all its steps).
HOME_QUERIES = 10


def _session_writes(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if "django_session" in q["sql"] and q["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]


@pytest.mark.parametrize("candidates", [2, 12])
def test_its_query_count_does_not_grow_with_the_organisation(acme, django_assert_num_queries, candidates):
    CandidateFactory.create_batch(candidates, organization=acme.org)
    url = f"/o/{acme.org.slug}/"
    acme.client.get(url)  # the first view remembers the organisation in the session
    with django_assert_num_queries(HOME_QUERIES):
        assert acme.client.get(url).status_code == 200


def test_it_shows_a_figure_over_the_cap_as_the_cap_and_a_plus(acme, monkeypatch):
    monkeypatch.setattr(figures, "FIGURE_COUNT_CAP", 3)
    CandidateFactory.create_batch(5, organization=acme.org)
    response = acme.client.get(f"/o/{acme.org.slug}/")
    candidates = next(f for f in response.context["figures"] if f["key"] == "candidates")
    assert (candidates["value"], candidates["capped"]) == (3, True)
    assert b'<div class="tc-figure-value">3+</div>' in response.content


def test_it_shows_a_figure_under_the_cap_exactly(acme, monkeypatch):
    monkeypatch.setattr(figures, "FIGURE_COUNT_CAP", 3)
    CandidateFactory.create_batch(3, organization=acme.org)
    response = acme.client.get(f"/o/{acme.org.slug}/")
    candidates = next(f for f in response.context["figures"] if f["key"] == "candidates")
    assert (candidates["value"], candidates["capped"]) == (3, False)
    assert b'<div class="tc-figure-value">3</div>' in response.content


def test_it_writes_the_session_only_when_the_organisation_changes(acme, globex):
    globex.membership.pk = None  # acme's user joins globex too
    globex.membership.user = acme.user
    globex.membership.save()
    with CaptureQueriesContext(connection) as first:
        acme.client.get(f"/o/{acme.org.slug}/")
    with CaptureQueriesContext(connection) as again:
        acme.client.get(f"/o/{acme.org.slug}/")
    with CaptureQueriesContext(connection) as switched:
        acme.client.get(f"/o/{globex.org.slug}/")
    assert _session_writes(first) and _session_writes(switched)
    assert _session_writes(again) == []
    assert acme.client.session["last_org_slug"] == globex.org.slug


def test_it_answers_404_on_another_organisations_home(acme, globex):
    assert acme.client.get(f"/o/{globex.org.slug}/").status_code == 404
