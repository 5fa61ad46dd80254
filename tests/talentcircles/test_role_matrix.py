"""The role matrix, role by endpoint, generated from the URL resolver (issue #21).

Every recruiter page (`/o/<org>/…`) and API route (`/api/v1/…`) must be in
tests/talentcircles/role_routes.py with the capability each of its methods needs (a new route
without one fails here), its view must declare the same, and each role must be refused (403) what
its role lacks and let through what it has. The requests carry no data and point at objects that do
not exist, so no role changes anything: an allowed request ends in a form error, a redirect or a
404 of the object, a refused one in 403 before the view looks anything up. docs/roles.md is
generated from the same declarations (`manage.py role_matrix`).
"""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from talentcircles import services
from talentcircles.models import Membership
from talentcircles.permissions import ROLE_CAPABILITIES, SAFE_METHODS, Capability
from talentcircles.role_matrix import RouteMethod, route_methods
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.talentcircles import role_routes

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Membership.Role]
MISSING_ID = 987654  # no object has it: an allowed request gets 404 from the view, never a change
ARG = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>|\(\?P<(?P<regex_name>\w+)>")


@pytest.fixture
def matrix():
    """One organisation with a signed-in member and an API token for each role, plus a read-only token."""
    org = OrganizationFactory(name="Matrix Inc", slug="matrix")
    clients, tokens = {}, {}
    for role in ROLES:
        membership = MembershipFactory(organization=org, role=role, user=UserFactory(email=f"{role}@example.com"))
        clients[role] = Client()
        clients[role].force_login(membership.user)
        tokens[role] = services.api_token_create(membership=membership, name=role).key
        if role == "admin":
            tokens["admin (read-only token)"] = services.api_token_create(
                membership=membership, name="read-only", read_only=True
            ).key
    return org, clients, tokens


def url_of(rm: RouteMethod, org_slug: str) -> str:
    kwargs: dict[str, object] = {}
    for match in ARG.finditer(rm.route):
        name = match["name"] or match["regex_name"]
        if name == "org_slug":
            kwargs[name] = org_slug
        elif match["converter"] in ("str", "slug"):
            kwargs[name] = "missing"
        else:
            kwargs[name] = MISSING_ID
    return reverse(rm.name, kwargs=kwargs)


def outcome(status: int) -> str:
    if status >= 500:
        return f"error {status}"
    return "refused" if status == 403 else "allowed"


def test_every_route_is_in_the_expected_table_and_its_view_declares_the_same():
    found = route_methods()
    assert len({(rm.name, rm.method) for rm in found}) > 200  # pages and API both walked
    unlisted = sorted({rm.name for rm in found if role_routes.expected(rm.name, rm.method) is None})
    assert unlisted == [], "add these routes to tests/talentcircles/role_routes.py (one line each)"
    differing = {
        f"{rm.method} {rm.name}": (rm.capability.value, expected.value)
        for rm in found
        if (expected := role_routes.expected(rm.name, rm.method)) != rm.capability
    }
    assert differing == {}, "view declares (left) what the table does not expect (right)"
    stale = (set(role_routes.PAGES) | set(role_routes.API)) - {rm.name for rm in found}
    assert stale == set(), "routes the URL confs no longer have"


def test_no_write_needs_only_view_so_read_only_members_and_tokens_never_write():
    writes_for_viewers = [f"{rm.method} {rm.name}" for rm in route_methods() if rm.method not in SAFE_METHODS
                          and rm.capability == Capability.VIEW]  # fmt: skip
    assert writes_for_viewers == []


def test_each_role_is_refused_exactly_what_it_lacks_on_every_page(matrix):
    org, clients, _tokens = matrix
    wrong = {}
    for rm in route_methods():
        if rm.api:
            continue
        url = url_of(rm, org.slug)
        for role in ROLES:
            response = clients[role].generic(rm.method, url)
            want = "allowed" if rm.capability in ROLE_CAPABILITIES[role] else "refused"
            if outcome(response.status_code) != want:
                wrong[f"{role} {rm.method} {rm.name}"] = (response.status_code, want)
    assert wrong == {}


def test_each_token_is_refused_exactly_what_its_member_lacks_on_every_api_route(matrix):
    org, _clients, tokens = matrix
    wrong = {}
    client = Client()
    for rm in route_methods():
        if not rm.api:
            continue
        url = url_of(rm, org.slug)
        for holder, key in tokens.items():
            granted = ROLE_CAPABILITIES[holder.split()[0]]
            if "read-only token" in holder:
                granted = granted & {Capability.VIEW}
            body = {} if rm.method in SAFE_METHODS else {"data": "{}", "content_type": "application/json"}
            response = client.generic(rm.method, url, HTTP_AUTHORIZATION=f"Token {key}", **body)
            want = "allowed" if rm.capability in granted else "refused"
            if outcome(response.status_code) != want:
                wrong[f"{holder} {rm.method} {rm.name}"] = (response.status_code, want)
    assert wrong == {}


def test_a_refused_page_says_why_and_a_refused_api_call_answers_json(matrix):
    org, clients, tokens = matrix
    page = clients["read_only"].get(reverse("candidate_export_csv", args=[org.slug]))
    assert page.status_code == 403
    assert "does not allow this (export contact data)" in page.content.decode()
    api = Client().post(
        reverse("api-candidate-list"), {}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {tokens['admin (read-only token)']}",
    )  # fmt: skip
    assert api.status_code == 403 and api.json() == {
        "detail": "This API token is read-only: it can read but not change anything."
    }


def test_the_documented_matrix_is_the_one_the_code_enforces():
    call_command("role_matrix", "--check")
