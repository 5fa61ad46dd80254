from __future__ import annotations

import pytest

from talentcircles.pagination import CappedPaginator
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def test_it_counts_up_to_the_cap_and_says_when_there_are_more(acme):
    CandidateFactory.create_batch(5, organization=acme.org)
    from candidates.models import Candidate

    capped = CappedPaginator(Candidate.objects.order_by("pk"), 2, count_cap=3)
    assert (capped.count, capped.count_is_capped, capped.num_pages) == (3, True, 2)
    exact = CappedPaginator(Candidate.objects.order_by("pk"), 2, count_cap=5)
    assert (exact.count, exact.count_is_capped) == (5, False)


def test_the_candidate_list_and_api_show_a_capped_total(acme, monkeypatch):
    from candidates import views
    from talentcircles import api_permissions

    CandidateFactory.create_batch(4, organization=acme.org)
    monkeypatch.setattr(views, "LIST_COUNT_CAP", 3)
    response = acme.client.get(f"/o/{acme.org.slug}/candidates/")
    assert (response.context["total"], response.context["total_is_capped"]) == (3, True)
    assert "3+" in response.content.decode()

    monkeypatch.setattr(api_permissions.CappedPaginator, "count_cap", 3)
    body = acme.client.get("/api/v1/candidates/").json()
    assert (body["count"], body["count_capped"]) == (3, True)


@pytest.mark.parametrize("page_size", ["abc", "0", "-3", "101", "1e3", "2.5"])
@pytest.mark.parametrize("url", ["/api/v1/candidates/", "/api/v1/candidates/{id}/timeline/"])
def test_a_page_size_that_is_garbage_or_out_of_range_is_a_400(acme, page_size, url):
    candidate = CandidateFactory(organization=acme.org)
    response = acme.client.get(url.format(id=candidate.pk), {"page_size": page_size})
    assert response.status_code == 400
    assert response.json() == {"page_size": ["Give a whole number from 1 to 100."]}


def test_a_page_size_in_range_is_used_and_documented(acme):
    CandidateFactory.create_batch(3, organization=acme.org)
    response = acme.client.get("/api/v1/candidates/", {"page_size": "2"})
    assert len(response.json()["results"]) == 2
    schema = acme.client.get("/api/schema/?format=json").json()
    params = {p["name"]: p for p in schema["paths"]["/api/v1/candidates/"]["get"]["parameters"]}
    assert params["page_size"]["schema"] | {} == {"type": "integer", "minimum": 1, "maximum": 100}
