"""A list's skills and tags come from one query a page, in name order, streamed in batches."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates import listed_labels
from candidates.models import Candidate
from candidates.selectors import CandidateFilters, candidate_list
from tests.candidates.page_support import add_candidate


def _labels(candidate: Candidate) -> tuple[list[str], list[str]]:
    return [s.name for s in candidate.listed_skills], [t.name for t in candidate.listed_tags]


def test_each_candidate_gets_its_own_skills_and_tags_in_name_order_from_one_query(acme):
    add_candidate(acme.org, "Ada", "Lovelace", skills=["Python", "Analysis", "Maths"], tags=["Shortlist", "Alumni"])
    add_candidate(acme.org, "Grace", "Hopper", skills=["COBOL"])
    add_candidate(acme.org, "Alan", "Turing")
    with CaptureQueriesContext(connection) as captured:
        found = {c.first_name: _labels(c) for c in candidate_list(org=acme.org, filters=CandidateFilters())}
    assert found == {
        "Ada": (["Analysis", "Maths", "Python"], ["Alumni", "Shortlist"]),
        "Grace": (["COBOL"], []),
        "Alan": ([], []),
    }
    assert len(captured) == 2  # the candidates, then every label of theirs
    assert str(Candidate.objects.get(first_name="Ada").listed_skills[0]) == "Analysis"  # unlisted: the relation


def test_a_streamed_list_reads_the_labels_a_batch_at_a_time(acme, monkeypatch):
    monkeypatch.setattr(listed_labels, "BATCH", 2)
    for n in range(5):
        add_candidate(acme.org, f"Person{n}", "Lab", skills=[f"Skill{n}"])
    listed = candidate_list(org=acme.org, filters=CandidateFilters())
    with CaptureQueriesContext(connection) as captured:
        found = {c.first_name: _labels(c)[0] for c in listed.iterator(chunk_size=10)}
    assert found == {f"Person{n}": [f"Skill{n}"] for n in range(5)}
    labels_queries = [q for q in captured.captured_queries if "UNION" in q["sql"]]
    assert len(labels_queries) == 3  # batches of 2, 2 and 1


@pytest.mark.parametrize("rows", ["values", "values_list"])
def test_rows_read_as_values_are_left_alone(acme, rows):
    add_candidate(acme.org, "Ada", "Lovelace", skills=["Python"])
    listed = candidate_list(org=acme.org, filters=CandidateFilters())
    assert list(getattr(listed, rows)("first_name")) in ([{"first_name": "Ada"}], [("Ada",)])
