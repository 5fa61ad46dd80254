"""Message templates' write path (`messaging.template_services`), and the pages and API that call it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from messaging.models import MessageTemplate
from messaging.services import MessagingError
from messaging.template_services import (
    UNSHARE_REFUSED,
    template_archive,
    template_create,
    template_restore,
    template_update,
)
from talentcircles.services import api_token_create
from tests.factories import MembershipFactory, MessageTemplateFactory

pytestmark = pytest.mark.django_db
API = "/api/v1/templates/"


@pytest.fixture
def colleague(acme):
    return MembershipFactory(organization=acme.org).user


def _api(tenant) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {api_token_create(membership=tenant.membership, name='t').key}")


def _page(tenant, name: str, *args) -> str:
    return reverse(name, args=[tenant.org.slug, *args])


# --- The services --------------------------------------------------------------------------------


def test_create_makes_the_actor_the_owner_and_checks_the_tokens(acme):
    template = template_create(org=acme.org, actor=acme.user, name=" Intro ", subject="Hi", body="Hello there")
    assert (template.organization, template.owner, template.name, template.is_shared) == (
        acme.org,
        acme.user,
        "Intro",
        True,
    )

    with pytest.raises(MessagingError) as refused:
        template_create(org=acme.org, actor=acme.user, name="Bad", subject="Hi", body="{{ candidate.salary }}")
    assert refused.value.field == "body" and "candidate.salary" in refused.value.message
    with pytest.raises(ValidationError) as unnamed:
        template_create(org=acme.org, actor=acme.user, name="  ", subject="Hi", body="Hello")
    assert "name" in unnamed.value.message_dict
    assert MessageTemplate.objects.count() == 1


def test_update_changes_only_the_fields_given(acme):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, name="Old")
    updated = template_update(org=acme.org, actor=acme.user, template=template, name="New")
    assert (updated.name, updated.subject, updated.body) == ("New", template.subject, template.body)
    assert updated.updated_at > template.updated_at

    with pytest.raises(MessagingError) as refused:
        template_update(org=acme.org, actor=acme.user, template=template, subject="One\ntwo")
    assert refused.value.field == "subject"


def test_only_the_owner_makes_a_shared_template_personal(acme, colleague):
    theirs = MessageTemplateFactory(organization=acme.org, owner=colleague, is_shared=True)
    ownerless = MessageTemplateFactory(organization=acme.org, owner=None, is_shared=True)
    for template in (theirs, ownerless):
        with pytest.raises(MessagingError) as refused:
            template_update(org=acme.org, actor=acme.user, template=template, is_shared=False)
        assert (refused.value.field, refused.value.message) == ("is_shared", UNSHARE_REFUSED)
        # Anything else about a shared template is everyone's to change.
        assert template_update(org=acme.org, actor=acme.user, template=template, name="Team").name == "Team"

    mine = template_update(org=acme.org, actor=colleague, template=theirs, is_shared=False)
    assert mine.is_shared is False


def test_archive_keeps_its_first_date_and_restore_brings_it_back(acme):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)
    archived = template_archive(org=acme.org, actor=acme.user, template=template)
    again = template_archive(org=acme.org, actor=acme.user, template=template)
    assert archived.archived_at is not None and again.archived_at == archived.archived_at

    assert template_restore(org=acme.org, actor=acme.user, template=template).archived_at is None
    assert template_restore(org=acme.org, actor=acme.user, template=template).archived_at is None


@pytest.mark.parametrize("write", [template_update, template_archive, template_restore])
def test_another_organisations_or_a_colleagues_personal_template_is_not_found(acme, globex, colleague, write):
    theirs = MessageTemplateFactory(organization=globex.org, owner=globex.user)
    personal = MessageTemplateFactory(organization=acme.org, owner=colleague, is_shared=False)
    for template in (theirs, personal):
        with pytest.raises(MessageTemplate.DoesNotExist):
            write(org=acme.org, actor=acme.user, template=template)


# --- The pages and the API go through them -------------------------------------------------------


def test_the_edit_page_refuses_to_make_a_colleagues_shared_template_personal(acme, colleague):
    template = MessageTemplateFactory(organization=acme.org, owner=colleague, is_shared=True, name="Team")

    response = acme.client.post(_page(acme, "template_edit", template.pk), {"name": "Mine", "subject": "Hi",
                                                                            "body": "Hello"})  # fmt: skip

    assert response.status_code == 400
    assert response.context["form"].errors["is_shared"] == [UNSHARE_REFUSED]
    template.refresh_from_db()
    assert (template.name, template.is_shared) == ("Team", True)


def test_the_api_refuses_to_make_a_colleagues_shared_template_personal(acme, colleague):
    template = MessageTemplateFactory(organization=acme.org, owner=colleague, is_shared=True)

    response = _api(acme).patch(f"{API}{template.pk}/", {"is_shared": False}, content_type="application/json")

    assert (response.status_code, response.json()) == (400, {"is_shared": [UNSHARE_REFUSED]})
    template.refresh_from_db()
    assert template.is_shared is True


def test_the_page_and_the_api_archive_and_restore(acme):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)
    client = _api(acme)

    assert acme.client.post(_page(acme, "template_archive", template.pk)).status_code == 302
    template.refresh_from_db()
    assert template.archived_at is not None
    assert acme.client.post(_page(acme, "template_archive", template.pk)).status_code == 302
    template.refresh_from_db()
    assert template.archived_at is None

    archived = client.patch(f"{API}{template.pk}/", {"archived": True}, content_type="application/json")
    assert archived.status_code == 200 and archived.json()["archived"] is True
    restored = client.put(
        f"{API}{template.pk}/",
        {"name": "Back", "subject": "Hi", "body": "Hello", "archived": False},
        content_type="application/json",
    )
    assert restored.status_code == 200 and (restored.json()["archived"], restored.json()["name"]) == (False, "Back")


def test_the_api_creates_an_archived_template_when_asked(acme):
    response = _api(acme).post(
        API, {"name": "Later", "subject": "Hi", "body": "Hello", "archived": True}, content_type="application/json"
    )
    assert response.status_code == 201 and response.json()["archived"] is True
    assert MessageTemplate.objects.get().archived_at is not None


def test_another_organisations_archived_template_cannot_be_restored(acme, globex):
    theirs = MessageTemplateFactory(organization=globex.org, owner=globex.user)
    template_archive(org=globex.org, actor=globex.user, template=theirs)

    assert acme.client.post(_page(acme, "template_archive", theirs.pk)).status_code == 404
    patched = _api(acme).patch(f"{API}{theirs.pk}/", {"archived": False}, content_type="application/json")
    assert patched.status_code == 404
    theirs.refresh_from_db()
    assert theirs.archived_at is not None
