"""The candidate list's capped count can be answered from `cand_org_listed` (migration 0015).

Without an index matching the list's filter (not erased; by default not archived), PostgreSQL counted
an organisation's first 10,001 rows with a sequential scan, which for an organisation whose rows lie
after another's million read through those first (0.4 to 1.8 s). A partial index is used only when
the query's WHERE clause implies the index's condition, so these tests take the count the page
really runs and ask PostgreSQL's planner whether it can use the index; they fail if the list's
filter or the index's condition drift apart.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate
from tests.candidates.page_support import add_candidate, page_url

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner and partial index")


def _count_query(tenant, query: str = "") -> str:
    with CaptureQueriesContext(connection) as queries:
        assert tenant.client.get(page_url("candidate_list", tenant.org, query=query)).status_code == 200
    counts = [
        q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "candidates_candidate" in q["sql"]
    ]
    assert len(counts) == 1, counts
    return counts[0]


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        # A handful of rows: the planner would rightly scan the table; ask whether it *can* use the index.
        cursor.execute("SET LOCAL enable_seqscan = off")
        # On a handful of rows every index that leads with the organisation ties with this one, and which
        # wins a tie changes as indexes are added: leave this one alone among them (the drops are undone
        # with the test's transaction).
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'candidates_candidate'"
            " AND indexname NOT IN ('cand_org_listed', 'candidates_candidate_pkey')"
            " AND indexname NOT IN (SELECT conname FROM pg_constraint)"
        )
        for (index,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{index}"')
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def listed(acme):
    add_candidate(acme.org, "Ada", "Lovelace")
    add_candidate(acme.org, "Grace", "Hopper", stage=Candidate.Stage.ARCHIVED)
    return acme


@pytest.mark.parametrize("query", ["", "stage=new", "stage=archived"])
def test_the_lists_count_can_use_the_listed_index(listed, query):
    sql = _count_query(listed, query)
    assert "LIMIT 10001" in sql
    plan = _plan(sql)
    assert "cand_org_listed" in plan, plan


def test_a_count_the_index_cannot_answer_uses_another_path(acme):
    """The test above can fail: the home page's figure counts erased candidates too, which the index leaves out."""
    with CaptureQueriesContext(connection) as queries:
        acme.client.get(page_url("org_home", acme.org))
    counts = [
        q["sql"] for q in queries.captured_queries if "COUNT(*)" in q["sql"] and "candidates_candidate" in q["sql"]
    ]
    assert counts
    assert "cand_org_listed" not in _plan(counts[0])
