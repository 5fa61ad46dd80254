"""Template pages: list (shared and mine, archived apart), create and edit with token checks, archive, preview."""

from __future__ import annotations

import pytest
from django.urls import reverse

from candidates import search
from messaging.models import MessageTemplate
from tests.factories import CandidateFactory, MembershipFactory, MessageTemplateFactory

pytestmark = pytest.mark.django_db


def url(tenant, name, *args, query: str = "") -> str:
    path = reverse(name, args=[tenant.org.slug, *args])
    return f"{path}?{query}" if query else path


def test_the_list_shows_shared_and_my_templates_not_a_colleagues_personal_ones(acme):
    colleague = MembershipFactory(organization=acme.org).user
    shared = MessageTemplateFactory(organization=acme.org, owner=colleague, name="Team intro")
    mine = MessageTemplateFactory(organization=acme.org, owner=acme.user, is_shared=False, name="My intro")
    MessageTemplateFactory(organization=acme.org, owner=colleague, is_shared=False, name="Their secret")

    response = acme.client.get(url(acme, "template_list"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [mine, shared]
    assert "Their secret" not in response.content.decode()


def test_the_list_has_an_empty_state_and_an_archived_tab(acme):
    assert b'id="templates-empty"' in acme.client.get(url(acme, "template_list")).content
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)

    archived = acme.client.post(url(acme, "template_archive", template.pk))
    assert archived.status_code == 302
    template.refresh_from_db()
    assert template.archived_at is not None
    assert list(acme.client.get(url(acme, "template_list")).context["page"].object_list) == []
    assert list(acme.client.get(url(acme, "template_list", query="archived=1")).context["page"].object_list) == [
        template
    ]

    acme.client.post(url(acme, "template_archive", template.pk))
    template.refresh_from_db()
    assert template.archived_at is None


def test_the_list_runs_the_same_number_of_queries_for_a_few_or_many(acme, django_assert_max_num_queries):
    MessageTemplateFactory.create_batch(2, organization=acme.org, owner=acme.user)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        acme.client.get(url(acme, "template_list"))
    MessageTemplateFactory.create_batch(30, organization=acme.org, owner=acme.user)
    with django_assert_max_num_queries(len(few)):
        acme.client.get(url(acme, "template_list"))


def test_it_creates_a_template_owned_by_the_author(acme):
    page = acme.client.get(url(acme, "template_create"))
    assert page.status_code == 200 and "candidate.current_company" in page.content.decode()

    response = acme.client.post(
        url(acme, "template_create"),
        {"name": "Intro", "subject": "Hello {{ candidate.first_name }}", "body": "Hi!", "is_shared": "on"},
    )

    assert response.status_code == 302
    template = MessageTemplate.objects.get()
    assert template.organization == acme.org and template.owner == acme.user and template.is_shared


@pytest.mark.parametrize(
    ("field", "text", "named"),
    [
        ("body", "Hi {{ candidate.salary }}", "candidate.salary"),
        ("subject", "Hi {{ candidate.first_name ", "}}"),
        ("body", "{% if x %}hi{% endif %}", "{%"),
    ],
)
def test_token_errors_are_field_errors_and_nothing_is_written(acme, field, text, named):
    data = {"name": "Bad", "subject": "Hello", "body": "Hi"} | {field: text}
    response = acme.client.post(url(acme, "template_create"), data)

    assert response.status_code == 400
    assert named in " ".join(response.context["form"].errors[field])
    assert not MessageTemplate.objects.exists()


def test_an_oversized_body_is_refused(acme):
    response = acme.client.post(url(acme, "template_create"), {"name": "Big", "subject": "Hi", "body": "x" * 50_001})
    assert response.status_code == 400
    assert "50,000" in " ".join(response.context["form"].errors["body"])


def test_it_edits_a_template(acme):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)
    form = acme.client.get(url(acme, "template_edit", template.pk))
    assert form.status_code == 200

    response = acme.client.post(
        url(acme, "template_edit", template.pk), {"name": "Renamed", "subject": "New", "body": "Hello"}
    )

    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.name, template.subject, template.is_shared) == ("Renamed", "New", False)


def test_the_preview_renders_for_a_candidate_with_score_and_findings(acme):
    ana = CandidateFactory(
        organization=acme.org, first_name="Ana", last_name="Silva", current_title="Staff Engineer", email="a@x.net"
    )
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)

    search.refresh([ana.pk])
    found = acme.client.get(url(acme, "template_preview", template.pk, query="q=Silva"))
    assert [c.pk for c in found.context["found"]] == [ana.pk]
    response = acme.client.get(url(acme, "template_preview", template.pk, query=f"candidate={ana.pk}"))

    assert response.status_code == 200
    draft = response.context["draft"]
    assert draft.subject == "A role at Acme Inc" and draft.body.startswith("Hi Ana,")
    assert "Staff Engineer caught my eye" in response.content.decode()
    assert 'id="check-score"' in response.content.decode()


def test_the_preview_names_a_missing_token(acme):
    bo = CandidateFactory(organization=acme.org, first_name="Bo", last_name="Berg", current_company="")
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, body="At {{ candidate.current_company }}")

    response = acme.client.get(url(acme, "template_preview", template.pk, query=f"candidate={bo.pk}"))

    assert response.status_code == 200
    assert "candidate.current_company" in response.context["draft"].errors["body"]
    assert "Bo Berg" in response.content.decode()


def test_another_organisations_or_a_colleagues_personal_template_is_404(acme, globex):
    theirs = MessageTemplateFactory(organization=globex.org, owner=globex.user)
    colleague = MembershipFactory(organization=acme.org).user
    private = MessageTemplateFactory(organization=acme.org, owner=colleague, is_shared=False)
    outsider = CandidateFactory(organization=globex.org)
    own = MessageTemplateFactory(organization=acme.org, owner=acme.user)

    for template in (theirs, private):
        assert acme.client.get(url(acme, "template_edit", template.pk)).status_code == 404
        assert acme.client.post(url(acme, "template_edit", template.pk), {"name": "x"}).status_code == 404
        assert acme.client.post(url(acme, "template_archive", template.pk)).status_code == 404
        assert acme.client.get(url(acme, "template_preview", template.pk)).status_code == 404
    assert acme.client.get(url(acme, "template_preview", own.pk, query=f"candidate={outsider.pk}")).status_code == 404
    theirs.refresh_from_db()
    assert theirs.archived_at is None and theirs.name != "x"
