"""Adding, editing, archiving and deleting a candidate from the recruiter pages."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.models import Candidate, Resume
from candidates.resumes import resume_attach
from tests.candidates.page_support import TINY_PDF, add_candidate, listed_names, page_url, tag_names

pytestmark = pytest.mark.django_db


def _form_data(**overrides):
    data = {
        "first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.com", "phone": "+44 20 7946 0958",
        "headline": "Analytical engines", "current_title": "Analyst", "current_company": "Engines Ltd",
        "industry": "Computer Software", "city": "London", "region": "", "country_code": "gb", "time_zone": "",
        "linkedin_url": "https://uk.linkedin.com/in/ada/", "links": "https://ada.example.com",
        "source": "referral", "referrer": "Charles", "owner": "", "stage": "new",
        "skills": "Python, Maths", "tags": "shortlist",
    }  # fmt: skip
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_recruiter_adds_a_candidate(acme):
    response = acme.client.get(page_url("candidate_create", acme.org))
    assert response.status_code == 200 and 'name="first_name"' in response.content.decode()
    response = acme.client.post(page_url("candidate_create", acme.org), _form_data(owner=str(acme.user.pk)))
    candidate = Candidate.objects.get(organization=acme.org)
    assert response.status_code == 302
    assert response["Location"] == page_url("candidate_detail", acme.org, candidate.pk)
    assert candidate.email == "ada@example.com" and candidate.phone == "+442079460958"
    assert candidate.linkedin_url == "linkedin.com/in/ada" and candidate.time_zone == "Europe/London"
    assert candidate.links == ["https://ada.example.com"] and candidate.owner == acme.user
    assert sorted(candidate.skills.values_list("name", flat=True)) == ["Maths", "Python"]
    assert tag_names(candidate) == ["shortlist"]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "is not a valid e-mail address"),
        ({"phone": "12"}, "phone", "is not a phone number we can read"),
        ({"first_name": ""}, "first_name", "This field is required."),
        ({"first_name": "   "}, "first_name", "This field is required."),
        ({"headline": "x" * 221}, "headline", "at most 220 characters"),
        ({"linkedin_url": "https://example.com/ada"}, "linkedin_url", "is not a LinkedIn profile URL"),
        ({"industry": "Underwater Basket Weaving"}, "industry", "Select a valid choice"),
        ({"links": "javascript:alert(1)"}, "links", "is not a web address"),
        ({"country_code": "Atlantis"}, "country_code", "not a country in our list"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(acme, overrides, field, message):
    response = acme.client.post(page_url("candidate_create", acme.org), _form_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not Candidate.objects.exists()


def test_a_duplicate_email_is_a_field_error(acme, globex):
    existing = add_candidate(acme.org, "Ada", "Lovelace", email="ada@example.com")
    add_candidate(globex.org, "Other", "Ada", email="ada2@example.com")
    response = acme.client.post(
        page_url("candidate_create", acme.org), _form_data(first_name="Ada2", email="ADA@example.com ")
    )
    assert response.status_code == 400
    assert f"Ada Lovelace (#{existing.pk}) already has this e-mail." in response.context["form"].errors["email"]
    assert Candidate.objects.filter(organization=acme.org).count() == 1
    # The same address in another organisation is no duplicate.
    response = acme.client.post(
        page_url("candidate_create", acme.org), _form_data(email="ada2@example.com", linkedin_url="")
    )
    assert response.status_code == 302


def test_a_recruiter_edits_a_candidate(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace", email="ada@example.com", skills=["Python"], tags=["Old"])
    page = acme.client.get(page_url("candidate_edit", acme.org, candidate.pk))
    assert page.status_code == 200
    assert page.context["form"].initial["skills"] == "Python" and page.context["form"].initial["tags"] == "Old"
    response = acme.client.post(
        page_url("candidate_edit", acme.org, candidate.pk),
        _form_data(email="ada@example.com", current_title="Countess", skills="Maths", tags="", stage="engaged"),
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.current_title == "Countess" and candidate.stage == "engaged"
    assert list(candidate.skills.values_list("name", flat=True)) == ["Maths"] and tag_names(candidate) == []


def test_an_invalid_edit_changes_nothing(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace", email="ada@example.com", phone="+442079460958")
    add_candidate(acme.org, "Grace", "Hopper", email="grace@example.com")
    response = acme.client.post(
        page_url("candidate_edit", acme.org, candidate.pk),
        _form_data(first_name="Renamed", email="grace@example.com", current_title="Changed", linkedin_url=""),
    )
    assert response.status_code == 400 and "email" in response.context["form"].errors
    assert "Edit Ada Lovelace" in response.content.decode()  # the stored name, not the refused one
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.email, candidate.current_title) == ("Ada", "ada@example.com", "")


def test_archiving_takes_a_candidate_out_of_the_list(acme):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    assert acme.client.get(page_url("candidate_archive", acme.org, candidate.pk)).status_code == 405
    response = acme.client.post(page_url("candidate_archive", acme.org, candidate.pk))
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.stage == "archived"
    assert listed_names(acme.client.get(page_url("candidate_list", acme.org))) == []


def test_deleting_asks_first_then_removes_the_candidate_and_files(acme, settings):
    candidate = add_candidate(acme.org, "Ada", "Lovelace")
    resume = resume_attach(candidate=candidate, upload=SimpleUploadedFile("cv.pdf", TINY_PDF), actor=acme.user)
    path = resume.file.path
    page = acme.client.get(page_url("candidate_delete", acme.org, candidate.pk))
    assert page.status_code == 200 and "Delete Ada Lovelace?" in page.content.decode()
    assert Candidate.objects.filter(pk=candidate.pk).exists()
    response = acme.client.post(page_url("candidate_delete", acme.org, candidate.pk))
    assert response.status_code == 302 and response["Location"] == page_url("candidate_list", acme.org)
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    assert not Resume.objects.exists()
    import os

    assert not os.path.exists(path)
