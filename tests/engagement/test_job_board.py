"""The recruiter side of interest in jobs: sharing a job to circles, the job's board and its moves,
adding someone's interest (job page and candidate profile), deleting drafts, and tenancy."""

from __future__ import annotations

import pytest
from django.urls import reverse

from engagement.circles.jobs import selectors
from engagement.circles.jobs.interest import job_interest_move, job_interest_raise
from engagement.circles.jobs.models import Job, JobInterest
from engagement.timeline.models import Activity
from tests.engagement.job_support import make_circle, make_job
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def _interested(tenant, job, n: int, status: str = "interested") -> list[JobInterest]:
    found = []
    for _ in range(n):
        interest = job_interest_raise(candidate=CandidateFactory(organization=tenant.org), job=job)
        if status != "interested":
            interest = job_interest_move(interest=interest, status=status, actor=tenant.user, reason="skills")
        found.append(interest)
    return found


def test_a_recruiter_shares_a_job_to_circles_from_its_page(acme, globex):
    job = make_job(acme)
    ours, theirs = make_circle(acme), make_circle(globex, "Globex circle")
    page = acme.client.get(reverse("job_detail", args=[acme.org.slug, job.pk])).content.decode()
    assert "Backend Engineers" in page and "Globex circle" not in page
    share = reverse("job_share", args=[acme.org.slug, job.pk])
    assert acme.client.post(share, {"circles": [ours.pk]}).status_code == 302
    assert list(job.circles.all()) == [ours]
    acme.client.post(share, {"circles": [ours.pk, theirs.pk]})  # not one of ours: refused, nothing changes
    assert list(job.circles.all()) == [ours]
    acme.client.post(share, {})
    assert not job.circles.exists()


def test_the_board_has_a_column_per_status_and_a_fixed_query_count(acme, django_assert_num_queries):
    job = make_job(acme, open_it=True)
    url = reverse("job_board", args=[acme.org.slug, job.pk])
    page = acme.client.get(url).content.decode()
    for status in ("interested", "shortlisted", "handed_to_ats", "not_a_fit", "withdrawn"):
        assert f'data-stage-column="{status}"' in page
    assert 'src="/static/js/pipeline.js"' in page
    for status in ("interested", "shortlisted", "handed_to_ats", "not_a_fit"):
        _interested(acme, job, 1, status)
    # session, user, membership and organisation, memberships for the switcher, job, counts, 4 columns
    with django_assert_num_queries(10):
        acme.client.get(url)
    for status in ("interested", "shortlisted", "handed_to_ats", "not_a_fit"):
        _interested(acme, job, 3, status)
    with django_assert_num_queries(10):
        page = acme.client.get(url).content.decode()
    assert page.count('class="tc-pipeline-card"') == 16 and 'data-count="4"' in page


def test_a_column_is_capped_and_says_how_many_more(acme):
    job = make_job(acme, open_it=True)
    _interested(acme, job, 3)
    columns = selectors.job_board(job=job, cap=2)
    assert (columns[0].total, len(columns[0].cards), columns[0].hidden) == (3, 2, 1)


