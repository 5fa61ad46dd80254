"""allauth's pages and e-mails reached from an organisation's community (/c/<org>/) are that
organisation's: its name, colour and navigation, no recruiter sign-up, its sender, no request host."""

from __future__ import annotations

import re
from email.utils import parseaddr

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core import mail
from django.test import Client
from django.utils import timezone

from engagement.circles.community import community_join
from talentcircles.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SITE = "https://talent.example.org"
PASSWORD = "a-long-and-unusual-passphrase"
RECRUITER_SIGN_UP = 'href="/accounts/signup/"'


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def acme_brand(acme):
    org = acme.org
    org.name, org.sender_name, org.sender_email, org.brand_color = (
        "Acme Inc", "Acme Careers", "careers@acme.example", "#aa3300",
    )  # fmt: skip
    org.save()
    return org


@pytest.fixture
def globex_brand(globex):
    globex.org.brand_color = "#0b7a3e"
    globex.org.save()
    return globex.org


def join(client: Client, org, email: str = "ada@example.com"):
    data = {
        "email": email, "password1": PASSWORD, "password2": PASSWORD, "first_name": "Ada", "last_name": "Lovelace",
        "consent_terms": "on", "consent_messages": "on",
    }  # fmt: skip
    return client.post(f"/c/{org.slug}/join/", data, follow=True)


def link_in(message, path: str) -> str:
    match = re.search(rf"\S+{re.escape(path)}\S*", message.body)
    assert match, message.body
    return match.group(0)


def local(url: str) -> str:
    assert url.startswith(SITE + "/"), url
    return url.removeprefix(SITE)


def assert_branded(response, org) -> str:
    html = response.content.decode()
    assert response.status_code == 200
    assert org.name in html and f"--tc-brand: {org.brand_color}" in html, html
    assert 'class="tc-portal"' in html and RECRUITER_SIGN_UP not in html and "TalentCircles</a>" not in html
    return html


def assert_from_org(message, org) -> None:
    assert parseaddr(message.from_email) == (org.sender_name, "noreply@localhost")
    assert message.reply_to == [org.sender_email]
    assert org.name in message.subject and org.name in message.body
    assert "testserver" not in message.body and "127.0.0.1" not in message.body


def member(org, email: str = "mia@example.com") -> User:
    user = UserFactory(email=email)
    community_join(org=org, user=user, profile={"first_name": "Mia"}, messages_consent=True, ip_address=None)
    return user


# --- Joining and confirming the address -------------------------------------------------------


def test_joining_lands_on_a_check_your_inbox_page_in_the_organisations_brand(acme_brand, client):
    response = join(client, acme_brand)
    assert response.redirect_chain[-1][0] == "/accounts/confirm-email/"
    html = assert_branded(response, acme_brand)
    assert "e-mail from Acme Careers" in html and "joining the Acme Inc community" in html


def test_the_confirmation_email_names_the_organisation_and_comes_from_its_sender(acme_brand, client):
    join(client, acme_brand)
    (message,) = mail.outbox
    assert_from_org(message, acme_brand)
    assert message.subject == "[Acme Inc] Please Confirm Your Email Address"
    assert message.body.startswith("Hello from the Acme Inc talent community!")
    assert "join the Acme Inc talent community" in message.body and f"{SITE}/c/acme/" in message.body
    assert link_in(message, "/accounts/confirm-email/").startswith(f"{SITE}/accounts/confirm-email/")
    assert link_in(message, "/accounts/confirm-email/").endswith("/?portal=acme")


def test_the_emailed_link_opens_a_branded_confirmation_then_a_branded_sign_in_on_another_device(acme_brand, client):
    join(client, acme_brand)
    link = local(link_in(mail.outbox[0], "/accounts/confirm-email/"))
    other_device = Client()
    assert_branded(other_device.get(link), acme_brand)
    confirmed = other_device.post(link.split("?")[0])
    assert confirmed.status_code == 302 and confirmed["Location"] == "/accounts/login/?next=/c/acme/circles/"
    html = assert_branded(other_device.get(confirmed["Location"]), acme_brand)
    assert 'href="/c/acme/join/"' in html and "Sign in to the Acme Inc community" in html
    signed_in = other_device.post(
        "/accounts/login/", {"login": "ada@example.com", "password": PASSWORD, "next": "/c/acme/circles/"}
    )
    assert signed_in["Location"] == "/c/acme/circles/"
    assert other_device.get("/c/acme/circles/").status_code == 200


# --- Sign-in, sign-up and two-factor ------------------------------------------------------------


def test_the_portals_sign_in_link_opens_a_branded_page_and_the_plain_one_stays_the_recruiters(acme_brand, client):
    landing = client.get("/c/acme/").content.decode()
    assert 'href="/accounts/login/?next=/c/acme/"' in landing
    assert_branded(client.get("/accounts/login/?next=/c/acme/"), acme_brand)
    plain = Client().get("/accounts/login/").content.decode()
    assert RECRUITER_SIGN_UP in plain and "Acme Inc" not in plain


