"""A real Celery worker finds and stores a candidate's duplicates (the second CI pass only)."""

from __future__ import annotations

from candidates import search
from candidates.duplicates.models import DuplicatePair
from candidates.tasks import duplicates_refresh_task
from tests.factories import CandidateFactory
from tests.talentcircles.test_real_worker import pytestmark as real_worker_marks
from tests.talentcircles.test_real_worker import worker_queue  # noqa: F401  (the fixture)

pytestmark = real_worker_marks


def test_a_worker_stores_the_pairs_of_the_candidates_it_is_given(acme, worker_queue):  # noqa: F811
    ada = CandidateFactory(organization=acme.org, first_name="Ada", last_name="Lovelace", phone="+442079460958",
                           current_company="Analytical Engines")  # fmt: skip
    twin = CandidateFactory(organization=acme.org, first_name="Ada", last_name="Lovelace", phone="+442079460958",
                            current_company="analytical engines")  # fmt: skip
    CandidateFactory(organization=acme.org, first_name="Augusta", last_name="King")
    search.refresh([ada.pk, twin.pk])  # what the services do when they write a candidate
    result = duplicates_refresh_task.apply_async(args=[acme.org.pk, [twin.pk]], queue=worker_queue)
    assert result.get(timeout=60) == 1
    pair = DuplicatePair.objects.get()
    assert (pair.candidate_a_id, pair.candidate_b_id, pair.reasons) == (ada.pk, twin.pk, ["name_company", "phone"])
