"""`/admin/` signs in through allauth's login: its two-factor step, rate limits and verified e-mail."""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django.utils import timezone

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff():
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


def _totp_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))


def test_the_admin_login_page_sends_to_allauths_login(client):
    response = client.get("/admin/", follow=True)
    first, last = response.redirect_chain[0][0], response.redirect_chain[-1][0]
    assert first.startswith("/admin/login/")
    assert last.startswith("/accounts/login/")
    assert unquote(last) == "/accounts/login/?next=/admin/"


def test_djangos_admin_login_form_no_longer_signs_anyone_in(client, staff, password):
    response = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": password})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_a_staff_user_signs_in_through_allauth_and_reaches_the_admin(client, staff, password):
    response = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": password}, follow=True)
    assert response.redirect_chain[-1][0] == "/admin/"
    assert response.status_code == 200


def test_a_staff_user_with_two_factor_must_pass_it_before_the_admin(staff, password):
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client = Client()
    response = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": password})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302  # not signed in with the password alone

    response = client.post("/accounts/2fa/authenticate/", {"code": _totp_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_staff_user_with_an_unverified_address_does_not_reach_the_admin(password):
    user = UserFactory(email="unverified@example.com", is_staff=True, verified=False)
    client = Client()
    client.post("/accounts/login/?next=/admin/", {"login": user.email, "password": password})
    assert client.get("/admin/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_signed_in_user_who_is_not_staff_is_refused(acme):
    assert acme.client.get("/admin/login/").status_code == 403
    assert acme.client.get("/admin/").status_code in (302, 403)


def test_wrong_passwords_for_the_admin_are_rate_limited(client, staff, password):
    for _ in range(5):
        response = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": "wrong-one"})
        assert response.status_code == 200  # the form again, with its error
    # The sixth attempt is refused by the limit, even with the right password.
    response = client.post("/accounts/login/?next=/admin/", {"login": staff.email, "password": password})
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in response.content.decode()
    assert client.get("/admin/").status_code == 302
