"""The printed demo admin login opens Django admin; every page has an icon and /favicon.ico answers."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from talentcircles.demo import ADMIN_EMAIL, DEMO_PASSWORD
from talentcircles.models import User

pytestmark = pytest.mark.django_db


def test_the_printed_admin_login_opens_django_admin(client):
    out = io.StringIO()
    call_command("seed_demo", "--small", stdout=out)
    assert f"Admin login: {ADMIN_EMAIL} / {DEMO_PASSWORD}" in out.getvalue()
    response = client.post("/accounts/login/", {"login": ADMIN_EMAIL, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
    assert User.objects.get(email=ADMIN_EMAIL).is_staff


def test_favicon_ico_points_at_the_icon_the_pages_link(client):
    response = client.get("/favicon.ico")
    assert (response.status_code, response["Location"]) == (302, "/static/favicon.svg")
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg"' in page
