"""Likely duplicates: the signals, one candidate's twins, the stored pairs and the pages that read them."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template.loader import render_to_string

from candidates import services
from candidates.duplicates import matching
from candidates.duplicates.models import DuplicatePair
from candidates.duplicates.selectors import duplicate_pair_list, duplicates_of
from candidates.duplicates.services import duplicates_rebuild, duplicates_refresh
from candidates.models import Candidate

pytestmark = pytest.mark.django_db


def _add(org, first, last="", **data):
    return services.candidate_create(org=org, actor=None, data={"first_name": first, "last_name": last, **data})


def _stored(org) -> dict[frozenset[str], tuple[str, ...]]:
    pairs = duplicate_pair_list(org=org)
    return {frozenset({p.candidate_a.full_name, p.candidate_b.full_name}): tuple(p.reasons) for p in pairs}


def _rebuilt(org) -> dict[frozenset[str], tuple[str, ...]]:
    """The pairs found at once for the organisation, which must equal those found one candidate at a time."""
    duplicates_rebuild(org=org)
    at_once = _stored(org)
    DuplicatePair.objects.for_org(org).delete()
    duplicates_refresh(org_id=org.pk, candidate_ids=list(Candidate.objects.for_org(org).values_list("pk", flat=True)))
    assert _stored(org) == at_once
    return at_once


def _twins(candidate) -> dict[int, list[str]]:
    return matching.twins_of(Candidate.objects.get(pk=candidate.pk))


def test_a_very_similar_name_at_the_same_company_is_a_likely_pair(acme):
    _add(acme.org, "Katherine", "Johnson", current_company="NASA")
    _add(acme.org, "Catherine", "Johnson", current_company="nasa")
    _add(acme.org, "Katherine", "Jonsson", current_company="ESA")  # similar name, other company
    _add(acme.org, "Mary", "Jackson", current_company="NASA")  # same company, other name
    assert _rebuilt(acme.org) == {frozenset({"Katherine Johnson", "Catherine Johnson"}): ("name_company",)}


def test_the_same_phone_the_same_name_in_a_city_or_the_same_email_name_make_pairs(acme):
    _add(acme.org, "Ada", "Lovelace", phone="+44 20 7946 0958")
    _add(acme.org, "Augusta", "King", phone="020 7946 0958", country_code="GB")
    _add(acme.org, "Alan", "Turing", city="Manchester")
    _add(acme.org, "alan", "TURING", city="manchester")
    _add(acme.org, "Alan", "Turing", city="London")
    _add(acme.org, "Grace", "Hopper", email="grace.hopper@navy.mil")
    _add(acme.org, "Grace", "Hopper", email="grace.hopper@yale.edu")
    _add(acme.org, "Grace", "Hopper", email="amazing.grace@example.com")
    assert _rebuilt(acme.org) == {
        frozenset({"Ada Lovelace", "Augusta King"}): ("phone",),
        frozenset({"Alan Turing", "alan TURING"}): ("name_city",),
        frozenset({"Grace Hopper"}): ("name_email",),
    }


def test_a_pair_with_several_signals_comes_first_and_names_them_all(acme):
    _add(acme.org, "Jon", "Smith", phone="+14155550100", current_company="Initech")
    _add(acme.org, "John", "Smith", phone="+14155550100", current_company="Initech")
    _add(acme.org, "Bea", "Arthur", phone="+14155550199")
    _add(acme.org, "Dorothy", "Zbornak", phone="+14155550199")
    duplicates_rebuild(org=acme.org)
    first, second = duplicate_pair_list(org=acme.org)
    assert {first.candidate_a.full_name, first.candidate_b.full_name} == {"Jon Smith", "John Smith"}
    assert (first.reasons, first.score) == (["name_company", "phone"], 2)
    assert first.reason_labels == ["Similar name at the same company", "Same phone number"]
    assert first.candidate_a.pk < first.candidate_b.pk  # the older record is offered as the one to keep
    assert second.reasons == ["phone"]


def test_pairs_never_cross_organisations_and_erased_candidates_match_nothing(acme, globex):
    ada = _add(acme.org, "Ada", "Lovelace", phone="+442079460958", current_company="Analytical", city="London")
    _add(globex.org, "Ada", "Lovelace", phone="+442079460958", current_company="Analytical", city="London")
    assert _rebuilt(acme.org) == {} and _rebuilt(globex.org) == {}
    Candidate.objects.filter(pk=ada.pk).update(erased_at=ada.created_at)  # the row alone, its values kept
    _add(acme.org, "Ada", "Lovelace", phone="+442079460958", city="London")
    assert _rebuilt(acme.org) == {}


def test_twins_of_finds_the_twins_of_one_candidate(acme, globex):
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
    assert _twins(jane) == {
        twins[0].pk: ["name_company"],
        twins[1].pk: ["phone"],
        twins[2].pk: ["name_city"],
        twins[3].pk: ["name_email"],
    }
    assert _twins(twins[2]) == {jane.pk: ["name_city"]}


def test_a_candidate_without_signals_has_no_twins(acme):
    loner = _add(acme.org, "Jane")
    _add(acme.org, "Jane")
    assert _twins(loner) == {}


def test_the_profile_shows_the_stored_duplicates_in_one_query(acme, django_assert_num_queries):
    jane = _add(acme.org, "Jane", "Doe", phone="+14155550100")
    twin = _add(acme.org, "J.", "Doe", phone="+14155550100", current_company="Initech")
    other = _add(acme.org, "Jane", "Doe", email="jane@x.org", phone="+14155550100")
    duplicates_rebuild(org=acme.org)
    with django_assert_num_queries(1):
        assert duplicates_of(jane) == [twin, other]
    assert duplicates_of(twin) == [jane, other]
    assert duplicates_of(jane, limit=1) == [twin]


def test_the_profile_page_reads_duplicates_with_a_fixed_number_of_queries(acme, django_assert_num_queries):
    jane = _add(acme.org, "Jane", "Doe", phone="+14155550100")
    url = f"/o/{acme.org.slug}/candidates/{jane.pk}/"
    acme.client.get(url)  # the session and the member's lookups warmed up like any page view
    with django_assert_num_queries(PROFILE_QUERIES):
        assert acme.client.get(url).context["duplicates"] == []
    for i in range(4):
        _add(acme.org, f"Twin{i}", "Doe", phone="+14155550100")
    duplicates_rebuild(org=acme.org)
    with django_assert_num_queries(PROFILE_QUERIES):  # four twins cost no more than none
        response = acme.client.get(url)
    assert len(response.context["duplicates"]) == 4
    assert "This may be the same person as 4 other records" in response.content.decode()


PROFILE_QUERIES = 10  # the profile's pin (test_page_costs.py), with the audit trail's view entry


def test_the_banner_links_to_each_duplicate_its_merge_and_not_a_duplicate(acme):
    jane = _add(acme.org, "Jane", "Doe", phone="+14155550100")
    twin = _add(acme.org, "J.", "Doe", phone="+14155550100", current_company="Initech")
    duplicates_rebuild(org=acme.org)
    html = render_to_string(
        "candidates/_duplicates_banner.html",
        {"org": acme.org, "candidate": jane, "duplicates": duplicates_of(jane)},
    )
    assert "J. Doe" in html and "Initech" in html
    assert f'href="/o/{acme.org.slug}/candidates/{twin.pk}/"' in html
    assert f'href="/o/{acme.org.slug}/candidates/duplicates/merge/{jane.pk}/{twin.pk}/"' in html
    assert f'action="/o/{acme.org.slug}/candidates/duplicates/dismiss/{jane.pk}/{twin.pk}/"' in html
    assert render_to_string("candidates/_duplicates_banner.html", {"duplicates": []}).strip() == ""


def _twin_pairs(org, count: int) -> None:
    for i in range(count):
        _add(org, f"Person{i}", "A", phone=f"+1415555{i:04d}")
        _add(org, f"Twin{i}", "B", phone=f"+1415555{i:04d}")
    duplicates_rebuild(org=org)


def test_the_duplicates_page_lists_pairs_with_a_count_and_pagination(acme):
    _twin_pairs(acme.org, 27)
    url = f"/o/{acme.org.slug}/candidates/duplicates/"
    response = acme.client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "27 pairs" in html and "Same phone number" in html and "Page 1 of 2" in html
    first = response.context["pairs"][0]
    assert f"/duplicates/merge/{first.candidate_a.pk}/{first.candidate_b.pk}/" in html
    assert f"/duplicates/dismiss/{first.candidate_a.pk}/{first.candidate_b.pk}/" in html
    assert len(acme.client.get(url, {"page": 2}).context["pairs"]) == 2
    assert len(acme.client.get(url, {"page": 99}).context["pairs"]) == 2  # past the end: the last page
    for junk in ("nonsense", "0", "-1", "9" * 40):
        assert acme.client.get(url, {"page": junk}).context["page"].number == 1


@pytest.mark.parametrize("pairs", [3, 30])
def test_the_duplicates_page_costs_the_same_queries_whatever_the_pairs(acme, pairs, django_assert_num_queries):
    _twin_pairs(acme.org, pairs)
    url = f"/o/{acme.org.slug}/candidates/duplicates/"
    acme.client.get(url)
    with django_assert_num_queries(DUPLICATES_PAGE_QUERIES):  # the count, then the page with both people and owners
        response = acme.client.get(url, {"page": 2 if pairs > 25 else 1})
    assert len(response.context["pairs"]) == (5 if pairs > 25 else 3)


DUPLICATES_PAGE_QUERIES = 6


def test_the_duplicates_page_has_an_empty_state(acme):
    response = acme.client.get(f"/o/{acme.org.slug}/candidates/duplicates/")
    assert response.status_code == 200
    assert "No likely duplicates." in response.content.decode()


def test_another_organisation_cannot_see_the_duplicates_page(acme, globex):
    _add(acme.org, "Ada", "Lovelace", phone="+442079460958")
    _add(acme.org, "Augusta", "King", phone="+442079460958")
    duplicates_rebuild(org=acme.org)
    assert globex.client.get(f"/o/{acme.org.slug}/candidates/duplicates/").status_code == 404
    response = globex.client.get(f"/o/{globex.org.slug}/candidates/duplicates/")
    assert response.status_code == 200 and "Lovelace" not in response.content.decode()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm's setting (PostgreSQL only)")
def test_a_refresh_puts_the_trigram_threshold_back_for_the_rest_of_the_transaction(acme):
    ada = _add(acme.org, "Ada", "Lovelace", current_company="Analytical Engines")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL pg_trgm.similarity_threshold = 0.25")
        duplicates_refresh(org_id=acme.org.pk, candidate_ids=[ada.pk])
        cursor.execute("SELECT current_setting('pg_trgm.similarity_threshold')")
        assert cursor.fetchone()[0] == "0.25"


def test_the_duplicates_page_counts_up_to_a_cap_and_says_there_are_more(acme, monkeypatch):
    from candidates.duplicates import views

    _twin_pairs(acme.org, 6)
    monkeypatch.setattr(views, "COUNT_CAP", 5)
    response = acme.client.get(f"/o/{acme.org.slug}/candidates/duplicates/", {"page": 9})
    assert "5+ pairs" in response.content.decode()
    assert response.context["page"].number == 1 and len(response.context["pairs"]) == 5
    monkeypatch.setattr(views, "COUNT_CAP", 6)
    assert "6 pairs" in acme.client.get(f"/o/{acme.org.slug}/candidates/duplicates/").content.decode()
