"""`/api/v1/candidates/`: list, search and filters, writes through the services, résumés, tenancy, schema."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfWriter

from candidates import services
from candidates.models import Candidate, Resume
from candidates.resumes import MAX_BYTES
from talentcircles.services import api_token_create
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/candidates/"


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _blank_pdf()


def _token_client(tenant) -> Client:
    issued = api_token_create(membership=tenant.membership, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Token {issued.key}")


def _add(org, first, last="", **data):
    skills, tags = data.pop("skills", ()), data.pop("tags", ())
    return services.candidate_create(
        org=org, actor=None, data={"first_name": first, "last_name": last, **data}, skills=skills, tags=tags
    )


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["full_name"] for row in response.json()["results"]]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_it_lists_the_organisations_candidates_with_a_total_count(acme, globex):
    _add(acme.org, "Ada", "Lovelace", email="ada@example.com", skills=["Python"], tags=["speaker"])
    _add(acme.org, "Grace", "Hopper")
    _add(globex.org, "Alan", "Turing")
    body = _token_client(acme).get(URL).json()
    assert body["count"] == 2
    assert {"next", "previous"} <= set(body)
    ada = body["results"][1]  # ordered by last name by default: Hopper, Lovelace
    assert ada["full_name"] == "Ada Lovelace"
    assert ada["skills"] == ["Python"] and ada["tags"] == ["speaker"]
    assert ada["resumes"] == [] and ada["owner"] is None
    assert _names(_token_client(globex).get(URL)) == ["Alan Turing"]


def test_the_list_runs_the_same_queries_for_3_or_20_candidates(acme, django_assert_num_queries):
    client = _token_client(acme)
    client.get(URL)  # the token's first use records its time once a minute; keep that out of the count

    def add(count, start):
        for i in range(start, start + count):
            candidate = _add(acme.org, f"Person{i}", skills=["Go", f"Skill{i}"], tags=["t"], owner=acme.user)
            Resume.objects.create(
                organization=acme.org, candidate=candidate, original_name="cv.pdf", kind="pdf", size=1, file="x.pdf"
            )

    add(3, 0)
    with CaptureQueriesContext(connection) as queries:
        assert len(_names(client.get(URL))) == 3
    assert len(queries) <= 10
    add(17, 3)
    with django_assert_num_queries(len(queries)):
        assert len(_names(client.get(URL + "?page_size=50"))) == 20


@pytest.fixture
def crowd(acme):
    recruiter = UserFactory()
    MembershipFactory(user=recruiter, organization=acme.org)
    now = timezone.now()
    people = {
        "john": _add(acme.org, "John", "Smith", email="john@example.com", skills=["Django"], tags=["alumni"],
                     industry="Computer Software", city="London", country_code="GB", owner=acme.user,
                     source="referral"),
        "joan": _add(acme.org, "Joan", "Smithers", skills=["Rust"], city="Paris", country_code="FR",
                     owner=recruiter, source="event", stage="engaged"),
        "ada": _add(acme.org, "Ada", "Lovelace", email="ada@example.com", do_not_contact=True),
        "old": _add(acme.org, "Old", "Timer", email="old@example.com", stage="archived"),
    }  # fmt: skip
    Candidate.objects.filter(pk=people["john"].pk).update(last_contacted_at=now - timedelta(days=40))
    Candidate.objects.filter(pk=people["joan"].pk).update(last_contacted_at=now - timedelta(days=2))
    return {"people": people, "recruiter": recruiter, "now": now}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("search=lovelace", ["Ada Lovelace"]),
        ("skill=django", ["John Smith"]),
        ("tag=ALUMNI", ["John Smith"]),
        ("industry=computer+software", ["John Smith"]),
        ("location=paris", ["Joan Smithers"]),
        ("location=GB", ["John Smith"]),
        ("stage=engaged", ["Joan Smithers"]),
        ("stage=archived", ["Old Timer"]),
        ("include_archived=true", ["Ada Lovelace", "John Smith", "Joan Smithers", "Old Timer"]),
        ("owner=none", ["Ada Lovelace"]),
        ("source=event", ["Joan Smithers"]),
        ("contactable=true", ["John Smith"]),
        ("contactable=false", ["Ada Lovelace", "Joan Smithers"]),
        ("ordering=-name", ["Joan Smithers", "John Smith", "Ada Lovelace"]),
        ("ordering=-last_contacted&contactable=false&stage=engaged", ["Joan Smithers"]),
    ],
)
def test_it_searches_filters_and_orders(acme, crowd, query, expected):
    assert _names(acme.client.get(f"{URL}?{query}")) == expected


def test_search_tolerates_a_misspelt_name_and_ranks_the_best_match_first(acme, crowd):
    assert _names(acme.client.get(URL, {"search": "jonh smith"}))[0] == "John Smith"
    assert _names(acme.client.get(URL, {"search": "jonh smith", "ordering": "name"}))[0] != "Joan Smithers"


def test_it_filters_by_owner_id_and_last_contacted_dates(acme, crowd):
    client = acme.client
    assert _names(client.get(f"{URL}?owner={crowd['recruiter'].pk}")) == ["Joan Smithers"]
    cutoff = (crowd["now"] - timedelta(days=10)).isoformat()
    assert _names(client.get(URL, {"last_contacted_before": cutoff})) == ["John Smith"]
    assert _names(client.get(URL, {"last_contacted_after": cutoff})) == ["Joan Smithers"]


def test_empty_query_parameters_mean_any(acme, crowd):
    blank = {name: "" for name in ("stage", "owner", "contactable", "last_contacted_before", "ordering", "search")}
    assert len(_names(acme.client.get(URL, blank))) == 3


def test_bad_query_parameters_get_400_with_field_messages(acme):
    response = acme.client.get(
        URL,
        {
            "stage": "nope",
            "contactable": "maybe",
            "last_contacted_before": "last tuesday",
            "ordering": "height",
            "owner": "bob",
            "industry": "Underwater basket weaving",
        },
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"stage", "contactable", "last_contacted_before", "ordering", "owner", "industry"}
    assert "not an industry in our list" in errors["industry"][0]


def test_it_creates_a_candidate_through_the_services(acme):
    payload = {
        "first_name": " Jane ",
        "last_name": "Doe",
        "email": "Jane.Doe@Example.COM",
        "phone": "020 7946 0958",
        "country_code": "gb",
        "city": "London",
        "linkedin_url": "https://uk.linkedin.com/in/Jane-Doe/?trk=x",
        "industry": "computer software",
        "skills": ["Django", "django", "PostgreSQL"],
        "tags": ["meetup"],
        "links": ["https://github.com/janedoe"],
        "owner": acme.user.pk,
        "source": "referral",
        "referrer": "Sam",
    }
    response = _token_client(acme).post(URL, payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["first_name"] == "Jane" and body["email"] == "jane.doe@example.com"
    assert body["phone"] == "+442079460958" and body["time_zone"] == "Europe/London"
    assert body["linkedin_url"] == "https://www.linkedin.com/in/jane-doe"
    assert body["industry"] == "Computer Software"
    assert body["skills"] == ["Django", "PostgreSQL"] and body["tags"] == ["meetup"]
    assert body["owner"] == {"id": acme.user.pk, "email": acme.user.email}
    candidate = Candidate.objects.for_org(acme.org).get(pk=body["id"])
    assert candidate.linkedin_url == "linkedin.com/in/jane-doe"


def test_bad_input_gets_400_with_field_messages_and_stores_nothing(acme, globex):
    _add(acme.org, "Taken", email="taken@example.com")
    client = _token_client(acme)
    cases = [
        ({"last_name": "Nameless"}, "first_name"),
        ({"first_name": "A", "email": "not-an-email"}, "email"),
        ({"first_name": "A", "phone": "12"}, "phone"),
        ({"first_name": "A", "email": "TAKEN@example.com"}, "email"),
        ({"first_name": "A", "linkedin_url": "https://example.com/in/x"}, "linkedin_url"),
        ({"first_name": "A", "headline": "x" * 221}, "headline"),
        ({"first_name": "A", "owner": globex.user.pk}, "owner"),
        ({"first_name": "A", "stage": "famous"}, "stage"),
        ({"first_name": "A", "industry": "Wizardry"}, "industry"),
    ]
    for payload, field in cases:
        response = client.post(URL, payload, content_type="application/json")
        assert response.status_code == 400, (payload, response.content)
        assert field in response.json(), (payload, response.json())
        assert response.json()[field][0]
    assert response.json()["industry"] == ["“Wizardry” is not an industry in our list."]
    assert Candidate.objects.count() == 1


def test_it_reads_updates_and_deletes_a_candidate(acme):
    candidate = _add(acme.org, "Ada", "Lovelace", email="ada@example.com", skills=["Python"], tags=["x"])
    client = _token_client(acme)
    detail = f"{URL}{candidate.pk}/"
    assert client.get(detail).json()["email"] == "ada@example.com"

    response = client.patch(detail, {"current_title": "Analyst", "skills": ["Maths"]}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["current_title"] == "Analyst"
    assert response.json()["skills"] == ["Maths"] and response.json()["tags"] == ["x"]

    response = client.put(detail, {"first_name": "Augusta", "owner": acme.user.pk}, content_type="application/json")
    assert response.status_code == 200, response.content
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.last_name, candidate.owner) == ("Augusta", "Lovelace", acme.user)

    response = client.patch(detail, {"email": "bad@"}, content_type="application/json")
    assert response.status_code == 400 and "email" in response.json()
    candidate.refresh_from_db()
    assert candidate.email == "ada@example.com"

    assert client.delete(detail).status_code == 204
    assert not Candidate.objects.filter(pk=candidate.pk).exists()
    assert client.get(detail).status_code == 404


def test_it_uploads_a_resume(acme):
    candidate = _add(acme.org, "Ada")
    upload = SimpleUploadedFile("Ada CV.pdf", PDF, content_type="application/pdf")
    response = acme.client.post(f"{URL}{candidate.pk}/resume/", {"file": upload})
    assert response.status_code == 201, response.content
    assert response.json()["original_name"] == "Ada CV.pdf" and response.json()["kind"] == "pdf"
    resumes = acme.client.get(f"{URL}{candidate.pk}/").json()["resumes"]
    assert [r["id"] for r in resumes] == [response.json()["id"]]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("cv.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "not a PDF or a Word"),
        ("big.pdf", PDF + b"0" * (MAX_BYTES + 1024 * 1024), "the limit is 10 MB"),
        ("empty.pdf", b"", "empty"),
    ],
)
def test_a_bad_resume_gets_400_with_a_field_message(acme, name, content, message):
    candidate = _add(acme.org, "Ada")
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    response = acme.client.post(f"{URL}{candidate.pk}/resume/", {"file": upload})
    assert response.status_code == 400
    assert message in response.json()["file"][0]
    assert not Resume.objects.exists()


def test_another_organisations_candidate_is_404_and_stays_untouched(acme, globex):
    theirs = _add(acme.org, "Ada", "Lovelace", email="ada@example.com")
    detail = f"{URL}{theirs.pk}/"
    for client in (_token_client(globex), globex.client):
        assert client.get(detail).status_code == 404
        assert client.patch(detail, {"first_name": "X"}, content_type="application/json").status_code == 404
        assert client.put(detail, {"first_name": "X"}, content_type="application/json").status_code == 404
        assert client.delete(detail).status_code == 404
        upload = SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf")
        assert client.post(f"{detail}resume/", {"file": upload}).status_code == 404
        assert client.get(URL).json()["count"] == 0
        assert client.get(URL, {"search": "lovelace", "include_archived": "true"}).json()["results"] == []
    theirs.refresh_from_db()
    assert theirs.first_name == "Ada"
    assert not Resume.objects.exists()


def test_unknown_ids_are_404(acme):
    assert acme.client.get(f"{URL}999999/").status_code == 404
    assert acme.client.get(f"{URL}99999999999999999999999/").status_code == 404
    assert acme.client.get(f"{URL}abc/").status_code == 404


def test_the_schema_documents_the_candidate_endpoints_with_examples(client):
    spec = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in (URL, f"{URL}{{id}}/", f"{URL}{{id}}/resume/"):
        assert path in spec["paths"]
    listing = spec["paths"][URL]["get"]
    documented = {p["name"] for p in listing["parameters"]}
    assert {"search", "skill", "tag", "industry", "location", "stage", "owner", "source", "contactable",
            "last_contacted_before", "last_contacted_after", "ordering"} <= documented  # fmt: skip
    list_examples = listing["responses"]["200"]["content"]["application/json"]["examples"]
    assert next(iter(list_examples.values()))["value"]["results"][0]["linkedin_url"].startswith("https://www.linkedin")
    create = spec["paths"][URL]["post"]["requestBody"]["content"]["application/json"]
    example = create["examples"]["CreateAReferredCandidate"]["value"]
    assert example["first_name"] == "Jane" and example["skills"] == ["Django", "PostgreSQL"]
    assert "multipart/form-data" in spec["paths"][f"{URL}{{id}}/resume/"]["post"]["requestBody"]["content"]


def test_a_ranked_search_counts_its_window_and_says_when_there_are_more(acme, monkeypatch):
    monkeypatch.setattr("candidates.selectors.RANK_WINDOW", 3)
    for first in ("Ann", "Bea", "Cat", "Dot"):
        _add(acme.org, first, "Smith")
    _add(acme.org, "Eve", "Jones")
    client = _token_client(acme)
    client.get(URL)  # the token's first use records its time; keep that out of the queries below

    with CaptureQueriesContext(connection) as queries:
        broad = client.get(URL, {"search": "smith"}).json()
    assert (broad["count"], broad["count_capped"], len(broad["results"])) == (3, True, 3)
    assert not any(q["sql"].startswith("SELECT COUNT(*)") for q in queries.captured_queries)

    narrow = client.get(URL, {"search": "jones"}).json()
    assert (narrow["count"], narrow["count_capped"], _names_of(narrow)) == (1, False, ["Eve Jones"])
    # Ordered by name, the search is not ranked: counted as before, up to the list's cap.
    by_name = client.get(URL, {"search": "smith", "ordering": "name"}).json()
    assert (by_name["count"], by_name["count_capped"]) == (4, False)


def _names_of(body) -> list[str]:
    return [c["full_name"] for c in body["results"]]
