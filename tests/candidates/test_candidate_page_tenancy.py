"""Candidate pages of another organisation are 404 and change nothing; signed-out visitors sign in."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.models import Resume
from candidates.resumes import resume_attach
from tests.candidates.page_support import TINY_PDF, add_candidate, bulk_post, page_url, tag_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme_record(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace", email="ada@example.com", skills=["Python"])
    resume = resume_attach(candidate=candidate, upload=SimpleUploadedFile("cv.pdf", TINY_PDF), actor=acme.user)
    return candidate, resume


ROUTES = [
    ("get", "candidate_detail", False, {}),
    ("get", "candidate_edit", False, {}),
    ("post", "candidate_edit", False, {"first_name": "Hacked", "stage": "new", "source": "other"}),
    ("post", "candidate_archive", False, {}),
    ("get", "candidate_delete", False, {}),
    ("post", "candidate_delete", False, {}),
    ("get", "candidate_json_resume", False, {}),
    ("post", "candidate_resume_upload", False, None),
    ("get", "candidate_resume_download", True, {}),
    ("get", "candidate_resume_preview", True, {}),
]


@pytest.mark.parametrize("slug_of", ["globex", "acme"])
@pytest.mark.parametrize(("method", "name", "with_resume", "data"), ROUTES)
def test_another_organisation_gets_404_and_changes_nothing(
    acme, globex, acme_record, slug_of, method, name, with_resume, data
):
    candidate, resume = acme_record
    org = globex.org if slug_of == "globex" else acme.org  # own URL space, or acme's
    args = [candidate.pk, resume.pk] if with_resume else [candidate.pk]
    if data is None:
        data = {"file": SimpleUploadedFile("cv.pdf", TINY_PDF)}
    response = getattr(globex.client, method)(page_url(name, org, *args), data)
    assert response.status_code == 404
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.stage) == ("Ada", "new")
    assert Resume.objects.filter(candidate=candidate).count() == 1


def test_other_organisations_cannot_see_or_act_on_acme_in_lists(acme, globex, acme_record):
    candidate, _ = acme_record
    assert globex.client.get(page_url("candidate_list", acme.org)).status_code == 404
    assert globex.client.post(page_url("candidate_bulk", acme.org), {"action": "tag"}).status_code == 404
    assert "Lovelace" not in globex.client.get(page_url("candidate_list", globex.org)).content.decode()
    # Acme's ids smuggled into globex's own bulk form touch nothing.
    bulk_post(globex, action="stage", stage="hired", selected=[candidate.pk])
    bulk_post(globex, action="tag", tags="Stolen", selected=[candidate.pk])
    bulk_post(globex, action="owner", owner="none", all_matching="on", query="")
    candidate.refresh_from_db()
    assert candidate.stage == "new" and tag_names(candidate) == []
    assert globex.client.get(page_url("candidate_create", acme.org)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(acme, client):
    response = client.get(page_url("candidate_list", acme.org))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
