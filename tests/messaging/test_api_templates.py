"""`/api/v1/templates/`: CRUD, tokens checked on the way in, archive and restore, preview for a candidate."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from messaging.models import Message, MessageTemplate, Thread
from talentcircles.models import Membership
from talentcircles.services import api_token_create
from tests.factories import CandidateFactory, CircleFactory, MembershipFactory, MessageTemplateFactory, UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/templates/"
BODY = (
    'Hi {{ candidate.first_name }},\n\nYour work on {{ candidate.skills|default:"backend systems" }} at '
    "{{ candidate.current_company }} caught my eye. Open to a short call?\n\n{{ recruiter.full_name }}"
)


def token_client(tenant_or_membership) -> Client:
    membership = getattr(tenant_or_membership, "membership", tenant_or_membership)
    issued = api_token_create(membership=membership, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Token {issued.key}")


def send(client, method, url, payload=None):
    return getattr(client, method)(url, payload or {}, content_type="application/json")


@pytest.fixture
def ana(acme):
    return CandidateFactory(
        organization=acme.org,
        first_name="Ana",
        last_name="Silva",
        current_title="Staff Engineer",
        current_company="Initech",
        email="ana@example.net",
    )


@pytest.fixture
def colleague(acme):
    return MembershipFactory(
        user=UserFactory(email="colleague@example.com"), organization=acme.org, role=Membership.Role.RECRUITER
    )


def test_it_creates_a_shared_template_owned_by_the_caller(acme):
    response = send(
        token_client(acme), "post", URL, {"name": "First touch", "subject": "Hello {{ candidate.first_name }}",
                                          "body": BODY}
    )  # fmt: skip

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["is_shared"], body["archived"], body["owner"]["id"]) == (
        "First touch",
        True,
        False,
        acme.user.pk,
    )
    template = MessageTemplate.objects.get(pk=body["id"])
    assert (template.organization, template.owner, template.body) == (acme.org, acme.user, BODY)


@pytest.mark.parametrize(
    ("field", "text", "named"),
    [
        ("body", "Hi {{ candidate.salary }}", "candidate.salary"),
        ("body", "Hi {{ candidate.first_name|upper }}", "|upper"),
        ("body", "Hi {{ candidate.first_name", "{{"),
        ("subject", "{% if x %}Hello{% endif %}", "{%"),
        ("subject", "Hi {{ user.password }}", "user.password"),
        ("subject", "Hi\nBcc: everyone@example.com", "one line"),
    ],
)
def test_a_bad_token_is_a_400_naming_it_and_nothing_is_written(acme, field, text, named):
    payload = {"name": "Bad", "subject": "Hello", "body": "Hello there"} | {field: text}

    response = send(token_client(acme), "post", URL, payload)

    assert response.status_code == 400
    assert named in response.json()[field][0]
    assert not MessageTemplate.objects.exists()


def test_missing_fields_and_an_oversized_body_are_400s(acme):
    client = token_client(acme)
    empty = send(client, "post", URL, {})
    assert empty.status_code == 400 and set(empty.json()) == {"name", "subject", "body"}
    long = send(client, "post", URL, {"name": "Long", "subject": "Hi", "body": "x" * 50_001})
    assert long.status_code == 400 and "50,000" in long.json()["body"][0]
    assert not MessageTemplate.objects.exists()


def test_the_list_holds_shared_templates_and_only_the_callers_personal_ones(acme, colleague):
    mine = MessageTemplateFactory(organization=acme.org, owner=acme.user, is_shared=False, name="Mine")
    shared = MessageTemplateFactory(organization=acme.org, owner=colleague.user, is_shared=True, name="Shared")
    theirs = MessageTemplateFactory(organization=acme.org, owner=colleague.user, is_shared=False, name="Theirs")
    client = token_client(acme)

    listing = client.get(URL).json()

    assert listing["count"] == 2
    assert [row["id"] for row in listing["results"]] == [mine.pk, shared.pk]
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert send(client, "patch", f"{URL}{theirs.pk}/", {"name": "Mine now"}).status_code == 404
    assert token_client(colleague).get(f"{URL}{theirs.pk}/").status_code == 200


def test_an_update_is_checked_like_a_create(acme):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, name="Old")
    client = token_client(acme)

    renamed = send(client, "patch", f"{URL}{template.pk}/", {"name": "New", "is_shared": False})
    broken = send(client, "patch", f"{URL}{template.pk}/", {"body": "Hi {{ candidate.email }}"})

    assert renamed.status_code == 200 and (renamed.json()["name"], renamed.json()["is_shared"]) == ("New", False)
    assert broken.status_code == 400 and "candidate.email" in broken.json()["body"][0]
    template.refresh_from_db()
    assert (template.name, template.is_shared) == ("New", False)
    assert "candidate.email" not in template.body


def test_delete_archives_and_patch_restores(acme):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)
    client = token_client(acme)

    assert client.delete(f"{URL}{template.pk}/").status_code == 204
    template.refresh_from_db()
    assert template.archived_at is not None  # kept: messages written from it still point at it
    assert client.get(URL).json()["count"] == 0
    archived = client.get(URL, {"archived": "true"}).json()["results"]
    assert [(row["id"], row["archived"]) for row in archived] == [(template.pk, True)]
    assert client.get(f"{URL}{template.pk}/").json()["archived"] is True

    restored = send(client, "patch", f"{URL}{template.pk}/", {"archived": False})

    assert restored.status_code == 200 and restored.json()["archived"] is False
    assert [row["id"] for row in client.get(URL).json()["results"]] == [template.pk]


def test_the_list_costs_the_same_queries_for_many_templates(acme, colleague):
    client = token_client(acme)
    MessageTemplateFactory(organization=acme.org, owner=colleague.user)
    client.get(URL)  # the token's first use records when it was used

    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    MessageTemplateFactory.create_batch(8, organization=acme.org, owner=colleague.user)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).json()["count"] == 9
    assert len(many) == len(few)


# --- preview ----------------------------------------------------------------------------------


def test_preview_renders_for_the_candidate_and_scores_it(acme, ana):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, subject="Hi {{ candidate.first_name }}",
                                      body=BODY)  # fmt: skip
    acme.user.first_name, acme.user.last_name = "Rita", "Recruiter"
    acme.user.save()

    response = send(token_client(acme), "post", f"{URL}{template.pk}/preview/", {"candidate": ana.pk})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["subject"] == "Hi Ana"
    assert "Hi Ana," in body["body"] and "at Initech" in body["body"] and "Rita Recruiter" in body["body"]
    assert "{{" not in body["body"]
    assert 0 <= body["score"] <= 100
    for finding in body["findings"]:
        assert set(finding) == {"code", "message", "severity", "penalty"}
    assert not Thread.objects.exists() and not Message.objects.exists()


def test_preview_names_the_token_and_the_candidate_it_cannot_fill(acme):
    bo = CandidateFactory(organization=acme.org, first_name="Bo", last_name="Berg", current_company="")
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, subject="Hello", body=BODY)

    response = send(token_client(acme), "post", f"{URL}{template.pk}/preview/", {"candidate": bo.pk})

    assert response.status_code == 400
    message = response.json()["body"][0]
    assert "candidate.current_company" in message and "Bo Berg" in message


def test_preview_refuses_unknown_and_other_organisations_candidates(acme, globex):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)
    outsider = CandidateFactory(organization=globex.org)
    client = token_client(acme)
    url = f"{URL}{template.pk}/preview/"

    for payload in ({"candidate": outsider.pk}, {"candidate": 999_999}):
        response = send(client, "post", url, payload)
        assert response.status_code == 400
        assert response.json() == {"candidate": ["No such candidate in this organisation."]}
    assert send(client, "post", url, {"candidate": "abc"}).json()["candidate"] == ["A valid integer is required."]
    assert send(client, "post", url, {}).status_code == 400


def test_preview_fills_the_circle_name_from_a_circle_of_the_organisation(acme, globex, ana):
    circle = CircleFactory(organization=acme.org, name="Rustaceans")
    elsewhere = CircleFactory(organization=globex.org, name="Secret")
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, subject="Hello",
                                      body="Hi {{ candidate.first_name }}, join {{ circle.name }}!")  # fmt: skip
    client = token_client(acme)
    url = f"{URL}{template.pk}/preview/"

    filled = send(client, "post", url, {"candidate": ana.pk, "circle": circle.pk})
    outside = send(client, "post", url, {"candidate": ana.pk, "circle": elsewhere.pk})
    without = send(client, "post", url, {"candidate": ana.pk})

    assert filled.status_code == 200 and filled.json()["body"] == "Hi Ana, join Rustaceans!"
    assert outside.status_code == 400 and "circle" in outside.json()
    assert without.status_code == 400 and "circle.name" in without.json()["body"][0]


# --- tenancy and auth ----------------------------------------------------------------------------


def test_another_organisations_templates_are_404(acme, globex):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, name="Acme only")
    theirs_candidate = CandidateFactory(organization=globex.org)
    detail = f"{URL}{template.pk}/"
    for client in (token_client(globex), globex.client):
        assert client.get(URL).json()["count"] == 0
        assert client.get(f"{URL}?archived=true").json()["count"] == 0
        assert client.get(detail).status_code == 404
        assert send(client, "patch", detail, {"name": "Hijacked"}).status_code == 404
        assert send(client, "put", detail, {"name": "Hijacked", "subject": "x", "body": "y"}).status_code == 404
        assert client.delete(detail).status_code == 404
        preview = send(client, "post", f"{detail}preview/", {"candidate": theirs_candidate.pk})
        assert preview.status_code == 404
    template.refresh_from_db()
    assert (template.name, template.archived_at) == ("Acme only", None)


def test_unknown_ids_are_404(acme):
    client = token_client(acme)
    assert client.get(f"{URL}999999/").status_code == 404
    assert client.get(f"{URL}99999999999999999999999/").status_code == 404
    assert client.get(f"{URL}abc/").status_code == 404


def test_session_auth_works_and_anonymous_callers_are_refused(acme):
    MessageTemplateFactory(organization=acme.org, owner=acme.user)
    assert acme.client.get(URL).json()["count"] == 1
    assert Client().get(URL).status_code in (401, 403)
    assert Client(HTTP_AUTHORIZATION="Token not-a-token").get(URL).status_code == 401
