"""Withdrawing an invitation (`invitation_revoke`): its link stops working; an accepted one stays."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from talentcircles import services
from talentcircles.models import Invitation, Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def invite(tenant, email: str = "colleague@example.com") -> Invitation:
    return services.invitation_create(org=tenant.org, email=email, role="recruiter", invited_by=tenant.user)


def accept(invitation: Invitation) -> Membership:
    invitee = UserFactory(email=invitation.email)
    return services.invitation_accept(token=services.invitation_token(invitation), user=invitee)


def revoke_url(tenant, invitation: Invitation) -> str:
    return f"/o/{tenant.org.slug}/settings/invitations/{invitation.pk}/revoke/"


def flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_it_withdraws_a_pending_invitation_and_its_link_stops_working(acme):
    invitation = invite(acme)
    token = services.invitation_token(invitation)

    services.invitation_revoke(org=acme.org, invitation_id=invitation.pk)

    assert not Invitation.objects.filter(pk=invitation.pk).exists()
    with pytest.raises(services.ServiceError, match="withdrawn"):
        services.invitation_from_token(token)


def test_it_refuses_an_accepted_invitation_saying_what_to_do_instead(acme):
    invitation = invite(acme)
    membership = accept(invitation)

    with pytest.raises(services.ServiceError, match="already accepted this invitation; remove them under Members"):
        services.invitation_revoke(org=acme.org, invitation_id=invitation.pk)

    assert Invitation.objects.filter(pk=invitation.pk).exists()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_another_organisations_invitation_does_not_exist_for_it(acme, globex):
    theirs = invite(globex)

    with pytest.raises(Invitation.DoesNotExist):
        services.invitation_revoke(org=acme.org, invitation_id=theirs.pk)

    assert Invitation.objects.filter(pk=theirs.pk).exists()


def test_the_withdraw_button_revokes_and_says_so(acme):
    invitation = invite(acme)

    response = acme.client.post(revoke_url(acme, invitation))

    assert response.status_code == 302 and response["Location"] == f"/o/{acme.org.slug}/settings/"
    assert flashes(response) == ["Invitation withdrawn."]
    assert not Invitation.objects.exists()
    assert "No pending invitations." in acme.client.get(response["Location"]).content.decode()


def test_withdrawing_an_invitation_accepted_meanwhile_explains_and_keeps_it(acme):
    invitation = invite(acme)
    accept(invitation)

    response = acme.client.post(revoke_url(acme, invitation))

    assert response.status_code == 302
    assert flashes(response) == [
        "colleague@example.com has already accepted this invitation; remove them under Members if they should go."
    ]
    assert Invitation.objects.filter(pk=invitation.pk).exists()


def test_a_recruiter_cannot_withdraw_and_another_organisation_gets_404(acme, globex):
    invitation = invite(acme)
    recruiter = MembershipFactory(organization=acme.org, role="recruiter")
    acme.client.force_login(recruiter.user)

    assert acme.client.post(revoke_url(acme, invitation)).status_code == 403  # a member: not allowed, not hidden
    assert globex.client.post(revoke_url(acme, invitation)).status_code == 404
    assert globex.client.post(revoke_url(globex, invitation)).status_code == 404
    assert Invitation.objects.filter(pk=invitation.pk).exists()