def test_a_card_moves_by_form_or_by_json_and_each_move_is_on_the_timeline(acme):
    job = make_job(acme, open_it=True)
    [interest] = _interested(acme, job, 1)
    move = reverse("job_interest_move", args=[acme.org.slug, job.pk, interest.pk])
    response = acme.client.post(move, {"stage": "shortlisted"})
    assert response.status_code == 302 and response["Location"] == reverse("job_board", args=[acme.org.slug, job.pk])
    answer = acme.client.post(move, {"stage": "handed_to_ats"}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and answer.json()["stage"] == "handed_to_ats"
    refused = acme.client.post(move, {"stage": "not_a_fit"}, headers={"Accept": "application/json"})
    assert refused.status_code == 400 and "reason" in refused.json()["errors"]
    withdrawn = acme.client.post(move, {"stage": "withdrawn"}, headers={"Accept": "application/json"})
    assert withdrawn.status_code == 400 and "Only the candidate" in withdrawn.json()["errors"]["status"][0]
    acme.client.post(move, {"stage": "not_a_fit", "reason": "seniority", "reason_note": "Next year"})
    interest.refresh_from_db()
    assert (interest.status, interest.reason, interest.reason_note) == ("not_a_fit", "seniority", "Next year")
    summaries = list(
        Activity.objects.filter(candidate_id=interest.candidate_id, actor=acme.user).values_list("summary", flat=True)
    )
    assert len(summaries) == 3 and all("Job “" in summary for summary in summaries)


def test_a_recruiter_adds_interest_by_e_mail_on_the_job_page(acme):
    job = make_job(acme, open_it=True)
    candidate = CandidateFactory(organization=acme.org, email="ada@example.com")
    url = reverse("job_interest_add", args=[acme.org.slug, job.pk])
    acme.client.post(url, {"email": "nobody@example.com", "source": "recruiter"})
    assert not JobInterest.objects.exists()
    acme.client.post(url, {"email": "ADA@example.com", "source": "reply"})
    interest = JobInterest.objects.get()
    assert (interest.candidate, interest.source) == (candidate, "reply")


def test_the_candidate_profile_lists_their_interests_and_adds_one(acme):
    candidate = CandidateFactory(organization=acme.org)
    job = make_job(acme, title="Data Engineer", open_it=True)
    make_job(acme, title="A draft")
    panel = reverse("candidate_job_interests", args=[acme.org.slug, candidate.pk])
    assert panel in acme.client.get(reverse("candidate_detail", args=[acme.org.slug, candidate.pk])).content.decode()
    html = acme.client.get(panel, headers={"HX-Request": "true"}).content.decode()
    assert "Not interested in any job yet" in html and "Data Engineer" in html and "A draft" not in html
    assert "<title>" not in html and "<title>" in acme.client.get(panel).content.decode()  # a page without htmx
    response = acme.client.post(panel, {"job": job.pk, "source": "recruiter"})
    assert response.status_code == 302 and response["Location"].endswith("#jobs")
    assert JobInterest.objects.get().source == "recruiter"
    assert "Interested" in acme.client.get(panel).content.decode()


def test_only_a_draft_is_deleted_from_its_page(acme):
    draft, opened = make_job(acme, title="Draft"), make_job(acme, title="Opened", open_it=True)
    assert acme.client.post(reverse("job_delete", args=[acme.org.slug, draft.pk])).status_code == 302
    acme.client.post(reverse("job_delete", args=[acme.org.slug, opened.pk]))
    assert list(Job.objects.values_list("title", flat=True)) == ["Opened"]


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("job_board", "get"),
        ("job_share", "post"),
        ("job_delete", "post"),
        ("job_interest_add", "post"),
        ("job_interest_move", "post"),
        ("candidate_job_interests", "get"),
        ("candidate_job_interests", "post"),
    ],
)
def test_every_new_recruiter_page_is_404_to_another_organisation(acme, globex, name, method):
    job = make_job(acme, title="Draft")
    candidate = CandidateFactory(organization=acme.org)
    if name == "job_interest_move":
        opened = make_job(acme, title="Open", open_it=True)
        args = [opened.pk, job_interest_raise(candidate=candidate, job=opened).pk]
    elif name == "candidate_job_interests":
        args = [candidate.pk]
    else:
        args = [job.pk]
    data = {"stage": "shortlisted", "email": candidate.email, "job": job.pk, "circles": []}
    response = getattr(globex.client, method)(reverse(name, args=[globex.org.slug, *args]), data)
    assert response.status_code == 404
    assert Job.objects.filter(pk=job.pk).exists()
    assert not JobInterest.objects.exclude(status="interested").exists()


def test_another_jobs_interest_is_404_on_this_jobs_board(acme):
    job, other = make_job(acme, open_it=True), make_job(acme, title="Other", open_it=True)
    [interest] = _interested(acme, other, 1)
    move = reverse("job_interest_move", args=[acme.org.slug, job.pk, interest.pk])
    assert acme.client.post(move, {"stage": "shortlisted"}).status_code == 404
