"""Recruiter candidate pages: list, search, filters, bulk actions, detail, forms, résumés, tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates import services
from candidates.models import Candidate, Resume
from candidates.resumes import resume_attach
from tests.factories import CandidateFactory, MembershipFactory, UserFactory, docx_bytes

pytestmark = pytest.mark.django_db

TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def _add(org, first="Ada", last="Lovelace", *, skills=(), tags=(), **data):
    return services.candidate_create(
        org=org, actor=None, data={"first_name": first, "last_name": last, **data}, skills=skills, tags=tags
    )


def _url(name, org, *args, query=""):
    url = reverse(name, args=[org.slug, *args])
    return f"{url}?{query}" if query else url


def _names(response) -> list[str]:
    return [c.full_name for c in response.context["page"].object_list]


# --- List ------------------------------------------------------------------------------------


def test_the_list_shows_the_organisations_candidates_with_a_total_count(acme, globex):
    _add(acme.org, "Ada", "Lovelace", current_title="Analyst", current_company="Engines Ltd", skills=["Python"])
    _add(acme.org, "Grace", "Hopper")
    _add(globex.org, "Alan", "Turing")
    response = acme.client.get(_url("candidate_list", acme.org))
    assert response.status_code == 200
    assert _names(response) == ["Grace Hopper", "Ada Lovelace"]  # by last name
    html = response.content.decode()
    assert "2</strong> candidates" in html
    assert "Alan Turing" not in html
    assert "Analyst" in html and "Engines Ltd" in html and "Python" in html
    assert 'name="q"' in html and 'hx-trigger="input changed delay:300ms, search"' in html


def test_the_navigation_links_to_candidates_and_marks_it_active(acme):
    html = acme.client.get(_url("candidate_list", acme.org)).content.decode()
    assert f'nav-link active" aria-current="page" href="{_url("candidate_list", acme.org)}"' in html


def test_search_finds_candidates_as_you_type(acme):
    _add(acme.org, "Ada", "Lovelace", skills=["Python"])
    _add(acme.org, "Grace", "Hopper", current_title="Compiler writer")
    assert _names(acme.client.get(_url("candidate_list", acme.org, query="q=lovel"))) == ["Ada Lovelace"]
    assert _names(acme.client.get(_url("candidate_list", acme.org, query="q=compiler"))) == ["Grace Hopper"]
    assert _names(acme.client.get(_url("candidate_list", acme.org, query="q=pyth"))) == ["Ada Lovelace"]


def test_an_htmx_request_gets_only_the_results_partial(acme):
    _add(acme.org, "Ada", "Lovelace")
    _add(acme.org, "Grace", "Hopper")
    response = acme.client.get(_url("candidate_list", acme.org, query="q=hopper"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and 'id="candidate-filters"' not in html
    assert "Grace Hopper" in html and "Ada Lovelace" not in html
    assert "HX-Request" in response["Vary"]
    # Going back in history asks for the whole page again.
    restore = acme.client.get(
        _url("candidate_list", acme.org, query="q=hopper"),
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert "<html" in restore.content.decode()


@pytest.fixture
def varied(acme):
    """Four acme candidates that differ in every filterable way."""
    colleague = UserFactory(email="colleague@example.com", first_name="Carla", last_name="Colleague")
    MembershipFactory(user=colleague, organization=acme.org)
    now = timezone.now()
    ada = _add(
        acme.org, "Ada", "Lovelace", email="ada@example.com", skills=["Python"], tags=["Shortlist"],
        industry="Computer Software", city="London", country_code="GB", owner=acme.user, source="referral",
    )  # fmt: skip
    grace = _add(
        acme.org, "Grace", "Hopper", email="grace@example.com", skills=["COBOL"], industry="Banking",
        city="Arlington", region="Virginia", country_code="US", owner=colleague, stage="contacted",
    )  # fmt: skip
    alan = _add(acme.org, "Alan", "Turing", skills=["Python"], stage="engaged")  # no e-mail: not contactable
    katherine = _add(acme.org, "Katherine", "Johnson", email="kj@example.com", do_not_contact=True)
    Candidate.objects.filter(pk=ada.pk).update(last_contacted_at=now - timedelta(days=40))
    Candidate.objects.filter(pk=grace.pk).update(last_contacted_at=now - timedelta(days=2))
    return {"colleague": colleague, "ada": ada, "grace": grace, "alan": alan, "katherine": katherine}


def test_each_filter_narrows_the_list(acme, varied):
    ten_days_ago = (timezone.localdate() - timedelta(days=10)).isoformat()
    expectations = {
        "skill=python": ["Ada Lovelace", "Alan Turing"],
        "skill=PYTHON": ["Ada Lovelace", "Alan Turing"],
        "tag=shortlist": ["Ada Lovelace"],
        "industry=Banking": ["Grace Hopper"],
        "location=london": ["Ada Lovelace"],
        "location=Virginia": ["Grace Hopper"],
        "location=us": ["Grace Hopper"],
        "stage=engaged": ["Alan Turing"],
        f"owner={acme.user.pk}": ["Ada Lovelace"],
        f"owner={varied['colleague'].pk}": ["Grace Hopper"],
        "owner=none": ["Katherine Johnson", "Alan Turing"],
        "source=referral": ["Ada Lovelace"],
        "contactable=yes": ["Grace Hopper", "Ada Lovelace"],
        "contactable=no": ["Katherine Johnson", "Alan Turing"],
        f"contacted_before={ten_days_ago}": ["Ada Lovelace"],
        f"contacted_after={ten_days_ago}": ["Grace Hopper"],
        "skill=python&stage=engaged": ["Alan Turing"],
    }
    for query, names in expectations.items():
        response = acme.client.get(_url("candidate_list", acme.org, query=query))
        assert response.status_code == 200
        assert _names(response) == names, query


def test_archived_candidates_are_hidden_unless_asked_for(acme):
    _add(acme.org, "Ada", "Lovelace")
    _add(acme.org, "Old", "Timer", stage="archived")
    assert _names(acme.client.get(_url("candidate_list", acme.org))) == ["Ada Lovelace"]
    assert _names(acme.client.get(_url("candidate_list", acme.org, query="stage=archived"))) == ["Old Timer"]


def test_invalid_filter_values_show_a_message_not_an_error(acme, varied):
    query = "stage=bogus&owner=999999&contacted_after=yesterday&industry=Nope&sort=sideways&page=x"
    response = acme.client.get(_url("candidate_list", acme.org, query=query))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Some filters were ignored" in html
    for label in ("Stage", "Owner", "Last contacted on or after", "Industry", "Sort"):
        assert f"<strong>{label}</strong>" in html
    assert len(_names(response)) == 4  # the valid rest still applies (none here)
    response = acme.client.get(
        _url("candidate_list", acme.org, query="contacted_after=2025-02-01&contacted_before=2025-01-01")
    )
    assert response.status_code == 200
    assert "Choose a date later" in response.content.decode()


def test_the_list_sorts_by_name_newest_update_and_last_contact(acme, varied):
    now = timezone.now()
    for offset, key in enumerate(["katherine", "alan", "grace", "ada"]):
        Candidate.objects.filter(pk=varied[key].pk).update(
            created_at=now - timedelta(days=10 - offset), updated_at=now - timedelta(days=offset)
        )
    sort = {
        "name": ["Grace Hopper", "Katherine Johnson", "Ada Lovelace", "Alan Turing"],
        "-created": ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Katherine Johnson"],
        "-updated": ["Katherine Johnson", "Alan Turing", "Grace Hopper", "Ada Lovelace"],
    }
    for key, names in sort.items():
        assert _names(acme.client.get(_url("candidate_list", acme.org, query=f"sort={key}"))) == names, key
    contacted = _names(acme.client.get(_url("candidate_list", acme.org, query="sort=-last_contacted")))
    assert contacted.index("Grace Hopper") < contacted.index("Ada Lovelace")


def test_search_results_are_ranked_by_relevance(acme):
    _add(acme.org, "Grace", "Hopper", current_company="Smith & Sons")
    _add(acme.org, "John", "Smith")
    assert _names(acme.client.get(_url("candidate_list", acme.org, query="q=smith")))[0] == "John Smith"


def test_the_list_is_paginated_25_a_page(acme):
    CandidateFactory.create_batch(30, organization=acme.org)
    first = acme.client.get(_url("candidate_list", acme.org))
    assert len(first.context["page"].object_list) == 25
    assert "30</strong> candidates" in first.content.decode()
    assert 'rel="next"' in first.content.decode()
    second = acme.client.get(_url("candidate_list", acme.org, query="page=2"))
    assert len(second.context["page"].object_list) == 5
    assert set(_names(first)).isdisjoint(_names(second))
    beyond = acme.client.get(_url("candidate_list", acme.org, query="page=99"))
    assert beyond.status_code == 200 and beyond.context["page"].number == 2


def test_pagination_links_keep_the_filters(acme):
    CandidateFactory.create_batch(26, organization=acme.org, source="event")
    html = acme.client.get(_url("candidate_list", acme.org, query="source=event")).content.decode()
    assert "?source=event&amp;page=2" in html


def test_an_empty_organisation_is_invited_to_add_or_import(acme, globex):
    _add(globex.org, "Alan", "Turing")
    html = acme.client.get(_url("candidate_list", acme.org)).content.decode()
    assert "No candidates yet" in html
    assert _url("candidate_create", acme.org) in html


def test_a_search_without_matches_offers_to_clear_the_filters(acme):
    _add(acme.org, "Ada", "Lovelace")
    response = acme.client.get(_url("candidate_list", acme.org, query="q=zzzzqqq&source=event"))
    html = response.content.decode()
    assert "No candidates match “zzzzqqq” with these filters" in html
    assert "clear the search and filters" in html
    assert "No candidates yet" not in html


def _make_candidates(org, owner, count):
    for _ in range(count):
        candidate = CandidateFactory(organization=org, owner=owner)
        services.candidates_tag(org=org, candidates=Candidate.objects.filter(pk=candidate.pk), names=["Tagged"])
        candidate.skills.set(services.labels_for(services.Skill, org, ["Python", "SQL"]))


def test_the_list_runs_a_constant_number_of_queries(acme, django_assert_num_queries):
    url = _url("candidate_list", acme.org)
    _make_candidates(acme.org, acme.user, 5)
    acme.client.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as five:
        assert len(acme.client.get(url).context["page"].object_list) == 5
    _make_candidates(acme.org, acme.user, 25)
    with django_assert_num_queries(len(five.captured_queries)):
        response = acme.client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert response.content.decode().count(">Python</span>") == 25
    assert len(five.captured_queries) <= 12


# --- Bulk actions ----------------------------------------------------------------------------


def _bulk(tenant, **data):
    data.setdefault("query", "")
    return tenant.client.post(_url("candidate_bulk", tenant.org), data)


def _tags(candidate) -> list[str]:
    return sorted(candidate.tags.values_list("name", flat=True))


def test_bulk_actions_apply_to_the_selected_candidates(acme, varied):
    ada, grace, alan = varied["ada"], varied["grace"], varied["alan"]
    selected = [ada.pk, grace.pk]
    response = _bulk(acme, action="tag", tags="Hot, Q3", selected=selected, query="skill=python")
    assert response.status_code == 302
    assert response["Location"] == _url("candidate_list", acme.org, query="skill=python")
    assert _tags(ada) == ["Hot", "Q3", "Shortlist"] and _tags(grace) == ["Hot", "Q3"] and _tags(alan) == []
    followed = acme.client.get(response["Location"])
    assert "Tagged 2 candidates with “Hot, Q3”." in followed.content.decode()

    _bulk(acme, action="untag", tags="hot", selected=[ada.pk])
    assert _tags(ada) == ["Q3", "Shortlist"] and _tags(grace) == ["Hot", "Q3"]

    _bulk(acme, action="owner", owner=str(varied["colleague"].pk), selected=selected)
    assert {c.owner_id for c in Candidate.objects.filter(pk__in=selected)} == {varied["colleague"].pk}
    _bulk(acme, action="owner", owner="none", selected=[ada.pk])
    ada.refresh_from_db()
    assert ada.owner is None

    _bulk(acme, action="stage", stage="interested", selected=selected)
    assert set(Candidate.objects.filter(pk__in=selected).values_list("stage", flat=True)) == {"interested"}
    alan.refresh_from_db()
    assert alan.stage == "engaged"


def test_bulk_actions_on_all_matching_respect_the_filter_and_never_touch_globex(acme, globex, varied):
    outsider = _add(globex.org, "Guido", "Van Rossum", skills=["Python"])
    response = _bulk(acme, action="tag", tags="Pythonista", all_matching="on", query="skill=python")
    followed = acme.client.get(response["Location"])
    assert "Tagged 2 candidates" in followed.content.decode()
    assert _tags(varied["ada"]) == ["Pythonista", "Shortlist"] and _tags(varied["alan"]) == ["Pythonista"]
    assert _tags(varied["grace"]) == [] and _tags(outsider) == []

    _bulk(acme, action="stage", stage="interested", all_matching="on", query="q=turing")
    assert Candidate.objects.get(pk=varied["alan"].pk).stage == "interested"
    assert Candidate.objects.filter(stage="interested").count() == 1

    _bulk(acme, action="owner", owner=str(varied["colleague"].pk), all_matching="on", query="skill=python&q=ada")
    assert list(Candidate.objects.filter(owner=varied["colleague"]).order_by("pk")) == [
        varied["ada"],
        varied["grace"],
    ]
    outsider.refresh_from_db()
    assert outsider.owner is None and outsider.stage == "new"


def test_all_matching_with_an_invalid_filter_changes_nothing(acme, varied):
    response = _bulk(acme, action="stage", stage="hired", all_matching="on", query="stage=bogus")
    assert "nothing was changed" in acme.client.get(response["Location"]).content.decode()
    assert not Candidate.objects.filter(stage="hired").exists()


def test_bulk_actions_need_a_selection_and_their_inputs(acme, varied):
    response = _bulk(acme, action="tag", tags="Hot")
    assert "Select at least one candidate" in acme.client.get(response["Location"]).content.decode()
    response = _bulk(acme, action="tag", tags=" , ", selected=[varied["ada"].pk])
    assert "Name at least one tag." in acme.client.get(response["Location"]).content.decode()
    response = _bulk(acme, action="owner", owner="424242", selected=[varied["ada"].pk])
    assert response.status_code == 302
    assert _tags(varied["ada"]) == ["Shortlist"]
    assert Candidate.objects.get(pk=varied["ada"].pk).owner == acme.user
    assert acme.client.get(_url("candidate_bulk", acme.org)).status_code == 405


def test_bulk_export_of_a_selection_downloads_only_those_candidates(acme, varied):
    response = _bulk(acme, action="export", selected=[varied["grace"].pk, varied["alan"].pk])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="acme-candidates-')
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Grace" in body and "Alan" in body and "Ada" not in body


# --- Create, edit, archive, delete ------------------------------------------------------------


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
    response = acme.client.get(_url("candidate_create", acme.org))
    assert response.status_code == 200 and 'name="first_name"' in response.content.decode()
    response = acme.client.post(_url("candidate_create", acme.org), _form_data(owner=str(acme.user.pk)))
    candidate = Candidate.objects.get(organization=acme.org)
    assert response.status_code == 302
    assert response["Location"] == _url("candidate_detail", acme.org, candidate.pk)
    assert candidate.email == "ada@example.com" and candidate.phone == "+442079460958"
    assert candidate.linkedin_url == "linkedin.com/in/ada" and candidate.time_zone == "Europe/London"
    assert candidate.links == ["https://ada.example.com"] and candidate.owner == acme.user
    assert sorted(candidate.skills.values_list("name", flat=True)) == ["Maths", "Python"]
    assert _tags(candidate) == ["shortlist"]


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
        ({"country_code": "GBR"}, "country_code", "at most 2 characters"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_nothing_is_saved(acme, overrides, field, message):
    response = acme.client.post(_url("candidate_create", acme.org), _form_data(**overrides))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not Candidate.objects.exists()


def test_a_duplicate_email_is_a_field_error(acme, globex):
    existing = _add(acme.org, "Ada", "Lovelace", email="ada@example.com")
    _add(globex.org, "Other", "Ada", email="ada2@example.com")
    response = acme.client.post(
        _url("candidate_create", acme.org), _form_data(first_name="Ada2", email="ADA@example.com ")
    )
    assert response.status_code == 400
    assert f"Ada Lovelace (#{existing.pk}) already has this e-mail." in response.context["form"].errors["email"]
    assert Candidate.objects.filter(organization=acme.org).count() == 1
    # The same address in another organisation is no duplicate.
    response = acme.client.post(
        _url("candidate_create", acme.org), _form_data(email="ada2@example.com", linkedin_url="")
    )
    assert response.status_code == 302


def test_a_recruiter_edits_a_candidate(acme):
    candidate = _add(acme.org, "Ada", "Lovelace", email="ada@example.com", skills=["Python"], tags=["Old"])
    page = acme.client.get(_url("candidate_edit", acme.org, candidate.pk))
    assert page.status_code == 200
    assert page.context["form"].initial["skills"] == "Python" and page.context["form"].initial["tags"] == "Old"
    response = acme.client.post(
        _url("candidate_edit", acme.org, candidate.pk),
        _form_data(email="ada@example.com", current_title="Countess", skills="Maths", tags="", stage="engaged"),
    )
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.current_title == "Countess" and candidate.stage == "engaged"
    assert list(candidate.skills.values_list("name", flat=True)) == ["Maths"] and _tags(candidate) == []


def test_an_invalid_edit_changes_nothing(acme):
    candidate = _add(acme.org, "Ada", "Lovelace", email="ada@example.com", phone="+442079460958")
    _add(acme.org, "Grace", "Hopper", email="grace@example.com")
    response = acme.client.post(
        _url("candidate_edit", acme.org, candidate.pk),
        _form_data(first_name="Renamed", email="grace@example.com", current_title="Changed", linkedin_url=""),
    )
    assert response.status_code == 400 and "email" in response.context["form"].errors
    assert "Edit Ada Lovelace" in response.content.decode()  # the stored name, not the refused one
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.email, candidate.current_title) == ("Ada", "ada@example.com", "")


def test_archiving_takes_a_candidate_out_of_the_list(acme):
    candidate = _add(acme.org, "Ada", "Lovelace")
    assert acme.client.get(_url("candidate_archive", acme.org, candidate.pk)).status_code == 405
    response = acme.client.post(_url("candidate_archive", acme.org, candidate.pk))
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.stage == "archived"
    assert _names(acme.client.get(_url("candidate_list", acme.org))) == []


def test_deleting_asks_first_then_removes_the_candidate_and_files(acme, settings):
    candidate = _add(acme.org, "Ada", "Lovelace")
    resume = resume_attach(candidate=candidate, upload=SimpleUploadedFile("cv.pdf", TINY_PDF), actor=acme.user)
    path = resume.file.path
    page = acme.client.get(_url("candidate_delete", acme.org, candidate.pk))
    assert page.status_code == 200 and "Delete Ada Lovelace?" in page.content.decode()
    assert Candidate.objects.filter(pk=candidate.pk).exists()
    response = acme.client.post(_url("candidate_delete", acme.org, candidate.pk))
    assert response.status_code == 302 and response["Location"] == _url("candidate_list", acme.org)
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    assert not Resume.objects.exists()
    import os

    assert not os.path.exists(path)


# --- Detail and résumés ----------------------------------------------------------------------


def test_the_detail_page_shows_the_profile(acme):
    candidate = _add(
        acme.org, "Ada", "Lovelace", email="ada@example.com", headline="Analytical engines",
        linkedin_url="linkedin.com/in/ada", skills=["Python"], tags=["Shortlist"], do_not_contact=True,
    )  # fmt: skip
    response = acme.client.get(_url("candidate_detail", acme.org, candidate.pk))
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("Ada Lovelace", "Analytical engines", "ada@example.com", "https://www.linkedin.com/in/ada",
                 "Python", "#Shortlist", "Marked “do not contact”", "The relationship timeline appears here",
                 "No résumé yet"):  # fmt: skip
        assert text in html, text
    assert 'id="duplicates-banner"' not in html


def test_a_pdf_resume_uploads_and_previews_inline_framed_only_by_us(acme):
    candidate = _add(acme.org, "Ada", "Lovelace")
    upload = SimpleUploadedFile("Ada CV.pdf", TINY_PDF, content_type="application/pdf")
    response = acme.client.post(_url("candidate_resume_upload", acme.org, candidate.pk), {"file": upload})
    assert response.status_code == 302
    resume = candidate.resumes.get()
    assert resume.kind == "pdf" and resume.original_name == "Ada CV.pdf"
    html = acme.client.get(_url("candidate_detail", acme.org, candidate.pk)).content.decode()
    preview_url = _url("candidate_resume_preview", acme.org, candidate.pk, resume.pk)
    assert f'<iframe class="tc-resume-preview" src="{preview_url}"' in html
    preview = acme.client.get(preview_url)
    assert preview.status_code == 200
    assert preview["Content-Type"] == "application/pdf"
    assert preview["Content-Disposition"].startswith("inline")
    assert preview["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'self'"
    assert preview["X-Content-Type-Options"] == "nosniff"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(preview.streaming_content) == TINY_PDF


def test_a_docx_resume_is_previewed_as_its_text(acme):
    candidate = _add(acme.org, "Ada", "Lovelace")
    upload = SimpleUploadedFile("cv.docx", docx_bytes("Designed the first algorithm for a machine."))
    assert (
        acme.client.post(_url("candidate_resume_upload", acme.org, candidate.pk), {"file": upload}).status_code == 302
    )
    resume = candidate.resumes.get()
    assert resume.kind == "docx"
    html = acme.client.get(_url("candidate_detail", acme.org, candidate.pk)).content.decode()
    assert "Designed the first algorithm for a machine." in html
    assert acme.client.get(_url("candidate_resume_preview", acme.org, candidate.pk, resume.pk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 8, "is not a PDF or a Word (DOCX) document"),
        ("cv.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024), "the limit is 10 MB"),
        ("cv.pdf", b"", "The file is empty."),
        ("cv.docx", b"PK\x03\x04not really a zip", "is not a PDF or a Word (DOCX) document"),
    ],
    ids=["executable-renamed-pdf", "eleven-megabytes", "empty", "fake-docx"],
)
def test_a_bad_resume_is_rejected_with_a_message(acme, name, content, message):
    candidate = _add(acme.org, "Ada", "Lovelace")
    response = acme.client.post(
        _url("candidate_resume_upload", acme.org, candidate.pk), {"file": SimpleUploadedFile(name, content)}
    )
    assert response.status_code == 400
    assert message in " ".join(response.context["upload_form"].errors["file"])
    assert "Ada Lovelace" in response.content.decode()  # the detail page again, with the error
    assert not Resume.objects.exists()


def test_an_upload_without_a_file_is_a_field_error(acme):
    candidate = _add(acme.org, "Ada", "Lovelace")
    response = acme.client.post(_url("candidate_resume_upload", acme.org, candidate.pk), {})
    assert response.status_code == 400 and "file" in response.context["upload_form"].errors


def test_a_resume_downloads_as_an_attachment_with_its_original_name(acme):
    candidate = _add(acme.org, "Ada", "Lovelace")
    resume = resume_attach(candidate=candidate, upload=SimpleUploadedFile("Ada's CV.pdf", TINY_PDF), actor=None)
    response = acme.client.get(_url("candidate_resume_download", acme.org, candidate.pk, resume.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Ada" in response["Content-Disposition"] and "CV.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == TINY_PDF
    other = _add(acme.org, "Grace", "Hopper")
    # A résumé is reached only through its own candidate.
    assert acme.client.get(_url("candidate_resume_download", acme.org, other.pk, resume.pk)).status_code == 404


# --- Tenancy ---------------------------------------------------------------------------------


@pytest.fixture
def acme_record(acme):
    candidate = _add(acme.org, "Ada", "Lovelace", email="ada@example.com", skills=["Python"])
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
    response = getattr(globex.client, method)(_url(name, org, *args), data)
    assert response.status_code == 404
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.stage) == ("Ada", "new")
    assert Resume.objects.filter(candidate=candidate).count() == 1


def test_other_organisations_cannot_see_or_act_on_acme_in_lists(acme, globex, acme_record):
    candidate, _ = acme_record
    assert globex.client.get(_url("candidate_list", acme.org)).status_code == 404
    assert globex.client.post(_url("candidate_bulk", acme.org), {"action": "tag"}).status_code == 404
    assert "Ada" not in globex.client.get(_url("candidate_list", globex.org)).content.decode()
    # Acme's ids smuggled into globex's own bulk form touch nothing.
    _bulk(globex, action="stage", stage="hired", selected=[candidate.pk])
    _bulk(globex, action="tag", tags="Stolen", selected=[candidate.pk])
    _bulk(globex, action="owner", owner="none", all_matching="on", query="")
    candidate.refresh_from_db()
    assert candidate.stage == "new" and _tags(candidate) == []
    assert globex.client.get(_url("candidate_create", acme.org)).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(acme, client):
    response = client.get(_url("candidate_list", acme.org))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_search_runs_no_more_queries_than_the_list_and_no_count(acme):
    _make_candidates(acme.org, acme.user, 3)
    for first in ("Ann", "Bea"):
        _add(acme.org, first, "Smith", skills=["Python"])
    url = _url("candidate_list", acme.org)
    acme.client.get(url)  # warm up the session
    with CaptureQueriesContext(connection) as listing:
        acme.client.get(url)
    with CaptureQueriesContext(connection) as searching:
        response = acme.client.get(url, {"q": "smith"})
    assert _names(response) == ["Ann Smith", "Bea Smith"]
    assert len(searching) <= len(listing) <= 10
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in searching.captured_queries)


def test_a_search_beyond_the_ranked_window_shows_its_count_with_a_plus(acme, monkeypatch):
    monkeypatch.setattr("candidates.selectors.RANK_WINDOW", 2)
    for first in ("Ann", "Bea", "Cat"):
        _add(acme.org, first, "Smith")
    response = acme.client.get(_url("candidate_list", acme.org), {"q": "smith"})
    assert response.context["total"] == 2 and response.context["total_is_capped"]
    assert 'data-total="2">2+</strong>' in response.content.decode()
    response = acme.client.get(_url("candidate_list", acme.org), {"q": "ann"})
    assert response.context["total"] == 1 and not response.context["total_is_capped"]
