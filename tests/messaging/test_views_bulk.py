"""Bulk compose: from a selection, from "all matching" the list's filters and from a circle; preview, then send."""

from __future__ import annotations

import pytest
from django.urls import reverse

from candidates.privacy import candidate_unsubscribe
from engagement.circles.models import CircleMembership, CircleOutreach
from messaging.models import Message, Thread
from tests.factories import CandidateFactory, CircleFactory, MessageTemplateFactory

pytestmark = pytest.mark.django_db
BODY = (
    'Hi {{ candidate.first_name }}, your work as {{ candidate.current_title|default:"an engineer" }} at '
    '{{ candidate.current_company|default:"your company" }} caught my eye. We are building a payments platform '
    "and would love your view on it. Would you be open to a short call next week?"
)


def url(tenant, name, *args, query: str = "") -> str:
    path = reverse(name, args=[tenant.org.slug, *args])
    return f"{path}?{query}" if query else path


def draft_key(response) -> str:
    assert response.status_code == 302, response.content[:500]
    return response["Location"].rstrip("/").split("/")[-1]


def people(tenant, count, **fields):
    return [
        CandidateFactory(
            organization=tenant.org, first_name=f"P{i}", current_title="Engineer", current_company=f"Co{i}", **fields
        )
        for i in range(count)
    ]


def compose(tenant, key, **fields):
    data = {"action": "preview", "subject": "Payments at {{ organization.name }}", "body": BODY} | fields
    return tenant.client.post(url(tenant, "bulk_compose", key), data)


def test_a_selection_is_previewed_per_recipient_with_skips_and_then_sent(acme):
    ready = people(acme, 2)
    gone = CandidateFactory(organization=acme.org, first_name="Gone", current_company="X", current_title="Y")
    candidate_unsubscribe(candidate=gone, source="recruiter")
    nomail = CandidateFactory(organization=acme.org, first_name="Nomail", email="")
    selected = [c.pk for c in [*ready, gone, nomail]]

    key = draft_key(acme.client.post(url(acme, "bulk_start"), {"selected": selected, "query": ""}))
    page = acme.client.get(url(acme, "bulk_compose", key))
    assert page.status_code == 200 and page.context["total"] == 4
    assert "4 selected candidates" in page.content.decode()

    preview = compose(acme, key)
    assert preview.status_code == 302 and preview["Location"] == url(acme, "bulk_preview", key)
    response = acme.client.get(preview["Location"])
    assert response.status_code == 200
    states = {row["candidate"].pk: row["state"] for row in response.context["rows"]}
    assert states == {ready[0].pk: "ready", ready[1].pk: "ready", gone.pk: "skipped", nomail.pk: "skipped"}
    body = response.content.decode()
    assert "Unsubscribed from all messages" in body and "No e-mail address" in body
    assert "Hi P0, your work as Engineer at Co0" in body
    reasons = [["no_email", "No e-mail address", 1], ["unsubscribed", "Unsubscribed from all messages", 1]]
    assert response.context["summary"] == {
        "total": 4, "exact": True, "ready": 2, "skipped": 2, "failed": 0, "held": 0, "reasons": reasons,
    }  # fmt: skip
    assert "Send 2 messages" in body
    assert not Message.objects.exists()

    sent = acme.client.post(url(acme, "bulk_send", key))
    assert sent.status_code == 302
    assert set(Thread.objects.values_list("candidate_id", flat=True)) == {ready[0].pk, ready[1].pk}
    assert Message.objects.filter(status=Message.Status.QUEUED).count() == 2
    assert Thread.objects.filter(origin=Thread.Origin.BULK).count() == 2
    # The draft is gone: sending again does nothing.
    again = acme.client.post(url(acme, "bulk_send", key))
    assert again.status_code == 302 and Message.objects.count() == 2


def test_all_matching_uses_the_lists_filters(acme):
    tagged = people(acme, 3, industry="Computer Software")
    other = CandidateFactory(organization=acme.org, industry="Banking")
    query = "industry=Computer+Software"

    key = draft_key(
        acme.client.post(url(acme, "bulk_start"), {"all_matching": "on", "query": query, "selected": [other.pk]})
    )
    assert compose(acme, key)["Location"] == url(acme, "bulk_preview", key)
    response = acme.client.get(url(acme, "bulk_preview", key))

    assert {row["candidate"].pk for row in response.context["rows"]} == {c.pk for c in tagged}
    assert "all 3 candidates matching" in response.content.decode()


