"""Tenancy: every recruiter page and API object of another organisation is 404."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from talentcircles.models import ApiToken, Invitation
from talentcircles.services import api_token_create, invitation_create
from tests.factories import CandidateFactory, CircleFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _org_routes(resolver: URLResolver | None = None, prefix: str = "") -> list[tuple[str, list[str]]]:
    """Every named route under /o/<org_slug>/ with the names of its other arguments."""
    routes = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            routes += _org_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and entry.name:
            full = prefix + str(entry.pattern)
            if full.startswith("o/<slug:org_slug>/"):
                args = [k for k in entry.pattern.converters if k != "org_slug"]
                routes.append((entry.name, args))
    return routes


ORG_ROUTES = _org_routes()


def test_the_sweep_finds_the_recruiter_pages():
    names = {name for name, _ in ORG_ROUTES}
    assert {"org_home", "org_settings", "api_tokens", "invitation_create"} <= names


@pytest.mark.parametrize(("name", "args"), ORG_ROUTES, ids=[n for n, _ in ORG_ROUTES])
def test_it_answers_404_on_every_page_of_another_organisation(acme, globex, name, args):
    # Real objects of the other organisation, so an id that exists is refused too.
    invitation = invitation_create(org=globex.org, email="x@example.com", role="recruiter", invited_by=globex.user)
    token = api_token_create(membership=globex.membership, name="theirs").token
    ids = {"pk": invitation.pk if "invitation" in name else token.pk}
    url = reverse(name, kwargs={"org_slug": globex.org.slug, **{a: ids.get(a, 1) for a in args}})
    assert acme.client.get(url).status_code == 404
    assert acme.client.post(url, {"email": "y@example.com", "name": "n"}).status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_it_answers_404_for_an_unknown_organisation(acme):
    assert acme.client.get("/o/no-such-org/").status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(client, acme):
    response = client.get(f"/o/{acme.org.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_recruiter_cannot_use_admin_actions(acme):
    recruiter = MembershipFactory(organization=acme.org, role="recruiter")
    acme.client.force_login(recruiter.user)
    response = acme.client.post(f"/o/{acme.org.slug}/settings/invitations/", {"email": "z@example.com"})
    assert response.status_code == 403
    assert not Invitation.objects.filter(email="z@example.com").exists()


def test_home_figures_count_only_the_own_organisation(acme, globex):
    CandidateFactory.create_batch(3, organization=acme.org)
    CandidateFactory.create_batch(7, organization=globex.org)
    CircleFactory(organization=acme.org)
    response = acme.client.get(f"/o/{acme.org.slug}/")
    figures = {f["key"]: f["value"] for f in response.context["figures"]}
    assert figures == {"candidates": 3, "circles": 1, "members": 1}


def test_home_runs_a_fixed_number_of_queries(acme, django_assert_max_num_queries):
    CandidateFactory.create_batch(20, organization=acme.org)
    with django_assert_max_num_queries(13):  # 12, and one for the getting-started checklist
        assert acme.client.get(f"/o/{acme.org.slug}/").status_code == 200
