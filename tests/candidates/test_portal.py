"""The candidate's own portal pages (/c/<org>/me/, preferences/, my-data/…), the recruiter's and the
admin's erasure: own data only, tenancy, bad input, and the whole erase journey."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from candidates.consent import consent_state
from candidates.models import Candidate, ConsentRecord, Resume, Suppression
from candidates.privacy import is_suppressed
from talentcircles import events
from talentcircles.colours import readable_shade
from talentcircles.models import User
from tests.factories import PASSWORD, CandidateFactory, UserFactory, docx_bytes

pytestmark = pytest.mark.django_db

PORTAL_PAGES = ["portal_profile", "portal_preferences", "portal_my_data", "portal_my_data_download", "portal_erase"]


def _url(name: str, org, *args) -> str:
    return reverse(name, args=[org.slug, *args])


class Member:
    """A community member of one organisation, signed in to the portal."""

    def __init__(self, org, *, first_name: str = "Ada", email: str | None = None, **user_fields):
        self.user = UserFactory(first_name=first_name, **({"email": email} if email else {}), **user_fields)
        self.candidate = CandidateFactory(
            organization=org, user=self.user, email=self.user.email, first_name=first_name, last_name="Member"
        )
        self.client = Client()
        self.client.force_login(self.user)

    def reload(self) -> Candidate:
        self.candidate.refresh_from_db()
        return self.candidate


@pytest.fixture
def ada(acme) -> Member:
    return Member(acme.org, first_name="Ada", email="ada@example.org")


# --- Who may see what ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(acme, name):
    url = _url(name, acme.org)
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert f"next={url}" in response["Location"].replace("%2F", "/")


@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_a_member_of_one_community_is_sent_to_join_another(ada, globex, name):
    response = ada.client.get(_url(name, globex.org))
    assert response.status_code == 302
    assert response["Location"] == reverse("community_join", args=[globex.org.slug])


def test_a_recruiter_without_a_profile_is_sent_to_join(acme):
    response = acme.client.get(_url("portal_profile", acme.org))
    assert response["Location"] == reverse("community_join", args=[acme.org.slug])


def test_an_unknown_community_is_a_404(ada):
    assert ada.client.get("/c/no-such-community/me/").status_code == 404


def test_an_account_with_an_unverified_email_is_asked_to_verify(acme):
    member = Member(acme.org, verified=False)
    response = member.client.get(_url("portal_profile", acme.org))
    assert response["Location"] == reverse("account_email_verification_sent")


def test_the_pages_show_only_my_own_data(acme, ada):
    other = Member(acme.org, first_name="Grace", email="grace@example.org")
    Candidate.objects.filter(pk=other.candidate.pk).update(headline="Grace's secret headline")
    for name in ["portal_profile", "portal_preferences", "portal_my_data"]:
        response = ada.client.get(_url(name, acme.org))
        assert response.status_code == 200
        body = response.content.decode()
        assert "grace" not in body.lower()
        assert response.context["candidate"] == ada.candidate
    download = json.loads(ada.client.get(_url("portal_my_data_download", acme.org)).content)
    assert download["profile"]["email"] == "ada@example.org"


def test_the_portal_layout_wears_the_organisations_colours(acme, ada):
    acme.org.brand_color = "#ff5500"
    acme.org.save()
    body = ada.client.get(_url("portal_profile", acme.org)).content.decode()
    assert "--tc-brand: #ff5500" in body
    assert "Inbox" in body and "Acme Inc" in body and "Sign out" in body


# --- Profile -------------------------------------------------------------------------------------


def _profile_data(**overrides) -> dict:
    data = {
        "first_name": "Ada", "last_name": "Lovelace", "headline": "Analyst of engines", "current_title": "Analyst",
        "current_company": "Engines Ltd", "industry": "", "city": "London", "region": "", "country_code": "GB",
        "time_zone": "", "linkedin_url": "https://www.linkedin.com/in/ada-l", "links": "https://ada.example.org",
    }  # fmt: skip
    return data | overrides


def test_a_member_edits_their_profile_and_the_recruiters_timeline_hears_of_it(acme, ada, seen_events):
    response = ada.client.post(_url("portal_profile", acme.org), _profile_data())
    assert response.status_code == 302
    candidate = ada.reload()
    assert (candidate.last_name, candidate.city) == ("Lovelace", "London")
    assert candidate.linkedin_url == "linkedin.com/in/ada-l"
    assert candidate.links == ["https://ada.example.org"]
    assert candidate.time_zone == "Europe/London"  # filled from the country
    changed = [e for e in seen_events if e.kind == events.PROFILE_CHANGED]
    assert len(changed) == 1 and changed[0].actor_id == ada.user.pk
    assert "headline" in changed[0].details["fields"]


def test_bad_profile_input_is_shown_next_to_its_fields_and_nothing_is_saved(acme, ada):
    response = ada.client.post(
        _url("portal_profile", acme.org),
        _profile_data(first_name="", country_code="Atlantis", links="javascript:alert(1)", time_zone="Mars/Olympus"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"first_name", "country_code", "time_zone"} <= set(errors)
    response = ada.client.post(_url("portal_profile", acme.org), _profile_data(links="javascript:alert(1)"))
    assert response.status_code == 400
    assert "links" in response.context["form"].errors
    candidate = ada.reload()
    assert (candidate.first_name, candidate.last_name, candidate.links) == ("Ada", "Member", [])


def test_a_member_uploads_a_resume(acme, ada, seen_events):
    upload = SimpleUploadedFile("Ada CV.docx", docx_bytes("Designed the first algorithm for a machine."))
    response = ada.client.post(_url("portal_resume_upload", acme.org), {"file": upload})
    assert response.status_code == 302
    resume = Resume.objects.get(candidate=ada.candidate)
    assert (resume.original_name, resume.uploaded_by_id) == ("Ada CV.docx", ada.user.pk)
    assert "Ada CV.docx" in ada.client.get(_url("portal_profile", acme.org)).content.decode()
    assert [e.details for e in seen_events if e.kind == events.PROFILE_CHANGED] == [{"fields": ["resume"]}]


def test_a_fake_resume_is_refused_with_a_clear_message(acme, ada):
    fake = SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 this is an executable, not a PDF")
    response = ada.client.post(_url("portal_resume_upload", acme.org), {"file": fake})
    assert response.status_code == 400
    assert "not a PDF or a Word" in " ".join(response.context["upload_form"].errors["file"])
    assert not Resume.objects.exists()
    assert ada.client.get(_url("portal_resume_upload", acme.org)).status_code == 405


# --- Preferences ---------------------------------------------------------------------------------


def test_preferences_save_the_digest_frequency_and_record_the_consent_with_its_source(acme, ada):
    url = _url("portal_preferences", acme.org)
    response = ada.client.post(url, {"action": "save", "digest_frequency": "monthly", "messages_consent": "on"})
    assert response.status_code == 302
    assert ada.reload().digest_frequency == "monthly"
    record = ConsentRecord.objects.get(candidate=ada.candidate)
    assert (record.purpose, record.granted, record.source) == ("messages", True, "portal")
    assert (record.ip_address, record.wording_version) == ("127.0.0.1", "messages-2026-11")

    ada.client.post(url, {"action": "save", "digest_frequency": "monthly"})  # consent unticked: withdrawn
    assert consent_state(ada.candidate, "messages") is False
    assert ada.client.get(url).context["form"].initial["messages_consent"] is False


def test_a_bad_digest_frequency_is_a_field_error(acme, ada):
    response = ada.client.post(_url("portal_preferences", acme.org), {"digest_frequency": "hourly"})
    assert response.status_code == 400
    assert "digest_frequency" in response.context["form"].errors
    assert ada.reload().digest_frequency == "weekly"


def test_stop_all_messages_and_receive_them_again(acme, ada):
    url = _url("portal_preferences", acme.org)
    ada.client.post(url, {"action": "stop"})
    candidate = ada.reload()
    assert candidate.unsubscribed_at and not candidate.is_contactable
    assert Suppression.objects.filter(organization=acme.org, reason="unsubscribed").exists()
    assert "Receive messages again" in ada.client.get(url).content.decode()

    ada.client.post(url, {"action": "resume"})
    candidate = ada.reload()
    assert candidate.unsubscribed_at is None and candidate.is_contactable
    assert not Suppression.objects.exists()
    assert consent_state(candidate, "messages") is True


# --- My data and erasure -------------------------------------------------------------------------


def test_my_data_lists_what_is_held_and_downloads_it_as_json(acme, ada):
    ada.client.post(_url("portal_preferences", acme.org), {"digest_frequency": "weekly", "messages_consent": "on"})
    page = ada.client.get(_url("portal_my_data", acme.org))
    assert "Download my data (JSON)" in page.content.decode() and "Receive messages" in page.content.decode()

    response = ada.client.get(_url("portal_my_data_download", acme.org))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="acme-my-data.json"'
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["first_name"] == "Ada"
    assert [c["purpose"] for c in data["consents"]] == ["messages"]


def test_erasing_needs_the_typed_confirmation(acme, ada):
    url = _url("portal_erase", acme.org)
    assert ada.client.get(url).status_code == 200
    response = ada.client.post(url, {"confirm": "yes please"})
    assert response.status_code == 400
    assert "confirm" in response.context["form"].errors
    assert ada.reload().erased_at is None


def test_a_member_erases_their_account_is_signed_out_and_cannot_come_back(acme, ada, seen_events):
    response = ada.client.post(_url("portal_erase", acme.org), {"confirm": "ERASE"})
    assert response.status_code == 302
    assert response["Location"] == _url("portal_erased", acme.org)
    assert SESSION_KEY not in ada.client.session

    goodbye = ada.client.get(response["Location"])
    assert goodbye.status_code == 200 and "Goodbye" in goodbye.content.decode()
    assert ada.client.get(response["Location"]).status_code == 302  # shown once

    candidate = ada.reload()
    assert candidate.erased_at and candidate.email == "" and candidate.user_id is None
    assert not User.objects.filter(pk=ada.user.pk).exists()
    assert [e.details for e in seen_events if e.kind == events.ERASED] == [{"source": "portal"}]
    assert not Client().login(email="ada@example.org", password=PASSWORD)
    assert ada.client.get(_url("portal_profile", acme.org))["Location"].startswith(reverse("account_login"))


def test_an_erased_profile_is_out_of_the_portal_even_if_the_account_stays(acme, globex):
    # A Globex recruiter who had joined Acme's community keeps their account after erasure there.
    CandidateFactory(organization=acme.org, user=globex.user, email=globex.user.email)
    acme_candidate = Candidate.objects.get(user=globex.user)
    assert globex.client.get(_url("portal_profile", acme.org)).status_code == 200
    globex.client.post(_url("portal_erase", acme.org), {"confirm": "erase"})
    acme_candidate.refresh_from_db()
    assert acme_candidate.erased_at is not None
    assert User.objects.filter(pk=globex.user.pk).exists()
    globex.client.force_login(globex.user)
    response = globex.client.get(_url("portal_profile", acme.org))
    assert response["Location"] == reverse("community_join", args=[acme.org.slug])


# --- Recruiter erasure on request ----------------------------------------------------------------


def test_a_recruiter_erases_a_candidate_on_request(acme, ada):
    detail = acme.client.get(reverse("candidate_detail", args=[acme.org.slug, ada.candidate.pk]))
    assert "Erase personal data (on request)" in detail.content.decode()
    url = reverse("candidate_erase", args=[acme.org.slug, ada.candidate.pk])
    assert acme.client.get(url).status_code == 200
    response = acme.client.post(url)
    assert response["Location"] == reverse("candidate_detail", args=[acme.org.slug, ada.candidate.pk])
    assert ada.reload().erased_at is not None
    assert is_suppressed(acme.org, "ada@example.org")
    assert acme.client.get(url).status_code == 200  # says there is nothing left to erase
    assert acme.client.post(url).status_code == 302  # and a second erase is harmless


def test_another_organisation_cannot_erase_acmes_candidate(acme, globex, ada):
    url = reverse("candidate_erase", args=[globex.org.slug, ada.candidate.pk])
    assert globex.client.get(url).status_code == 404
    assert globex.client.post(url).status_code == 404
    foreign = reverse("candidate_erase", args=[acme.org.slug, ada.candidate.pk])
    assert globex.client.post(foreign).status_code == 404
    assert ada.reload().erased_at is None


# --- Admin ---------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(db) -> Client:
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_action_erases_after_a_confirmation_page(acme, ada, admin_client):
    changelist = reverse("admin:candidates_candidate_changelist")
    selection = {"action": "erase_personal_data", "_selected_action": [ada.candidate.pk]}
    confirm = admin_client.post(changelist, selection)
    assert confirm.status_code == 200
    assert "Erase personal data?" in confirm.content.decode()
    assert ada.reload().erased_at is None

    response = admin_client.post(changelist, selection | {"confirm_erase": "yes"})
    assert response.status_code == 302
    assert ada.reload().erased_at is not None
    assert not User.objects.filter(pk=ada.user.pk).exists()


def test_consents_and_suppressions_are_read_only_in_the_admin(acme, ada, admin_client):
    ada.client.post(_url("portal_preferences", acme.org), {"action": "stop"})
    consent = ConsentRecord.objects.get()
    assert admin_client.get(reverse("admin:candidates_consentrecord_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:candidates_suppression_changelist")).status_code == 200
    assert admin_client.get(reverse("admin:candidates_consentrecord_add")).status_code == 403
    change_url = reverse("admin:candidates_consentrecord_change", args=[consent.pk])
    admin_client.post(change_url, {"granted": "on"})
    consent.refresh_from_db()
    assert consent.granted is False


def test_a_light_brand_colour_gets_a_readable_shade_for_the_bar_and_buttons(acme, ada):
    acme.org.brand_color = "#ffd33d"  # yellow: white text on it would be 1.4:1
    acme.org.save()
    body = ada.client.get(_url("portal_profile", acme.org)).content.decode()
    assert "--tc-brand: #ffd33d" in body  # borders keep the brand itself
    assert f"--tc-brand-text: {readable_shade('#ffd33d')}" in body