def test_a_circle_is_messaged_with_its_name_filled_in(acme):
    circle = CircleFactory(organization=acme.org, name="Rustaceans")
    members = people(acme, 2)
    for member in members:
        CircleMembership.objects.create(circle=circle, candidate=member, joined_via="recruiter")
    people(acme, 1)  # not in the circle

    key = draft_key(acme.client.get(url(acme, "bulk_start", query=f"circle={circle.pk}")))
    response = compose(acme, key, subject="News for {{ circle.name }}")
    preview = acme.client.get(response["Location"])

    assert {row["candidate"].pk for row in preview.context["rows"]} == {m.pk for m in members}
    assert preview.context["rows"][0]["recipient"].subject == "News for Rustaceans"
    acme.client.post(url(acme, "bulk_send", key))
    threads = set(Thread.objects.values_list("pk", flat=True))
    assert len(threads) == 2
    assert set(CircleOutreach.objects.values_list("thread_id", "circle_id")) == {(pk, circle.pk) for pk in threads}


def test_render_errors_and_low_scores_are_listed_not_sent(acme):
    acme.org.bulk_min_score = 95
    acme.org.save(update_fields=["bulk_min_score"])
    filled = people(acme, 1)[0]
    blank = CandidateFactory(organization=acme.org, first_name="Blank", current_company="")

    key = draft_key(acme.client.post(url(acme, "bulk_start"), {"selected": [filled.pk, blank.pk]}))
    compose(acme, key, body="Hello from {{ candidate.current_company }}! Great opportunity.")
    response = acme.client.get(url(acme, "bulk_preview", key))

    states = {row["candidate"].pk: row for row in response.context["rows"]}
    assert states[blank.pk]["state"] == "failed"
    assert "candidate.current_company" in states[blank.pk]["recipient"].problem
    assert states[filled.pk]["state"] == "held"
    assert "at least 95" in response.content.decode()
    acme.client.post(url(acme, "bulk_send", key))
    assert not Message.objects.exists()


def test_form_errors_are_shown_and_a_bad_selection_is_refused(acme):
    candidate = people(acme, 1)[0]
    key = draft_key(acme.client.post(url(acme, "bulk_start"), {"selected": [candidate.pk]}))

    unknown = compose(acme, key, body="Hi {{ candidate.salary }}")
    assert unknown.status_code == 400
    assert "candidate.salary" in " ".join(unknown.context["form"].errors["body"])
    too_long = compose(acme, key, body="x" * 50_001)
    assert "50,000" in " ".join(too_long.context["form"].errors["body"])

    bad_filter = acme.client.post(
        url(acme, "bulk_start"), {"all_matching": "on", "query": "industry=Nope"}, follow=True
    )
    assert "The filters are not valid any more" in bad_filter.content.decode()
    nothing = acme.client.post(url(acme, "bulk_start"), {"query": ""}, follow=True)
    assert "Select at least one candidate" in nothing.content.decode()
    # Preview before composing goes back to the composer.
    assert acme.client.get(url(acme, "bulk_preview", key))["Location"] == url(acme, "bulk_compose", key)


def test_a_template_can_be_loaded_into_the_bulk_composer(acme):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)
    candidate = people(acme, 1)[0]
    key = draft_key(acme.client.post(url(acme, "bulk_start"), {"selected": [candidate.pk]}))

    loaded = acme.client.post(url(acme, "bulk_compose", key), {"action": "load", "template": template.pk})

    assert loaded.status_code == 200 and loaded.context["form"].initial["body"] == template.body


def test_the_preview_is_paginated(acme):
    people(acme, 30)
    key = draft_key(acme.client.post(url(acme, "bulk_start"), {"all_matching": "on", "query": ""}))
    compose(acme, key)

    first = acme.client.get(url(acme, "bulk_preview", key))
    second = acme.client.get(url(acme, "bulk_preview", key, query="page=2"))

    assert len(first.context["rows"]) == 25 and len(second.context["rows"]) == 5
    assert first.context["summary"]["ready"] == 30


def test_another_organisations_circle_candidates_and_drafts_are_404(acme, globex):
    circle = CircleFactory(organization=globex.org)
    theirs = CandidateFactory(organization=globex.org)
    assert acme.client.get(url(acme, "bulk_start", query=f"circle={circle.pk}")).status_code == 404
    # Their ids in a selection match nobody here.
    key = draft_key(acme.client.post(url(acme, "bulk_start"), {"selected": [theirs.pk]}))
    assert acme.client.get(url(acme, "bulk_compose", key)).context["total"] == 0
    # A draft made in globex cannot be used from acme, even by the same session.
    key = draft_key(globex.client.post(url(globex, "bulk_start"), {"selected": [theirs.pk]}))
    for name in ("bulk_compose", "bulk_preview", "bulk_send"):
        assert acme.client.get(url(acme, name, key)).status_code in (404, 405)
        assert globex.client.get(url(acme, name, key)).status_code == 404
    assert acme.client.post(url(acme, "bulk_compose", "nope"), {}).status_code == 404
