"""Search: ranked full text and misspelt names, on PostgreSQL and on the SQLite path."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates import search, services
from candidates.models import Candidate
from candidates.selectors import CandidateFilters, candidate_list, candidate_results
from candidates.typos import similarity
from talentcircles.pagination import SEARCH_COUNT_CAP, CappedPaginator

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


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm's word similarity")
def test_a_single_misspelt_word_finds_the_names_it_resembles(people):
    assert _search(people, "smiht") == ["John Smith", "Joan Smithers"]
    assert _search(people, "lovelcae") == ["Ada Lovelace"]
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.word_similarity_threshold")
        assert float(cursor.fetchone()[0]) == search.WORD_SIMILARITY_THRESHOLD


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


def test_only_the_last_word_is_a_prefix_as_you_type(people):
    assert _search(people, "backend eng") == ["John Smith"]
    assert _search(people, "analytical eng") == ["Ada Lovelace"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text window")
def test_the_ranked_window_takes_whole_words_before_completions(acme):
    # Created first, so a scan in table order would meet the completions first.
    _add(acme.org, "Jamesina", "Brown")
    _add(acme.org, "Jameson", "Green")
    _add(acme.org, "James", "Smith")
    _add(acme.org, "James", "White")
    everyone = Candidate.objects.for_org(acme.org)

    def names(ids):
        return sorted(everyone.get(pk=pk).full_name for pk in ids)

    assert names(search.window_ids(everyone, "james", 2)) == ["James Smith", "James White"]
    # A window the whole words do not fill takes the completions too.
    assert names(search.window_ids(everyone, "james", 10)) == [
        "James Smith", "James White", "Jamesina Brown", "Jameson Green"
    ]  # fmt: skip


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text window")
def test_a_one_word_name_is_looked_up_by_first_then_last_name_before_the_full_text(acme):
    # Created first, so a scan in table order would meet the others first.
    _add(acme.org, "Jamesina", "Brown")  # a completion
    _add(acme.org, "Ann", "Lee", current_company="James & Co")  # the word, not as a name
    _add(acme.org, "LeBron", "James")
    _add(acme.org, "James", "Smith")
    _add(acme.org, "James", "James")  # both: listed once
    everyone = Candidate.objects.for_org(acme.org)

    def window(query, size=10):
        return [everyone.get(pk=pk).full_name for pk in search.window_ids(everyone, query, size)]

    def matching(query):
        return sorted(c.full_name for c in search.matches(everyone, query))

    assert sorted(window("james", 2)) == ["James James", "James Smith"]  # first names first
    assert sorted(window("james", 3)) == ["James James", "James Smith", "LeBron James"]  # then last names
    assert sorted(window("james")) == matching("james") == [
        "Ann Lee", "James James", "James Smith", "Jamesina Brown", "LeBron James"
    ]  # fmt: skip
    # Misspelt, the names come first too; the company's word is not a name (weight A only).
    assert sorted(window("jmaes", 3)) == ["James James", "James Smith", "LeBron James"]
    assert sorted(window("jmaes")) == matching("jmaes") == ["James James", "James Smith", "LeBron James"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text window")
@pytest.mark.parametrize("query", ["jurgen", "JÜRGEN", "muller", "mueller"])
def test_the_name_lookup_is_accent_blind(acme, query):
    _add(acme.org, "Jürgen", "Müller")
    _add(acme.org, "Jurgen", "Mueller")
    everyone = Candidate.objects.for_org(acme.org)
    found = sorted(everyone.get(pk=pk).full_name for pk in search.window_ids(everyone, query, 10))
    assert found == sorted(c.full_name for c in search.matches(everyone, query))
    assert "Jürgen Müller" in found


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL indexes")
def test_the_name_lookup_can_use_its_indexes(acme):
    # If the SQL and the indexes of migration 0019 drifted apart, the lookup would silently become a scan.
    everyone = Candidate.objects.for_org(acme.org)
    sql, params = search._window_sql(everyone, ["james"], 501)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using cand_org_first_folded" in plan
    assert "Index Scan using cand_org_last_folded" in plan


def test_the_window_is_ranked_once_and_the_page_neither_ranks_nor_counts(people):
    ranking = "ts_rank_cd" if connection.vendor == "postgresql" else "similarity("
    with CaptureQueriesContext(connection) as captured:
        results = candidate_results(org=people, filters=CandidateFilters(search="smith"))
        paginator = CappedPaginator(results.pages, 25, count_cap=SEARCH_COUNT_CAP, counted=results.counted)
        names = [c.full_name for c in paginator.get_page(1)]
    window, page = (q["sql"] for q in captured.captured_queries[:2])
    assert ranking in window
    assert ranking not in page and "COUNT(" not in page
    assert names[0] == "John Smith" and results.counted == len(names) == 3


@pytest.mark.parametrize("query", ["smith", "smit", "jonh smith", "engineer", "   "])
def test_the_ranked_window_orders_as_ranking_its_rows_would(people, query):
    # Ties on rank (the same name twice) fall back to the last name, then the id, as before.
    _add(people, "John", "Smith", email="other.john@example.com")
    _add(people, "Joan", "Smithers", email="other.joan@example.com")
    everyone = Candidate.objects.for_org(people)
    ranked, counted = search.ranked_window(everyone, query, 500)
    expected = (
        everyone.filter(pk__in=search.window_ids(everyone, query, 501))
        .annotate(rank=search.rank(query))
        .order_by("-rank", "last_name", "id")
        .values_list("pk", flat=True)
    )
    assert ranked == list(expected) and counted == len(ranked) > 0


def test_a_ranked_page_reads_only_its_own_rows_in_the_windows_order(people):
    results = candidate_results(org=people, filters=CandidateFilters(search="smith"))
    everyone = list(results.candidates)  # the queryset (exports, bulk actions): the window's order too
    paginator = CappedPaginator(results.pages, 2, count_cap=SEARCH_COUNT_CAP, counted=results.counted)
    with CaptureQueriesContext(connection) as captured:
        assert list(paginator.get_page(1)) == everyone[:2]
        assert list(paginator.get_page(2)) == everyone[2:]
    pages = [q["sql"] for q in captured.captured_queries if 'FROM "candidates_candidate" ' in q["sql"]]
    read = re.compile(r"ANY\('\{([\d,]+)\}'|\"id\" IN \(([\d, ]+)\)")
    assert [re.search(read, sql).group(1) or re.search(read, sql).group(2) for sql in pages] == [
        f"{everyone[0].pk},{everyone[1].pk}"
        if connection.vendor == "postgresql"
        else f"{everyone[0].pk}, {everyone[1].pk}",
        str(everyone[2].pk),
    ]


def test_the_ranked_window_counts_one_more_than_it_ranks(people):
    ranked, counted = search.ranked_window(Candidate.objects.for_org(people), "smith", 2)
    assert len(ranked) == 2 and counted == 3


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text window")
@pytest.mark.parametrize("query", ["andersno", "kim andersno"])
def test_similar_names_are_looked_for_only_when_the_swapped_letters_are_few(acme, query):
    # "andersno" is "anderson" with two letters swapped; Andersen and Andersson are only alike.
    for first, last in (("Kim", "Anderson"), ("Kim", "Andersen"), ("Kim", "Andersson")):
        _add(acme.org, first, last)
    everyone = Candidate.objects.for_org(acme.org)

    def window(size=10):
        return sorted(everyone.get(pk=pk).full_name for pk in search.window_ids(everyone, query, size))

    def matching():
        return sorted(c.full_name for c in search.matches(everyone, query))

    assert window() == matching() == ["Kim Andersen", "Kim Anderson", "Kim Andersson"]  # one swap: few
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "FUZZY_FALLBACK_BELOW", 1)  # one swap is enough: no similar names
        assert window() == matching() == ["Kim Anderson"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL full-text window")
def test_the_window_is_one_statement_with_similar_names_only_when_exact_matches_are_few(acme):
    _add(acme.org, "James", "Smith")
    _add(acme.org, "Jameson", "Green")
    _add(acme.org, "John", "Smith")
    everyone = Candidate.objects.for_org(acme.org)

    def names(query, size=10):
        with CaptureQueriesContext(connection) as captured:
            ids = search.window_ids(everyone, query, size)
        assert len(captured) == 1
        return sorted(everyone.get(pk=pk).full_name for pk in ids)

    assert names("james") == ["James Smith", "Jameson Green"]  # whole word, then its completion
    # No exact match: each word as typed or misspelt. "jmaes" is "james" with two letters swapped;
    # John Smith shares "smith" only, and a whole-name likeness no longer counts.
    assert names("jmaes smith") == ["James Smith"]
    _add(acme.org, "Jaems", "Smith")  # misspelt when typed in
    assert names("james smith") == ["Jaems Smith", "James Smith"]  # one exact match: few, so misspellings too
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "FUZZY_FALLBACK_BELOW", 1)  # one is enough: misspellings are not looked for
        assert names("james smith") == ["James Smith"]


@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({"skill": "python"}, True),
        ({"skill": "cobol"}, False),
        ({"tag": "shortlist"}, True),
        ({"location": "London"}, True),
        ({"location": "Germany"}, False),
        ({"stage": "new"}, True),
        ({"unowned": True}, True),
        ({"contactable": True}, True),
        ({"contactable": False}, False),
        ({"source": "referral"}, False),
        ({"industry": "Software"}, False),
    ],
)
@pytest.mark.parametrize("query", ["lovelace", "lovelcae"])  # found whole, and through a swap
def test_a_ranked_search_keeps_every_filter(acme, filters, found, query):
    services.candidate_create(
        org=acme.org, actor=None, skills=["Python"], tags=["Shortlist"],
        data={"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "city": "London"},
    )  # fmt: skip
    _add(acme.org, "Adam", "Lovelace", skills=["COBOL"], email="adam@example.com", city="Berlin", country_code="DE")
    results = candidate_results(org=acme.org, filters=CandidateFilters(search=query, **filters), ordering="relevance")
    names = [c.full_name for c in results.pages[0:25]]
    assert ("Ada Lovelace" in names) is found
    assert names == [c.full_name for c in results.candidates]  # the page and the queryset agree
