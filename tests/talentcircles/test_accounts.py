"""Sign-up with e-mail verification, organisation creation, invitations and MFA."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from talentcircles import services
from talentcircles.models import Invitation, Membership, Organization, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _link_in(message, path_fragment: str) -> str:
    match = re.search(rf"https?://[^\s]+{path_fragment}[^\s]*", message.body)
    assert match, message.body
    return match.group(0).split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def _sign_up(client: Client, email: str, password: str):
    return client.post("/accounts/signup/", {"email": email, "password1": password, "password2": password})


def test_sign_up_requires_email_verification_then_leads_to_organisation_creation(client, password):
    response = _sign_up(client, "new.recruiter@example.com", password)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert client.get("/").status_code == 302  # not signed in before verifying
    assert client.get("/")["Location"].startswith("/accounts/login/")

    confirm_url = _link_in(mail.outbox[-1], "/accounts/confirm-email/")
    response = client.post(confirm_url)
    assert response.status_code == 302
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == "/orgs/new/"

    response = client.post("/orgs/new/", {"name": "Initech", "tagline": "", "time_zone": "Europe/Berlin"})
    org = Organization.objects.get(name="Initech")
    assert response["Location"] == f"/o/{org.slug}/"
    membership = Membership.objects.get(organization=org)
    assert membership.user.email == "new.recruiter@example.com"
    assert membership.role == "admin"


def test_sign_up_with_a_taken_email_creates_nothing_and_does_not_reveal_the_account(client, password):
    owner = UserFactory(email="taken@example.com")
    response = _sign_up(client, "TAKEN@example.com", password)
    # allauth's enumeration protection: same answer as a fresh sign-up, the owner is told by e-mail.
    assert response["Location"] == "/accounts/confirm-email/"
    assert list(User.objects.filter(email__iexact="taken@example.com")) == [owner]
    assert mail.outbox[-1].to == ["taken@example.com"]


def test_sign_up_rejects_a_weak_password(client):
    response = _sign_up(client, "fresh@example.com", "123")
    assert "password1" in response.context["form"].errors


def test_organisation_creation_shows_field_errors(acme):
    response = acme.client.post("/orgs/new/", {"name": "", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "time_zone"}


def test_settings_rejects_a_send_window_that_ends_before_it_starts(acme):
    data = {"name": "Acme", "brand_color": "#123456", "time_zone": "UTC",
            "send_window_start": "18:00", "send_window_end": "09:00"}  # fmt: skip
    response = acme.client.post(f"/o/{acme.org.slug}/settings/", data)
    assert response.status_code == 200
    assert "send_window_end" in response.context["form"].errors


class TestInvitations:
    def _invite(self, acme, email="colleague@example.com"):
        response = acme.client.post(f"/o/{acme.org.slug}/settings/invitations/", {"email": email, "role": "recruiter"})
        assert response.status_code == 302
        return Invitation.objects.get(email=email)

    def test_it_e_mails_a_link_that_makes_the_invitee_a_member(self, acme, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = self._invite(acme)
        assert mail.outbox[-1].to == ["colleague@example.com"]
        url = _link_in(mail.outbox[-1], "/invitations/")

        invitee = UserFactory(email="colleague@example.com")
        client = Client()
        client.force_login(invitee)
        assert "Join Acme Inc" in client.get(url).content.decode()
        response = client.post(url)
        assert response["Location"] == f"/o/{acme.org.slug}/"
        assert Membership.objects.get(user=invitee, organization=acme.org).role == "recruiter"
        invitation.refresh_from_db()
        assert invitation.accepted_by == invitee

        again = client.post(url)
        assert again.status_code == 400
        assert "already been used" in again.content.decode()

    def test_it_rejects_an_expired_link_with_a_clear_message(self, acme, settings):
        invitation = self._invite(acme)
        token = services.invitation_token(invitation)
        settings.INVITATION_MAX_AGE_DAYS = 0
        response = acme.client.get(f"/invitations/{token}/")
        assert response.status_code == 400
        assert "expired" in response.content.decode()

    def test_it_rejects_a_tampered_link(self, acme):
        invitation = self._invite(acme)
        token = services.invitation_token(invitation)
        forged = signing.dumps({"id": invitation.pk, "email": "attacker@example.com"}, salt="another-salt")
        for bad in (token[:-2] + "xx", forged):
            response = acme.client.get(f"/invitations/{bad}/")
            assert response.status_code == 400
            assert "not valid" in response.content.decode()

    def test_it_refuses_someone_signed_in_with_another_address(self, acme):
        invitation = self._invite(acme)
        stranger = UserFactory(email="stranger@example.com")
        client = Client()
        client.force_login(stranger)
        response = client.post(f"/invitations/{services.invitation_token(invitation)}/")
        assert response.status_code == 400
        assert "sent to colleague@example.com" in response.content.decode()
        assert not Membership.objects.filter(user=stranger).exists()

    def test_an_anonymous_visitor_is_offered_sign_in_and_sign_up(self, acme, client):
        invitation = self._invite(acme)
        body = client.get(f"/invitations/{services.invitation_token(invitation)}/").content.decode()
        assert "/accounts/signup/?next=" in body and "/accounts/login/?next=" in body

    def test_it_refuses_to_invite_an_existing_member(self, acme):
        response = acme.client.post(
            f"/o/{acme.org.slug}/settings/invitations/", {"email": acme.user.email.upper(), "role": "recruiter"}
        )
        assert response.status_code == 400
        assert "already a member" in response.content.decode()

    def test_a_withdrawn_invitation_no_longer_works(self, acme):
        invitation = self._invite(acme)
        token = services.invitation_token(invitation)
        acme.client.post(f"/o/{acme.org.slug}/settings/invitations/{invitation.pk}/revoke/")
        response = acme.client.get(f"/invitations/{token}/")
        assert response.status_code == 400
        assert "withdrawn" in response.content.decode()


def test_the_last_admin_cannot_be_removed(acme):
    response = acme.client.post(f"/o/{acme.org.slug}/settings/members/{acme.membership.pk}/remove/", follow=True)
    assert "at least one admin" in response.content.decode()
    assert Membership.objects.filter(pk=acme.membership.pk).exists()


def test_a_user_enables_totp_and_then_needs_a_code_to_sign_in(password):
    user = UserFactory(email="careful@example.com")
    client = Client()
    assert client.post("/accounts/login/", {"login": user.email, "password": password}).status_code == 302

    # allauth asks for the password again before security changes.
    assert client.get("/accounts/2fa/totp/activate/")["Location"].startswith("/accounts/reauthenticate/")
    client.post("/accounts/reauthenticate/", {"password": password})
    assert client.get("/accounts/2fa/totp/activate/").status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    counter = int(timezone.now().timestamp()) // 30
    code = format_hotp_value(hotp_value(secret, counter))
    response = client.post("/accounts/2fa/totp/activate/", {"code": code})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    fresh = Client()
    response = fresh.post("/accounts/login/", {"login": user.email, "password": password})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert fresh.get("/").status_code == 302  # still not signed in without the second factor


def test_a_user_edits_their_own_profile(acme):
    response = acme.client.post(
        "/account/profile/",
        {"first_name": "Grace", "last_name": "Hopper", "title": "Head of Talent", "time_zone": "Europe/Paris"},
    )
    assert response.status_code == 302
    acme.user.refresh_from_db()
    assert (acme.user.first_name, acme.user.title, acme.user.time_zone) == ("Grace", "Head of Talent", "Europe/Paris")


def test_a_profile_with_an_unknown_time_zone_shows_the_error_and_keeps_the_old_values(acme):
    before = (acme.user.first_name, acme.user.time_zone)
    response = acme.client.post("/account/profile/", {"first_name": "Not Saved", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    acme.user.refresh_from_db()
    assert (acme.user.first_name, acme.user.time_zone) == before
