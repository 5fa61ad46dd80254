"""The page catalogue (tests/browser/page_catalogue.py): every GET page of the URL confs is in it or
excluded with a reason, and each page in it answers its visitor with an HTML page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.browser.page_catalogue import EXCLUDED, seed_catalogue

pytestmark = pytest.mark.django_db

# Outside the catalogue's reach: the admin, the API and its docs, and endpoints for machines.
NOT_PAGES_PREFIXES = ("admin/", "api/")
NOT_PAGES = {"healthz", "favicon", "inbound_email"}


def url_names(patterns=None, prefix: str = "") -> dict[str, str]:
    """URL name → route, over the whole URL conf."""
    found: dict[str, str] = {}
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            found |= url_names(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and pattern.name:
            found[pattern.name] = route
    return found


def test_every_page_of_the_url_confs_is_catalogued_or_excluded_with_a_reason():
    catalogue = seed_catalogue()
    routes = {
        name: route for name, route in url_names().items()
        if not route.startswith(NOT_PAGES_PREFIXES) and name not in NOT_PAGES
    }  # fmt: skip
    catalogued = {page.name for page in catalogue.pages}
    assert sorted(set(routes) - catalogued - set(EXCLUDED)) == []
    assert sorted(catalogued & set(EXCLUDED)) == []
    assert sorted(set(EXCLUDED) - set(routes)) == []  # no stale exclusion


def test_each_catalogued_page_answers_its_visitor_with_a_page():
    catalogue = seed_catalogue()
    clients = {"anonymous": Client()}
    for who, session in catalogue.sessions.items():
        clients[who] = Client()
        clients[who].cookies[settings.SESSION_COOKIE_NAME] = session
    answers = {}
    for page in catalogue.pages:
        response = clients[page.who].get(page.url, follow=True)
        answers[page.name] = (response.status_code, response.get("Content-Type", "")[:9], response.redirect_chain)
    assert {name: answer for name, answer in answers.items() if answer[:2] != (200, "text/html")} == {}
    # allauth keeps the reset key in the session and redirects to a URL without it; no other page redirects.
    redirected = {name for name, answer in answers.items() if answer[2]}
    assert redirected == {"account_reset_password_from_key"}, answers["mfa_activate_totp"]
