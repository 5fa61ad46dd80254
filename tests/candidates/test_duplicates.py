"""Likely duplicates: the pair signals, the pairs page, one candidate's twins and the banner."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from candidates import services
from candidates.duplicates import (
    DuplicatePage,
    likely_duplicate_pair_count,
    likely_duplicate_pairs,
    likely_duplicates_of,
)

pytestmark = pytest.mark.django_db


def _add(org, first, last="", **data):
    return services.candidate_create(org=org, actor=None, data={"first_name": first, "last_name": last, **data})


def _pairs(org) -> dict[frozenset[str], tuple[str, ...]]:
    found = likely_duplicate_pairs(org=org, limit=100)
    assert found.total == len(found.pairs) == likely_duplicate_pair_count(org=org)
    return {frozenset({p.first.full_name, p.second.full_name}): p.reasons for p in found.pairs}


def test_a_very_similar_name_at_the_same_company_is_a_likely_pair(acme):
    _add(acme.org, "Katherine", "Johnson", current_company="NASA")
    _add(acme.org, "Catherine", "Johnson", current_company="nasa")
    _add(acme.org, "Katherine", "Jonsson", current_company="ESA")  # similar name, other company
    _add(acme.org, "Mary", "Jackson", current_company="NASA")  # same company, other name
    assert _pairs(acme.org) == {frozenset({"Katherine Johnson", "Catherine Johnson"}): ("name_company",)}


def test_the_same_phone_the_same_name_in_a_city_or_the_same_email_name_make_pairs(acme):
    _add(acme.org, "Ada", "Lovelace", phone="+44 20 7946 0958")
    _add(acme.org, "Augusta", "King", phone="020 7946 0958", country_code="GB")
    _add(acme.org, "Alan", "Turing", city="Manchester")
    _add(acme.org, "alan", "TURING", city="manchester")
    _add(acme.org, "Alan", "Turing", city="London")
    _add(acme.org, "Grace", "Hopper", email="grace.hopper@navy.mil")
    _add(acme.org, "Grace", "Hopper", email="grace.hopper@yale.edu")
    _add(acme.org, "Grace", "Hopper", email="amazing.grace@example.com")
    assert _pairs(acme.org) == {
        frozenset({"Ada Lovelace", "Augusta King"}): ("phone",),
        frozenset({"Alan Turing", "alan TURING"}): ("name_city",),
        frozenset({"Grace Hopper"}): ("name_email",),
    }


def test_a_pair_with_several_signals_comes_first_and_names_them_all(acme):
    _add(acme.org, "Jon", "Smith", phone="+14155550100", current_company="Initech")
    _add(acme.org, "John", "Smith", phone="+14155550100", current_company="Initech")
    _add(acme.org, "Bea", "Arthur", phone="+14155550199")
    _add(acme.org, "Dorothy", "Zbornak", phone="+14155550199")
    first, second = likely_duplicate_pairs(org=acme.org).pairs
    assert {first.first.full_name, first.second.full_name} == {"Jon Smith", "John Smith"}
    assert first.reasons == ("name_company", "phone")
    assert first.reason_labels == ["Similar name at the same company", "Same phone number"]
    assert first.first.pk < first.second.pk  # the older record is offered as the one to keep
    assert second.reasons == ("phone",)


def test_pairs_never_cross_organisations(acme, globex):
    _add(acme.org, "Ada", "Lovelace", phone="+442079460958", current_company="Analytical", city="London")
    _add(globex.org, "Ada", "Lovelace", phone="+442079460958", current_company="Analytical", city="London")
    assert likely_duplicate_pair_count(org=acme.org) == 0
    assert likely_duplicate_pairs(org=globex.org) == DuplicatePage(pairs=[], total=0)


def test_a_page_of_pairs_and_the_total_cost_two_queries(acme, django_assert_num_queries):
    for i in range(30):
        _add(acme.org, f"Person{i}", "A", phone=f"+1415555{i:04d}")
        _add(acme.org, f"Twin{i}", "B", phone=f"+1415555{i:04d}")
    with django_assert_num_queries(2):  # the page of pairs with the total, then their candidates
        page = likely_duplicate_pairs(org=acme.org, offset=25, limit=25)
        assert page.total == 30 and len(page.pairs) == 5
        assert all(pair.first.owner is None for pair in page.pairs)  # owner joined, no extra query
    assert likely_duplicate_pairs(org=acme.org, offset=50, limit=25) == DuplicatePage(pairs=[], total=30)


def test_likely_duplicates_of_finds_the_twins_of_one_candidate(acme, globex):
    jane = _add(acme.org, "Jane", "Doe", email="jane.doe@gmail.com", phone="+14155550100", city="Boston",
                current_company="Initech")  # fmt: skip
    twins = [
        _add(acme.org, "Janet", "Doe", current_company="INITECH"),
        _add(acme.org, "Someone", "Else", phone="+1 415 555 0100"),
        _add(acme.org, "Jane", "Doe", city="boston"),
        _add(acme.org, "Jane", "Doe", email="jane.doe@initech.com"),
    ]
    _add(acme.org, "Jane", "Doe", city="Paris")  # same name alone is not enough
    _add(acme.org, "Janet", "Doe", current_company="Umbrella")
    _add(globex.org, "Jane", "Doe", phone="+14155550100", city="Boston", current_company="Initech")
    assert likely_duplicates_of(jane) == twins
    limited = likely_duplicates_of(jane, limit=2)
    assert len(limited) == 2 and set(limited) <= set(twins)
    assert likely_duplicates_of(twins[2]) == [jane]


def test_a_candidate_without_signals_has_no_duplicates(acme):
    loner = _add(acme.org, "Jane")
    _add(acme.org, "Jane")
    assert likely_duplicates_of(loner) == []


def test_the_banner_links_to_each_duplicate_and_its_merge(acme):
    jane = _add(acme.org, "Jane", "Doe", phone="+14155550100")
    twin = _add(acme.org, "J.", "Doe", phone="+14155550100", current_company="Initech")
    html = render_to_string(
        "candidates/_duplicates_banner.html",
        {"org": acme.org, "candidate": jane, "duplicates": likely_duplicates_of(jane)},
    )
    assert "J. Doe" in html and "Initech" in html
    assert f'href="/o/{acme.org.slug}/candidates/{twin.pk}/"' in html
    assert f'href="/o/{acme.org.slug}/candidates/duplicates/merge/{jane.pk}/{twin.pk}/"' in html
    assert render_to_string("candidates/_duplicates_banner.html", {"duplicates": []}).strip() == ""


def test_the_duplicates_page_lists_pairs_with_a_count_and_pagination(acme):
    for i in range(27):
        _add(acme.org, f"Person{i}", "A", phone=f"+1415555{i:04d}")
        _add(acme.org, f"Twin{i}", "B", phone=f"+1415555{i:04d}")
    url = f"/o/{acme.org.slug}/candidates/duplicates/"
    response = acme.client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "27 pairs" in html and "Same phone number" in html and "Page 1 of 2" in html
    first = response.context["pairs"][0]
    assert f"/duplicates/merge/{first.first.pk}/{first.second.pk}/" in html
    assert len(acme.client.get(url, {"page": 2}).context["pairs"]) == 2
    assert len(acme.client.get(url, {"page": 99}).context["pairs"]) == 2  # past the end: the last page
    for junk in ("nonsense", "0", "-1", "9" * 40):
        assert acme.client.get(url, {"page": junk}).context["page"].number == 1


def test_the_duplicates_page_has_an_empty_state(acme):
    response = acme.client.get(f"/o/{acme.org.slug}/candidates/duplicates/")
    assert response.status_code == 200
    assert "No likely duplicates." in response.content.decode()


def test_another_organisation_cannot_see_the_duplicates_page(acme, globex):
    _add(acme.org, "Ada", "Lovelace", phone="+442079460958")
    _add(acme.org, "Augusta", "King", phone="+442079460958")
    assert globex.client.get(f"/o/{acme.org.slug}/candidates/duplicates/").status_code == 404
    response = globex.client.get(f"/o/{globex.org.slug}/candidates/duplicates/")
    assert response.status_code == 200 and "Lovelace" not in response.content.decode()
