"""Roles beyond the matrix (issue #21): whose candidates a recruiter may delete, tokens that follow
their member's role or are read-only, role changes and invitations with a role, per-action bulk rules,
and what the pages show each role."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from candidates.models import Candidate
from talentcircles import services
from talentcircles.audit.models import AuditEntry
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.models import ApiToken, Membership
from talentcircles.permissions import Capability, for_method
from tests.factories import CandidateFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def member(tenant, role: str, email: str) -> Membership:
    return MembershipFactory(organization=tenant.org, role=role, user=UserFactory(email=email))


def token_client(membership: Membership, *, read_only: bool = False) -> Client:
    issued = services.api_token_create(membership=membership, name="script", read_only=read_only)
    return Client(HTTP_AUTHORIZATION=f"Token {issued.key}")


def signed_in(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    return client


# --- The reported bug: a recruiter's token deleted a colleague's candidate ---------------------


def test_a_recruiters_token_cannot_delete_another_recruiters_candidate(acme):
    rita, sam = member(acme, "recruiter", "rita@example.com"), member(acme, "recruiter", "sam@example.com")
    sams = CandidateFactory(organization=acme.org, owner=sam.user)

    response = token_client(rita).delete(reverse("api-candidate-detail", args=[sams.pk]))

    assert response.status_code == 403
    assert "only candidates you own" in response.json()["detail"]
    assert Candidate.objects.filter(pk=sams.pk).exists()


def test_a_recruiter_deletes_their_own_candidate_and_an_admin_anyones(acme):
    rita = member(acme, "recruiter", "rita@example.com")
    ritas, nobodys = CandidateFactory(organization=acme.org, owner=rita.user), CandidateFactory(organization=acme.org)

    assert token_client(rita).delete(reverse("api-candidate-detail", args=[ritas.pk])).status_code == 204
    assert token_client(rita).delete(reverse("api-candidate-detail", args=[nobodys.pk])).status_code == 403
    assert token_client(acme.membership).delete(reverse("api-candidate-detail", args=[nobodys.pk])).status_code == 204
    assert not Candidate.objects.filter(pk__in=[ritas.pk, nobodys.pk]).exists()


def test_on_the_pages_a_recruiter_can_neither_delete_nor_erase_a_colleagues_candidate(acme):
    rita, sam = member(acme, "recruiter", "rita@example.com"), member(acme, "recruiter", "sam@example.com")
    sams = CandidateFactory(organization=acme.org, owner=sam.user, first_name="Sally")
    client = signed_in(rita)

    for name in ("candidate_delete", "candidate_erase"):
        url = reverse(name, args=[acme.org.slug, sams.pk])
        assert client.get(url).status_code == 403
        refused = client.post(url)
        assert refused.status_code == 403 and "only candidates you own" in refused.content.decode()
    sams.refresh_from_db()
    assert sams.first_name == "Sally" and sams.erased_at is None
    assert signed_in(sam).post(reverse("candidate_delete", args=[acme.org.slug, sams.pk])).status_code == 302
    assert not Candidate.objects.filter(pk=sams.pk).exists()


def test_a_colleagues_candidate_of_another_organisation_is_still_404(acme, globex):
    theirs = CandidateFactory(organization=globex.org, owner=globex.user)
    rita = member(acme, "recruiter", "rita@example.com")
    assert token_client(rita).delete(reverse("api-candidate-detail", args=[theirs.pk])).status_code == 404
    assert signed_in(rita).post(reverse("candidate_delete", args=[acme.org.slug, theirs.pk])).status_code == 404


# --- Tokens follow their member's role; read-only tokens only read ----------------------------


def test_a_token_follows_its_member_when_their_role_is_lowered(acme):
    rita = member(acme, "recruiter", "rita@example.com")
    client = token_client(rita)
    create = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com"}
    assert client.post(reverse("api-candidate-list"), create, content_type="application/json").status_code == 201

    services.membership_set_role(org=acme.org, membership_id=rita.pk, role="read_only")

    again = {**create, "email": "ada2@example.com"}
    refused = client.post(reverse("api-candidate-list"), again, content_type="application/json")
    assert refused.status_code == 403 and "Read-only (hiring manager)" in refused.json()["detail"]
    assert client.get(reverse("api-candidate-list")).status_code == 200
    assert not Candidate.objects.filter(email="ada2@example.com").exists()


def test_an_admins_read_only_token_reads_but_every_write_is_refused(acme):
    client = token_client(acme.membership, read_only=True)
    ada = CandidateFactory(organization=acme.org)
    assert client.get(reverse("api-candidate-detail", args=[ada.pk])).status_code == 200
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(reverse("api-candidate-detail", args=[ada.pk]), {}, "application/json")
        assert response.status_code == 403, method
        assert response.json()["detail"].startswith("This API token is read-only")
    assert Candidate.objects.filter(pk=ada.pk).exists()
    body = client.get(reverse("api_organization")).json()
    assert (body["role"], body["token_read_only"], body["capabilities"]) == ("admin", True, ["view"])


def test_the_tokens_page_creates_a_read_only_token_and_shows_its_scope(acme):
    url = reverse("api_tokens", args=[acme.org.slug])
    assert acme.client.post(url, {"name": "BI export", "read_only": "on"}).status_code == 302
    token = ApiToken.objects.get(name="BI export")
    assert token.read_only
    page = acme.client.get(url).content.decode()
    assert "<td>Read-only</td>" in page and "with your role (Admin)" in page


def test_every_role_manages_its_own_tokens(acme):
    viewer = member(acme, "read_only", "hm@example.com")
    client = signed_in(viewer)
    assert client.post(reverse("api_tokens", args=[acme.org.slug]), {"name": "dashboards"}).status_code == 302
    assert ApiToken.objects.get(name="dashboards").membership == viewer


# --- Role management -----------------------------------------------------------------------------


def role_url(tenant, membership: Membership) -> str:
    return reverse("member_role", args=[tenant.org.slug, membership.pk])


def test_an_admin_changes_a_members_role(acme):
    rita = member(acme, "recruiter", "rita@example.com")
    response = acme.client.post(role_url(acme, rita), {"role": "coordinator"}, follow=True)
    rita.refresh_from_db()
    assert rita.role == "coordinator"
    assert " is now Coordinator." in response.content.decode()
    entry = AuditEntry.objects.get(organization_id=acme.org.pk, action="role_changed")
    assert (entry.actor_id, entry.target_id, entry.changes) == (
        acme.user.pk,
        rita.pk,
        {"role": ["recruiter", "coordinator"]},
    )


def test_the_last_admin_cannot_be_demoted_and_is_told_why(acme):
    response = acme.client.post(role_url(acme, acme.membership), {"role": "recruiter"}, follow=True)
    acme.membership.refresh_from_db()
    assert acme.membership.role == "admin"
    assert "is the only admin: make someone else admin first" in response.content.decode()
    # With a second admin, the first can step down.
    member(acme, "admin", "second@example.com")
    acme.client.post(role_url(acme, acme.membership), {"role": "read_only"})
    acme.membership.refresh_from_db()
    assert acme.membership.role == "read_only"


def test_only_admins_change_roles_and_another_organisation_gets_404(acme, globex):
    rita = member(acme, "recruiter", "rita@example.com")
    assert signed_in(rita).post(role_url(acme, rita), {"role": "admin"}).status_code == 403
    assert globex.client.post(role_url(acme, rita), {"role": "admin"}).status_code == 404
    assert globex.client.post(role_url(globex, rita), {"role": "admin"}).status_code == 404
    rita.refresh_from_db()
    assert rita.role == "recruiter"


def test_an_unknown_role_is_refused_with_a_message(acme):
    rita = member(acme, "recruiter", "rita@example.com")
    response = acme.client.post(role_url(acme, rita), {"role": "owner"}, follow=True)
    rita.refresh_from_db()
    assert rita.role == "recruiter" and "Select a valid choice" in response.content.decode()


def test_an_invitation_carries_its_role(acme):
    invite = {"email": "hm@example.com", "role": "read_only"}
    assert acme.client.post(reverse("invitation_create", args=[acme.org.slug]), invite).status_code == 302
    invitation = acme.org.invitations.get(email="hm@example.com")
    invited = UserFactory(email="hm@example.com")
    membership = services.invitation_accept(token=services.invitation_token(invitation), user=invited)
    assert membership.role == "read_only"


# --- Bulk actions check each action; pages hide what a role cannot use -------------------------


def test_a_coordinator_tags_in_bulk_but_cannot_export_or_reassign(acme):
    coordinator = member(acme, "coordinator", "co@example.com")
    ada = CandidateFactory(organization=acme.org)
    client, url = signed_in(coordinator), reverse("candidate_bulk", args=[acme.org.slug])

    assert client.post(url, {"action": "tag", "tags": "shortlist", "selected": [ada.pk]}).status_code == 302
    assert list(ada.tags.values_list("name", flat=True)) == ["shortlist"]
    export = client.post(url, {"action": "export", "selected": [ada.pk]})
    assert export.status_code == 403 and "export contact data" in export.content.decode()
    assert client.post(url, {"action": "owner", "owner": coordinator.user.pk, "selected": [ada.pk]}).status_code == 403
    ada.refresh_from_db()
    assert ada.owner is None


def test_a_read_only_member_sees_no_settings_link_and_no_bulk_or_delete_buttons(acme):
    viewer = signed_in(member(acme, "read_only", "hm@example.com"))
    ada = CandidateFactory(organization=acme.org, owner=acme.user)
    home = viewer.get(reverse("candidate_list", args=[acme.org.slug])).content.decode()
    assert f'href="{reverse("org_settings", args=[acme.org.slug])}"' not in home
    assert 'id="bulk-action"' not in home and 'id="export-csv"' not in home
    detail = viewer.get(reverse("candidate_detail", args=[acme.org.slug, ada.pk])).content.decode()
    assert reverse("candidate_delete", args=[acme.org.slug, ada.pk]) not in detail
    assert reverse("candidate_edit", args=[acme.org.slug, ada.pk]) not in detail
    assert "data-setup-checklist" not in viewer.get(reverse("org_home", args=[acme.org.slug])).content.decode()
    # The admin sees them all.
    assert "data-setup-checklist" in acme.client.get(reverse("org_home", args=[acme.org.slug])).content.decode()
    admin_detail = acme.client.get(reverse("candidate_detail", args=[acme.org.slug, ada.pk])).content.decode()
    assert reverse("candidate_delete", args=[acme.org.slug, ada.pk]) in admin_detail


def test_the_timeline_offers_notes_and_stages_only_to_roles_that_may_use_them(acme):
    ada = CandidateFactory(organization=acme.org)
    url = reverse("candidate_timeline", args=[acme.org.slug, ada.pk])
    viewer = signed_in(member(acme, "read_only", "hm@example.com")).get(url).content.decode()
    coordinator = signed_in(member(acme, "coordinator", "co@example.com")).get(url).content.decode()
    assert 'id="note-form"' not in viewer and 'id="stage-form"' not in viewer
    assert 'id="note-form"' in coordinator and 'id="stage-form"' in coordinator


def test_a_page_still_marked_admin_only_needs_manage_settings():
    class Retention(OrgMemberRequiredMixin):
        admin_only = True

    assert for_method(Retention, "GET") == for_method(Retention, "POST") == Capability.MANAGE_SETTINGS
