"""Search: ranked full text and misspelt names, on PostgreSQL and on the SQLite path."""

from __future__ import annotations

import pytest
from django.db import connection

from candidates import services
from candidates.selectors import CandidateFilters, candidate_list
from candidates.sqlite_functions import similarity

pytestmark = pytest.mark.django_db


def _add(org, first, last, **data):
    skills = data.pop("skills", ())
    return services.candidate_create(
        org=org, actor=None, data={"first_name": first, "last_name": last, **data}, skills=skills
    )


def _search(org, query):
    return [c.full_name for c in candidate_list(org=org, filters=CandidateFilters(search=query))]


@pytest.fixture
def people(acme):
    _add(acme.org, "John", "Smith", email="john.smith@example.com", current_title="Backend Engineer")
    _add(acme.org, "Joan", "Smithers", current_company="Globex", skills=["Django", "PostgreSQL"])
    _add(acme.org, "Ada", "Lovelace", headline="Analytical engines and Python", skills=["Python"])
    _add(acme.org, "Grace", "Hopper", current_title="Compiler writer", current_company="Smith & Sons")
    return acme.org


def test_a_misspelt_name_finds_the_person(people):
    assert _search(people, "jonh smith")[0] == "John Smith"


def test_name_matches_rank_above_company_matches(people):
    results = _search(people, "smith")
    assert results[0] == "John Smith"
    assert "Grace Hopper" in results  # works at Smith & Sons
    assert results.index("John Smith") < results.index("Grace Hopper")


def test_skills_titles_and_email_are_searchable(people):
    assert _search(people, "postgresql") == ["Joan Smithers"]
    assert _search(people, "backend engineer") == ["John Smith"]
    assert _search(people, "john.smith@example.com") == ["John Smith"]
    assert "Ada Lovelace" in _search(people, "pyth")  # prefix, as you type


def test_an_empty_or_symbol_only_query_matches_everyone(people):
    assert len(_search(people, "   ")) == 4
    assert len(_search(people, "&&& |")) == 4


def test_search_never_crosses_organisations(people, globex):
    _add(globex.org, "John", "Smith")
    assert _search(globex.org, "john smith") == ["John Smith"]
    assert len(_search(people, "john smith")) >= 1
    ids = {c.organization_id for c in candidate_list(org=people, filters=CandidateFilters(search="smith"))}
    assert ids == {people.pk}


def test_the_sqlite_similarity_matches_pg_trgm_on_known_pairs():
    # Values as pg_trgm computes them (SELECT similarity(...) on PostgreSQL 15).
    assert similarity("john smith", "john smith") == 1.0
    assert similarity("jonh smith", "john smith") == pytest.approx(4 / 7)
    assert similarity("", "john") == 0.0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL search indexes")
def test_the_search_uses_the_stored_vector_and_indexes(people):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM candidates_candidate WHERE first_name = 'Joan'")
        vector = cursor.fetchone()[0]
        assert "'postgresql':" in vector and "'smithers':" in vector
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'candidates_candidate'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"cand_search_vector", "cand_search_name_trgm"} <= names
