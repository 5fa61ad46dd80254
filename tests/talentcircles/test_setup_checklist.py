"""The getting-started checklist on a new organisation's home page ticks itself off, step by step."""

from __future__ import annotations

from datetime import time

import pytest

from talentcircles import services
from talentcircles.checklist import setup_checklist
from talentcircles.models import Organization
from tests.factories import CandidateFactory, CircleFactory, MembershipFactory, MessageTemplateFactory

pytestmark = pytest.mark.django_db

STEPS = ["candidates", "circle", "template", "colleague", "send_window"]


def done_steps(org: Organization) -> list[str]:
    checklist = setup_checklist(Organization.objects.get(pk=org.pk))
    assert checklist is not None
    return [step.key for step in checklist.steps if step.done]


def test_a_new_organisation_sees_every_step_open_with_a_link_to_do_it(acme):
    response = acme.client.get(f"/o/{acme.org.slug}/")
    page = response.content.decode()
    assert [step.key for step in response.context["checklist"].steps] == STEPS
    assert "0 of 5 done" in page
    assert f'href="/o/{acme.org.slug}/candidates/imports/new/"' in page
    assert f'href="/o/{acme.org.slug}/circles/new/"' in page
    assert f'href="/o/{acme.org.slug}/messages/templates/new/"' in page


def test_each_step_ticks_itself_off_and_the_list_goes_when_all_are_done(acme):
    CandidateFactory(organization=acme.org)
    assert done_steps(acme.org) == ["candidates"]
    CircleFactory(organization=acme.org)
    MessageTemplateFactory(organization=acme.org, owner=acme.user)
    assert done_steps(acme.org) == ["candidates", "circle", "template"]
    services.invitation_create(org=acme.org, email="colleague@example.com", role="recruiter", invited_by=acme.user)
    assert done_steps(acme.org) == ["candidates", "circle", "template", "colleague"]
    services.organization_update(org=acme.org, send_window_start=time(8, 0), send_window_end=time(17, 0))

    assert setup_checklist(Organization.objects.get(pk=acme.org.pk)) is None
    response = acme.client.get(f"/o/{acme.org.slug}/")
    assert response.context["checklist"] is None
    assert b"data-setup-checklist" not in response.content


def test_a_second_member_counts_as_a_colleague_invited():
    org = MembershipFactory().organization
    assert "colleague" not in done_steps(org)
    MembershipFactory(organization=org)
    assert "colleague" in done_steps(org)


def test_another_organisations_data_ticks_nothing(acme, globex):
    CandidateFactory(organization=globex.org)
    CircleFactory(organization=globex.org)
    MessageTemplateFactory(organization=globex.org, owner=globex.user)
    services.invitation_create(org=globex.org, email="x@example.com", role="recruiter", invited_by=globex.user)
    services.organization_update(org=globex.org, send_window_start=time(7, 0), send_window_end=time(15, 0))
    assert done_steps(acme.org) == []


def test_a_refused_send_window_is_not_set(acme):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.organization_update(org=acme.org, send_window_start=time(18, 0), send_window_end=time(9, 0))
    assert "send_window" not in done_steps(acme.org)


def test_dismissing_hides_it_for_the_organisation(acme):
    response = acme.client.post(f"/o/{acme.org.slug}/checklist/dismiss/")
    assert response.status_code == 302 and response["Location"] == f"/o/{acme.org.slug}/"
    assert acme.client.get(f"/o/{acme.org.slug}/").context["checklist"] is None


def test_it_rejects_other_organisations(acme, globex):
    response = globex.client.post(f"/o/{acme.org.slug}/checklist/dismiss/")
    assert response.status_code == 404
    assert Organization.objects.get(pk=acme.org.pk).setup_checklist_dismissed_at is None


def test_dismissing_takes_a_post(acme):
    assert acme.client.get(f"/o/{acme.org.slug}/checklist/dismiss/").status_code == 405


def test_the_checklist_costs_the_home_page_one_query(acme, django_assert_max_num_queries):
    CandidateFactory.create_batch(5, organization=acme.org)
    url = f"/o/{acme.org.slug}/"
    acme.client.get(url)  # the session's first visit stores the organisation; count a later one
    with django_assert_max_num_queries(13) as shown:
        assert acme.client.get(url).context["checklist"] is not None
    services.organization_dismiss_checklist(org=acme.org)
    with django_assert_max_num_queries(13) as hidden:
        assert acme.client.get(url).context["checklist"] is None
    assert len(shown.captured_queries) - len(hidden.captured_queries) == 1
