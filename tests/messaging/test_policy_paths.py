"""Every messaging path asks the contact policy: one-to-one compose (warning, override recorded), bulk
preview and send (skips with reasons and counts), and the API (contact decision, bulk send, candidates)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates.privacy import candidate_unsubscribe
from messaging import outbox
from messaging.models import Message, Thread
from messaging.services import message_receive
from tests.factories import CandidateFactory, MembershipFactory, MessageTemplateFactory, UserFactory
from tests.messaging.test_api import token_client

pytestmark = pytest.mark.django_db
BODY = (
    'Hi {{ candidate.first_name }}, your work as {{ candidate.current_title|default:"an engineer" }} at '
    '{{ candidate.current_company|default:"your company" }} caught my eye. We are building a payments platform '
    "and would love your view on it. Would you be open to a short call next week?"
)
PERSONAL = (
    "Hi Ana, your talk on payment reconciliation at Initech stayed with me: the part about idempotent "
    "ledgers is exactly what our platform team is wrestling with. Would you be open to a short call?"
)


@pytest.fixture
def dana(acme):
    user = UserFactory(first_name="Dana", last_name="Smith", email="dana@acme.example")
    MembershipFactory(user=user, organization=acme.org)
    return user


def person(tenant, name, **fields):
    return CandidateFactory(
        organization=tenant.org, first_name=name, current_title="Engineer", current_company=f"{name} Co", **fields
    )


def in_conversation(acme, candidate, recruiter) -> Thread:
    """`recruiter` wrote two weeks ago; the candidate answered yesterday and waits for us."""
    message = outbox.thread_start(org=acme.org, candidate=candidate, recruiter=recruiter, subject="Hi", body=PERSONAL)
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(days=14))
    message_receive(
        thread=message.thread, channel="email", body_text="Yes, tell me more",
        received_at=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    return message.thread


def contacted(acme, candidate, recruiter) -> Message:
    return outbox.thread_start(org=acme.org, candidate=candidate, recruiter=recruiter, subject="Hi", body=PERSONAL)


# --- One-to-one ------------------------------------------------------------------------------------


def test_compose_warns_with_a_link_to_the_colleagues_live_conversation(acme, dana):
    ana = person(acme, "Ana")
    thread = in_conversation(acme, ana, dana)

    page = acme.client.get(reverse("message_compose", args=[acme.org.slug]) + f"?candidate={ana.pk}")

    body = page.content.decode()
    assert 'id="policy-warning"' in body and "In a conversation with Dana Smith" in body
    assert reverse("thread_detail", args=[acme.org.slug, thread.pk]) in body
    assert 'name="override"' in body


def test_sending_anyway_is_an_explicit_choice_and_it_is_recorded(acme, dana):
    ana = person(acme, "Ana")
    in_conversation(acme, ana, dana)
    url = reverse("message_compose", args=[acme.org.slug])
    data = {"candidate": ana.pk, "action": "send", "subject": "Ledgers", "body": PERSONAL}

    refused = acme.client.post(url, data)
    assert refused.status_code == 400 and "send anyway" in refused.content.decode()
    assert Message.objects.filter(sender=acme.user).count() == 0

    sent = acme.client.post(url, {**data, "override": "1"})
    assert sent.status_code == 302
    message = Message.objects.get(sender=acme.user)
    assert message.policy_override.startswith("in_conversation: In a conversation with Dana Smith")
    shown = acme.client.get(sent["Location"]).content.decode()
    assert "Sent anyway, despite: in_conversation: In a conversation with Dana Smith" in shown


def test_the_conversations_own_recruiter_replies_without_a_warning(acme, dana):
    ana = person(acme, "Ana")
    thread = in_conversation(acme, ana, dana)
    dana_client = acme.client.__class__()
    dana_client.force_login(dana)

    page = dana_client.get(reverse("thread_detail", args=[acme.org.slug, thread.pk]))
    assert 'id="policy-warning"' not in page.content.decode()
    sent = dana_client.post(reverse("thread_reply", args=[acme.org.slug, thread.pk]), {"body": PERSONAL})
    assert sent.status_code == 302
    assert Message.objects.filter(sender=dana, thread=thread).latest("created_at").policy_override == ""


# --- Bulk --------------------------------------------------------------------------------------------


def test_the_bulk_preview_counts_and_explains_every_skip(acme, dana):
    ready, talking, recent, gone = (person(acme, n) for n in ("Ready", "Talking", "Recent", "Gone"))
    in_conversation(acme, talking, dana)
    contacted(acme, recent, dana)
    candidate_unsubscribe(candidate=gone, source="recruiter")
    start = acme.client.post(
        reverse("bulk_start", args=[acme.org.slug]), {"selected": [ready.pk, talking.pk, recent.pk, gone.pk]}
    )
    key = start["Location"].rstrip("/").split("/")[-1]
    compose = {"action": "preview", "subject": "Payments", "body": BODY}
    acme.client.post(reverse("bulk_compose", args=[acme.org.slug, key]), compose)

    preview = acme.client.get(reverse("bulk_preview", args=[acme.org.slug, key]))

    summary = preview.context["summary"]
    assert (summary["ready"], summary["skipped"]) == (1, 3)
    assert sorted((code, n) for code, _label, n in summary["reasons"]) == [
        ("cooldown", 1), ("in_conversation", 1), ("unsubscribed", 1)
    ]  # fmt: skip
    body = preview.content.decode()
    assert "3 skipped" in body and "0 skipped" not in body
    assert "Contacted by Dana Smith on" in body and "In a conversation with Dana Smith" in body

    acme.client.post(reverse("bulk_send", args=[acme.org.slug, key]))
    assert set(Message.objects.filter(sender=acme.user).values_list("candidate_id", flat=True)) == {ready.pk}


# --- API ---------------------------------------------------------------------------------------------


def test_the_contact_endpoint_gives_the_decision_and_its_reasons(acme, dana):
    ana = person(acme, "Ana")
    thread = in_conversation(acme, ana, dana)
    client = token_client(acme)

    answer = client.get(f"/api/v1/candidates/{ana.pk}/contact/").json()

    assert answer["may_contact"] is False and answer["purpose"] == "bulk"
    [reason] = answer["reasons"]
    assert reason["code"] == "in_conversation" and reason["thread"] == thread.pk
    assert reason["detail"].startswith("In a conversation with Dana Smith: replied on")
    community = client.get(f"/api/v1/candidates/{ana.pk}/contact/", {"purpose": "community"}).json()
    assert community == {"may_contact": True, "purpose": "community", "reasons": []}
    bad = client.get(f"/api/v1/candidates/{ana.pk}/contact/", {"purpose": "carrier-pigeon"})
    assert bad.status_code == 400 and "purpose" in bad.json()


def test_the_contact_endpoint_refuses_other_organisations(acme, globex):
    theirs = person(globex, "Theirs")
    assert token_client(acme).get(f"/api/v1/candidates/{theirs.pk}/contact/").status_code == 404


def test_the_bulk_endpoint_queues_and_says_who_was_skipped_and_why(acme, globex, dana):
    ready, recent = person(acme, "Ready"), person(acme, "Recent")
    contacted(acme, recent, dana)
    theirs = person(globex, "Theirs")
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, subject="Payments", body=BODY)

    response = token_client(acme).post(
        "/api/v1/threads/bulk/",
        {"candidates": [ready.pk, recent.pk, theirs.pk], "template": template.pk},
        content_type="application/json",
    )

    assert response.status_code == 202, response.content
    data = response.json()
    assert data["queued"] == 1
    assert sorted((s["candidate"], s["code"]) for s in data["skipped"]) == sorted(
        [(recent.pk, "cooldown"), (theirs.pk, "unknown")]
    )
    assert not Message.objects.filter(candidate=theirs).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "candidates"),
        ({"candidates": ["x"]}, "candidates"),
        ({"candidates": [1], "circle": 1}, "circle"),
        ({"candidates": [1], "template": None}, "template"),
    ],
)
def test_the_bulk_endpoint_explains_bad_input(acme, payload, field):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, body=BODY)
    payload = {"template": template.pk, **payload}
    response = token_client(acme).post("/api/v1/threads/bulk/", payload, content_type="application/json")
    assert response.status_code == 400 and field in response.json(), response.json()


def test_the_bulk_endpoint_refuses_another_organisations_template_and_circle(acme, globex):
    theirs = MessageTemplateFactory(organization=globex.org, owner=globex.user)
    ready = person(acme, "Ready")
    response = token_client(acme).post(
        "/api/v1/threads/bulk/", {"candidates": [ready.pk], "template": theirs.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["template"] == ["No such template in this organisation."]
    assert not Message.objects.exists()


def test_the_candidate_api_shows_unsubscribed_and_may_contact_in_fixed_queries(
    acme, dana, django_assert_max_num_queries
):
    gone, fine = person(acme, "Gone"), person(acme, "Fine")
    candidate_unsubscribe(candidate=gone, source="recruiter")
    contacted(acme, person(acme, "First"), dana)
    client = token_client(acme)
    client.get("/api/v1/candidates/")  # the token's first use writes its last-used time

    with django_assert_max_num_queries(30) as few:
        rows = {row["id"]: row for row in client.get("/api/v1/candidates/").json()["results"]}
    assert (rows[gone.pk]["unsubscribed"], rows[gone.pk]["may_contact"]) == (True, False)
    assert (rows[fine.pk]["unsubscribed"], rows[fine.pk]["may_contact"]) == (False, True)
    for i in range(7):
        contacted(acme, person(acme, f"More{i}"), dana)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = client.get("/api/v1/candidates/").json()["results"]
    assert len(rows) == 10 and sum(not row["may_contact"] for row in rows) == 9  # all but Fine
    assert client.get(f"/api/v1/candidates/{fine.pk}/").json()["may_contact"] is True