def test_allauths_sign_up_in_a_community_is_its_join_form(acme_brand, client):
    client.get("/accounts/login/?next=/c/acme/")
    assert client.get("/accounts/signup/")["Location"] == "/c/acme/join/"
    assert Client().get("/accounts/signup/").status_code == 200  # recruiters still sign up there


def test_the_two_factor_step_of_a_community_sign_in_is_branded(acme_brand, password):
    user = member(acme_brand)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client()
    response = client.post("/accounts/login/", {"login": user.email, "password": password, "next": "/c/acme/circles/"})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert_branded(client.get("/accounts/2fa/authenticate/"), acme_brand)
    code = format_hotp_value(hotp_value(secret, int(timezone.now().timestamp()) // 30))
    assert client.post("/accounts/2fa/authenticate/", {"code": code})["Location"] == "/c/acme/circles/"


# --- Password reset ---------------------------------------------------------------------------


def test_a_members_password_reset_is_branded_from_request_to_done_and_so_is_its_email(acme_brand, client, password):
    member(acme_brand)
    client.get("/accounts/login/?next=/c/acme/")
    assert_branded(client.get("/accounts/password/reset/"), acme_brand)
    response = client.post("/accounts/password/reset/", {"email": "mia@example.com"}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/password/reset/done/"
    assert_branded(response, acme_brand)

    (message,) = mail.outbox
    assert_from_org(message, acme_brand)
    link = link_in(message, "/accounts/password/reset/key/")
    assert link.startswith(f"{SITE}/accounts/password/reset/key/") and link.endswith("?portal=acme")

    other_device = Client()
    form = other_device.get(local(link), follow=True)
    assert_branded(form, acme_brand)
    changed = other_device.post(
        form.redirect_chain[-1][0], {"password1": "a-brand-new-passphrase", "password2": "a-brand-new-passphrase"}
    )
    done = assert_branded(other_device.get(changed["Location"]), acme_brand)
    assert "Sign in to the Acme Inc community" in done


def test_a_reset_asked_for_an_unknown_address_in_a_community_points_to_its_join_form(acme_brand, client):
    client.post("/accounts/password/reset/?portal=acme", {"email": "nobody@example.com"})
    (message,) = mail.outbox
    assert_from_org(message, acme_brand)
    assert f"{SITE}/c/acme/join/" in message.body and "/accounts/signup/" not in message.body


# --- No leaks between organisations, no request host -------------------------------------------


def test_a_visitor_arriving_from_another_community_sees_that_communitys_brand(acme_brand, globex_brand, client):
    assert_branded(client.get("/accounts/login/?next=/c/globex/"), globex_brand)
    html = assert_branded(client.get("/accounts/login/?next=/c/acme/"), acme_brand)
    assert "Globex" not in html and globex_brand.brand_color not in html
    # The session remembers the last community for the steps allauth reaches without parameters.
    assert "Acme Inc" in client.get("/accounts/password/reset/").content.decode()
    join(client, acme_brand, email="grace@example.com")
    assert "Globex" not in mail.outbox[-1].body and "Globex" not in mail.outbox[-1].from_email


def test_a_joiner_of_the_second_community_gets_its_email_not_the_firsts(acme_brand, globex_brand, client):
    client.get("/c/acme/")
    join(client, globex_brand, email="grace@example.com")
    (message,) = mail.outbox
    assert parseaddr(message.from_email)[0] == "Globex Inc" and "Acme" not in message.body


def test_a_recruiter_page_forgets_the_community(acme_brand, client):
    client.get("/accounts/login/?next=/c/acme/")
    plain = client.get("/accounts/login/?next=/o/acme/").content.decode()
    assert RECRUITER_SIGN_UP in plain and "Acme Inc" not in plain
    assert "Acme Inc" not in client.get("/accounts/password/reset/").content.decode()


def test_opening_a_recruiter_page_forgets_the_community(acme_brand, client):
    client.get("/accounts/login/?next=/c/acme/")
    client.force_login(acme_brand.memberships.get().user)
    assert client.get("/o/acme/").status_code == 200
    two_factor = client.get("/accounts/2fa/").content.decode()
    assert "Acme Inc" not in two_factor.split("<main", 1)[1] and 'class="tc-portal"' not in two_factor


def test_an_unknown_community_in_the_link_gives_the_plain_page(acme_brand, client):
    response = client.get("/accounts/login/?portal=no-such-org")
    assert response.status_code == 200 and RECRUITER_SIGN_UP in response.content.decode()


def test_a_recruiter_sign_up_email_names_the_site_on_site_url_never_the_request_host(client, settings):
    settings.DEFAULT_FROM_EMAIL = "TalentCircles <noreply@talent.example.org>"
    client.post(
        "/accounts/signup/",
        {"email": "new@example.com", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST="127.0.0.1",
    )
    (message,) = mail.outbox
    assert message.from_email == "TalentCircles <noreply@talent.example.org>"
    assert message.subject == "[TalentCircles] Please Confirm Your Email Address"
    assert message.body.startswith("Hello from TalentCircles!") and "127.0.0.1" not in message.body
    assert link_in(message, "/accounts/confirm-email/").startswith(f"{SITE}/accounts/confirm-email/")
    assert "?portal" not in message.body and "talent.example.org registered" not in message.body
