"""The jobs API for sharing, deleting and interest: `circles` on a job, DELETE of drafts only, and
/api/v1/jobs/{id}/interests/ (list, add, move), scoped to the caller's organisation."""

from __future__ import annotations

import pytest

from engagement.circles.jobs.interest import job_interest_raise
from engagement.circles.jobs.models import Job, JobInterest
from tests.engagement.job_support import make_circle, make_job
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _interests(job) -> str:
    return f"/api/v1/jobs/{job.pk}/interests/"


def test_a_job_is_created_shared_and_reshared_to_circles_of_the_organisation(acme, globex):
    ours, second, theirs = make_circle(acme), make_circle(acme, "Data"), make_circle(globex)
    data = {"title": "SRE", "circles": [ours.pk]}
    created = acme.client.post("/api/v1/jobs/", data, content_type=JSON)
    assert created.status_code == 201 and created.json()["circles"] == [ours.pk]
    url = f"/api/v1/jobs/{created.json()['id']}/"
    changed = acme.client.patch(url, {"circles": [second.pk, ours.pk]}, content_type=JSON)
    assert sorted(changed.json()["circles"]) == sorted([ours.pk, second.pk])
    refused = acme.client.patch(url, {"circles": [theirs.pk]}, content_type=JSON)
    assert refused.status_code == 400 and "circles" in refused.json()
    assert sorted(acme.client.get(url).json()["circles"]) == sorted([ours.pk, second.pk])
    other = acme.client.post("/api/v1/jobs/", {"title": "X", "circles": [theirs.pk]}, content_type=JSON)
    assert other.status_code == 400
    assert Job.objects.count() == 1


def test_the_job_list_reads_circles_without_a_query_per_job(acme, django_assert_max_num_queries):
    circle = make_circle(acme)
    for n in range(3):
        make_job(acme, title=f"Role {n}").circles.set([circle])
    acme.client.get("/api/v1/jobs/")
    with django_assert_max_num_queries(9):
        body = acme.client.get("/api/v1/jobs/").json()
    assert [job["circles"] for job in body["results"]] == [[circle.pk]] * 3


def test_only_a_draft_is_deleted_and_others_say_to_close_them(acme, globex):
    draft, opened = make_job(acme, title="Draft"), make_job(acme, title="Open", open_it=True)
    assert globex.client.delete(f"/api/v1/jobs/{draft.pk}/").status_code == 404
    assert acme.client.delete(f"/api/v1/jobs/{draft.pk}/").status_code == 204
    refused = acme.client.delete(f"/api/v1/jobs/{opened.pk}/")
    assert refused.status_code == 400 and "Close it instead" in refused.json()["status"][0]
    assert list(Job.objects.values_list("title", flat=True)) == ["Open"]


def test_interests_are_listed_by_status_added_and_moved(acme):
    job = make_job(acme, open_it=True)
    raised = job_interest_raise(candidate=CandidateFactory(organization=acme.org), job=job, note="Hi")
    candidate = CandidateFactory(organization=acme.org)
    added = acme.client.post(_interests(job), {"candidate": candidate.pk, "source": "reply"}, content_type=JSON)
    assert added.status_code == 201 and added.json()["source"] == "reply"
    again = acme.client.post(_interests(job), {"candidate": candidate.pk}, content_type=JSON)
    assert again.status_code == 200 and again.json()["id"] == added.json()["id"]
    body = acme.client.get(_interests(job)).json()
    assert [row["candidate"] for row in body["results"]] == [candidate.pk, raised.candidate_id]
    url = f"{_interests(job)}{raised.pk}/"
    moved = acme.client.patch(url, {"status": "not_a_fit", "reason": "timing", "reason_note": "Q3"}, content_type=JSON)
    assert moved.status_code == 200 and (moved.json()["status"], moved.json()["reason"]) == ("not_a_fit", "timing")
    only = acme.client.get(_interests(job), {"status": "not_a_fit"}).json()["results"]
    assert [row["id"] for row in only] == [raised.pk] and only[0]["note"] == "Hi"
    assert acme.client.get(_interests(job), {"status": "nope"}).status_code == 400


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "withdrawn"}, "status"),
        ({"status": "not_a_fit"}, "reason"),
        ({"status": "handed_to_ats", "reason_note": "x" * 301}, "reason_note"),
        ({}, "status"),
    ],
)
def test_a_move_that_is_not_allowed_is_a_400_with_a_field_message(acme, data, field):
    job = make_job(acme, open_it=True)
    interest = job_interest_raise(candidate=CandidateFactory(organization=acme.org), job=job)
    response = acme.client.put(f"{_interests(job)}{interest.pk}/", data, content_type=JSON)
    assert response.status_code == 400 and field in response.json()
    interest.refresh_from_db()
    assert interest.status == "interested"


def test_another_organisations_job_interest_or_candidate_is_not_reachable(acme, globex):
    job = make_job(acme, open_it=True)
    interest = job_interest_raise(candidate=CandidateFactory(organization=acme.org), job=job)
    assert globex.client.get(_interests(job)).status_code == 404
    assert globex.client.get(f"{_interests(job)}{interest.pk}/").status_code == 404
    move = globex.client.patch(f"{_interests(job)}{interest.pk}/", {"status": "shortlisted"}, content_type=JSON)
    assert move.status_code == 404
    theirs = make_job(globex, open_it=True)
    assert globex.client.get(f"{_interests(theirs)}{interest.pk}/").status_code == 404
    stranger = CandidateFactory(organization=globex.org)
    added = acme.client.post(_interests(job), {"candidate": stranger.pk}, content_type=JSON)
    assert added.status_code == 400 and "candidate" in added.json()
    assert JobInterest.objects.get().status == "interested" and JobInterest.objects.count() == 1
