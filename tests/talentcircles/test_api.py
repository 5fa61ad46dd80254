"""API authentication, organisation scoping and the OpenAPI schema."""

from __future__ import annotations

import pytest
from django.test import Client

from talentcircles.models import ApiToken
from talentcircles.services import api_token_create
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _token_client(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def test_a_token_returns_its_own_organisation_and_role(acme):
    issued = api_token_create(membership=acme.membership, name="ATS sync")
    response = _token_client(issued.key).get("/api/v1/organization/")
    assert response.status_code == 200
    assert response.json() | {"id": 0} == response.json() | {"id": 0}
    assert response.json()["slug"] == acme.org.slug
    assert response.json()["role"] == "admin"
    assert ApiToken.objects.get(pk=issued.token.pk).last_used_at is not None


def test_only_the_digest_of_a_token_is_stored(acme):
    issued = api_token_create(membership=acme.membership, name="x")
    assert issued.key not in {issued.token.key_digest, issued.token.key_hint}
    assert issued.token.key_digest == ApiToken.digest(issued.key)


def test_a_token_is_bound_to_one_organisation_even_if_its_user_has_more(acme, globex):
    MembershipFactory(user=acme.user, organization=globex.org)
    issued = api_token_create(membership=acme.membership, name="acme only")
    client = _token_client(issued.key)
    assert client.get("/api/v1/organization/").json()["slug"] == acme.org.slug
    # Naming another organisation does not switch a token's scope.
    assert client.get("/api/v1/organization/", HTTP_X_ORGANIZATION=globex.org.slug).json()["slug"] == acme.org.slug


def test_a_revoked_token_stops_working(acme):
    issued = api_token_create(membership=acme.membership, name="temp")
    response = acme.client.post(f"/o/{acme.org.slug}/settings/tokens/{issued.token.pk}/revoke/")
    assert response.status_code == 302
    response = _token_client(issued.key).get("/api/v1/organization/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid or revoked API token."


def test_a_made_up_token_and_no_credentials_are_refused(client):
    assert _token_client("tc_not-a-real-key").get("/api/v1/organization/").status_code == 401
    assert client.get("/api/v1/organization/").status_code in {401, 403}


def test_the_tokens_page_shows_a_new_key_once(acme):
    response = acme.client.post(f"/o/{acme.org.slug}/settings/tokens/", {"name": "Zapier"}, follow=True)
    key = response.context["new_key"]
    assert key.startswith("tc_") and key in response.content.decode()
    assert _token_client(key).get("/api/v1/organization/").status_code == 200
    assert key not in acme.client.get(f"/o/{acme.org.slug}/settings/tokens/").content.decode()


def test_the_tokens_page_wants_a_name(acme):
    response = acme.client.post(f"/o/{acme.org.slug}/settings/tokens/", {"name": ""})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_a_session_user_in_several_organisations_must_name_one(acme, globex):
    MembershipFactory(user=acme.user, organization=globex.org)
    response = acme.client.get("/api/v1/organization/")
    assert response.status_code == 400
    assert "org" in response.json()
    named = acme.client.get("/api/v1/organization/", HTTP_X_ORGANIZATION=globex.org.slug)
    assert named.json()["slug"] == globex.org.slug
    assert named.json()["role"] == "recruiter"


def test_a_session_user_naming_another_organisation_gets_404(acme, globex):
    assert acme.client.get("/api/v1/organization/", HTTP_X_ORGANIZATION=globex.org.slug).status_code == 404
    assert acme.client.get(f"/api/v1/organization/?org={globex.org.slug}").status_code == 404


def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    spec = schema.json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/organization/" in spec["paths"]
    assert "tokenAuth" in spec["components"]["securitySchemes"]
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert "/static/drf_spectacular_sidecar/" in docs.content.decode()  # served locally, no CDN


def test_a_token_records_its_use_at_most_once_a_minute(acme):
    from datetime import timedelta

    from talentcircles.services import api_token_touch

    issued = api_token_create(membership=acme.membership, name="ATS sync")
    token = issued.token
    token.last_used_at = None
    api_token_touch(token=token)
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    api_token_touch(token=token, now=first + timedelta(seconds=30))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    api_token_touch(token=token, now=first + timedelta(seconds=61))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first + timedelta(seconds=61)
