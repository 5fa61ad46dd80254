"""`/api/v1/threads/` (list, start, read, reply) and `/api/v1/messages/check/`; tenancy and the schema."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from candidates.models import ConsentRecord
from candidates.privacy import candidate_unsubscribe
from messaging import outbox, services
from messaging.models import Message, Thread
from talentcircles.models import Membership
from talentcircles.services import api_token_create
from tests.factories import CandidateFactory, MembershipFactory, MessageTemplateFactory, UserFactory

pytestmark = pytest.mark.django_db
THREADS = "/api/v1/threads/"
CHECK = "/api/v1/messages/check/"
PERSONAL = (
    "Hi Ana, your talk on payment reconciliation at Initech stayed with me: the part about idempotent "
    "ledgers is exactly what our platform team is wrestling with. Would you be open to a 20-minute call "
    "next week to compare notes? No pressure either way."
)


def token_client(tenant_or_membership) -> Client:
    membership = getattr(tenant_or_membership, "membership", tenant_or_membership)
    issued = api_token_create(membership=membership, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Token {issued.key}")


def post(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def nothing_written() -> bool:
    return not Thread.objects.exists() and not Message.objects.exists()


@pytest.fixture
def ana(acme):
    return CandidateFactory(
        organization=acme.org,
        first_name="Ana",
        last_name="Silva",
        current_title="Staff Engineer",
        current_company="Initech",
        email="ana@example.net",
    )


@pytest.fixture
def client(acme):
    return token_client(acme)


def start(acme, candidate, **overrides) -> Message:
    fields = {"org": acme.org, "candidate": candidate, "recruiter": acme.user, "subject": "Ledgers", "body": PERSONAL}
    return outbox.thread_start(**(fields | overrides))


# --- starting a conversation ----------------------------------------------------------------------


def test_it_starts_a_conversation_and_sends_it_once_committed(acme, ana, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, THREADS, {"candidate": ana.pk, "subject": "Ledgers at Initech", "body": PERSONAL})

    assert response.status_code == 201, response.content
    body = response.json()
    thread = Thread.objects.get()
    assert body["id"] == thread.pk
    assert (body["candidate"]["id"], body["recruiter"]["id"], body["subject"]) == (
        ana.pk,
        acme.user.pk,
        "Ledgers at Initech",
    )
    [first] = body["messages"]
    assert (first["direction"], first["channel"], first["status"], first["body"]) == (
        "out",
        "email",
        "queued",
        PERSONAL,
    )
    assert 0 <= first["personalisation_score"] <= 100
    assert [m.to for m in mail.outbox] == [["ana@example.net"]]
    assert mail.outbox[0].subject == "Ledgers at Initech"
    assert Message.objects.get().status == Message.Status.SENT
    assert thread.organization == acme.org


def test_it_starts_a_conversation_from_a_template_rendered_for_the_candidate(acme, ana, client):
    template = MessageTemplateFactory(
        organization=acme.org,
        owner=acme.user,
        subject="Your work at {{ candidate.current_company }}",
        body="Hi {{ candidate.first_name }}, as {{ candidate.current_title }} you would love our ledger team. "
        "Open to a call?",
    )

    response = post(client, THREADS, {"candidate": ana.pk, "template": template.pk})

    assert response.status_code == 201, response.content
    message = Message.objects.get()
    assert message.subject == "Your work at Initech"
    assert message.body_text == "Hi Ana, as Staff Engineer you would love our ledger team. Open to a call?"
    assert message.template == template
    assert response.json()["messages"][0]["id"] == message.pk


def test_a_subject_or_body_sent_with_a_template_replaces_the_templates(acme, ana, client):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user, subject="Template subject")

    payload = {"candidate": ana.pk, "template": template.pk, "subject": "Mine, {{ candidate.first_name }}"}

    response = post(client, THREADS, payload)

    assert response.status_code == 201
    message = Message.objects.get()
    assert message.subject == "Mine, Ana"
    assert message.body_text.startswith("Hi Ana,")


def test_an_unsubscribed_candidate_is_refused_and_nothing_is_queued(
    acme, ana, client, django_capture_on_commit_callbacks
):
    candidate_unsubscribe(candidate=ana, source=ConsentRecord.Source.RECRUITER)
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)

    with django_capture_on_commit_callbacks(execute=True):
        by_hand = post(client, THREADS, {"candidate": ana.pk, "subject": "Hi", "body": PERSONAL})
        by_template = post(client, THREADS, {"candidate": ana.pk, "template": template.pk})

    for response in (by_hand, by_template):
        assert response.status_code == 400
        assert "unsubscribed" in response.json()["candidate"][0].lower()
    assert nothing_written()
    assert mail.outbox == []


def test_an_erased_or_do_not_contact_candidate_is_refused(acme, client):
    blocked = CandidateFactory(organization=acme.org, do_not_contact=True)
    no_email = CandidateFactory(organization=acme.org, email="")

    for candidate, words in ((blocked, "do-not-contact"), (no_email, "no e-mail")):
        response = post(client, THREADS, {"candidate": candidate.pk, "subject": "Hi", "body": PERSONAL})
        assert response.status_code == 400
        assert words in response.json()["candidate"][0].lower()
    assert nothing_written()


def test_a_body_over_50000_characters_is_refused(ana, client):
    response = post(client, THREADS, {"candidate": ana.pk, "subject": "Long", "body": "x" * 50_001})

    assert response.status_code == 400
    assert "50,000" in response.json()["body"][0]
    assert nothing_written()


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"candidate"}),
        ({"subject": "Hi"}, {"body"}),
        ({"body": "Hello"}, {"subject"}),
        ({"subject": "  ", "body": "  "}, {"subject", "body"}),
        ({"subject": "Hi", "body": "Hello", "template": "three"}, {"template"}),
        ({"subject": "x" * 201, "body": "Hello"}, {"subject"}),
        ({"subject": "Hi\r\nBcc: everyone@example.com", "body": "Hello"}, {"subject"}),
        ({"subject": "Hi", "body": "Hello\x00"}, {"body"}),
        ({"subject": "Hi {{ candidate.salary }}", "body": "Hello"}, {"subject"}),
        ({"subject": "Hi", "body": "Hello {{ candidate.first_name|upper }}"}, {"body"}),
    ],
)
def test_bad_input_is_a_400_naming_the_field(ana, client, payload, fields):
    payload = {"candidate": ana.pk} | payload if payload else payload

    response = post(client, THREADS, payload)

    assert response.status_code == 400
    assert set(response.json()) == fields
    assert nothing_written()


def test_a_token_the_candidate_cannot_fill_names_the_token_and_the_candidate(acme, client):
    bo = CandidateFactory(organization=acme.org, first_name="Bo", last_name="Berg", current_company="")
    template = MessageTemplateFactory(
        organization=acme.org, owner=acme.user, body="Hi, {{ candidate.current_company }}!"
    )

    response = post(client, THREADS, {"candidate": bo.pk, "template": template.pk})

    assert response.status_code == 400
    message = response.json()["body"][0]
    assert "candidate.current_company" in message and "Bo Berg" in message
    assert nothing_written()


def test_the_same_idempotency_key_starts_one_conversation(ana, client):
    payload = {"candidate": ana.pk, "subject": "Ledgers", "body": PERSONAL, "idempotency_key": "crm-7781"}

    first = post(client, THREADS, payload)
    again = post(client, THREADS, payload)

    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Thread.objects.count() == Message.objects.count() == 1


def test_a_clients_idempotency_key_never_matches_one_the_app_wrote(acme, ana, client):
    sequence_message = start(acme, CandidateFactory(organization=acme.org), idempotency_key="seq:1:1")

    response = post(client, THREADS, {"candidate": ana.pk, "subject": "Ledgers", "body": PERSONAL,
                                      "idempotency_key": "seq:1:1"})  # fmt: skip

    assert response.status_code == 201
    assert response.json()["id"] != sequence_message.thread_id
    assert response.json()["candidate"]["id"] == ana.pk


def test_another_organisations_candidate_or_template_is_a_400(acme, globex, ana, client):
    outsider = CandidateFactory(organization=globex.org)
    their_template = MessageTemplateFactory(organization=globex.org, owner=globex.user)
    colleague = MembershipFactory(user=UserFactory(), organization=acme.org, role=Membership.Role.RECRUITER)
    personal = MessageTemplateFactory(organization=acme.org, owner=colleague.user, is_shared=False)
    archived = MessageTemplateFactory(organization=acme.org, owner=acme.user)
    assert client.delete(f"/api/v1/templates/{archived.pk}/").status_code == 204

    candidate = post(client, THREADS, {"candidate": outsider.pk, "subject": "Hi", "body": PERSONAL})
    assert candidate.status_code == 400
    assert candidate.json() == {"candidate": ["No such candidate in this organisation."]}
    for template in (their_template, personal, archived):
        response = post(client, THREADS, {"candidate": ana.pk, "template": template.pk})
        assert response.status_code == 400
        assert response.json() == {"template": ["No such template in this organisation."]}
    assert nothing_written()


# --- reading -------------------------------------------------------------------------------------------


def test_the_list_is_paginated_with_a_count_and_filters_by_candidate(acme, ana, client):
    bo = CandidateFactory(organization=acme.org, first_name="Bo")
    for _ in range(3):
        start(acme, ana, override=True)  # the cooldown warns from the second one on
    start(acme, bo)

    everything = client.get(THREADS, {"page_size": 2}).json()
    only_bo = client.get(THREADS, {"candidate": bo.pk}).json()

    assert everything["count"] == 4 and len(everything["results"]) == 2 and everything["next"]
    assert [row["candidate"]["id"] for row in only_bo["results"]] == [bo.pk]
    row = only_bo["results"][0]
    assert (row["last_direction"], row["last_out_status"], row["has_reply"]) == ("out", "queued", False)
    assert row["last_excerpt"] == PERSONAL[:160]


def test_the_list_filter_refuses_bad_and_foreign_candidates(globex, client):
    outsider = CandidateFactory(organization=globex.org)
    assert client.get(THREADS, {"candidate": "abc"}).status_code == 400
    foreign = client.get(THREADS, {"candidate": outsider.pk})
    assert foreign.status_code == 400 and foreign.json() == {"candidate": ["No such candidate in this organisation."]}


def test_the_list_costs_the_same_queries_for_many_threads(acme, ana, client):
    start(acme, ana)
    client.get(THREADS)  # the token's first use writes its last-used time
    with CaptureQueriesContext(connection) as few:
        assert client.get(THREADS).json()["count"] == 1
    for _ in range(6):
        start(acme, CandidateFactory(organization=acme.org))
    with CaptureQueriesContext(connection) as many:
        assert client.get(THREADS).json()["count"] == 7
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as filtered:
        assert client.get(THREADS, {"candidate": ana.pk}).json()["count"] == 1
    assert len(filtered) <= len(few) + 1  # the candidate id is looked up in the organisation


def test_a_thread_reads_with_its_messages_in_order(acme, ana, client):
    thread = start(acme, ana).thread
    services.message_receive(thread=thread, channel=Message.Channel.EMAIL, body_text="I am away", is_auto_reply=True)
    services.message_receive(
        thread=thread, channel=Message.Channel.EMAIL, body_text="Happy to talk!", classification="interested"
    )

    response = client.get(f"{THREADS}{thread.pk}/")

    assert response.status_code == 200
    out, auto, reply = response.json()["messages"]
    assert set(out) >= {
        "id", "direction", "channel", "status", "subject", "body", "is_auto_reply", "classification",
        "personalisation_score", "created_at", "sent_at", "received_at", "last_error",
    }  # fmt: skip
    assert (out["direction"], out["status"], out["body"]) == ("out", "queued", PERSONAL)
    assert (auto["direction"], auto["status"], auto["is_auto_reply"], auto["classification"]) == (
        "in",
        "received",
        True,
        "",
    )
    assert (reply["body"], reply["is_auto_reply"], reply["classification"]) == ("Happy to talk!", False, "interested")
    assert reply["received_at"] is not None


def test_reading_a_thread_costs_the_same_queries_for_many_messages(acme, ana, client):
    thread = start(acme, ana).thread
    client.get(f"{THREADS}{thread.pk}/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{THREADS}{thread.pk}/")
    for text in ("one", "two", "three", "four"):
        services.message_receive(thread=thread, channel=Message.Channel.EMAIL, body_text=text)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{THREADS}{thread.pk}/").json()["messages"]) == 5
    assert len(many) == len(few)


# --- replying -------------------------------------------------------------------------------------------


def test_a_reply_is_queued_in_the_thread_with_threading_headers(acme, ana, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = start(acme, ana)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{THREADS}{first.thread_id}/messages/", {"body": "Hi Ana, any thoughts on the call?"})

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["direction"], body["subject"], body["body"]) == (
        "out",
        "Re: Ledgers",
        "Hi Ana, any thoughts on the call?",
    )
    reply = Message.objects.get(pk=body["id"])
    assert reply.thread_id == first.thread_id and reply.in_reply_to == first.message_id_header
    assert [m.subject for m in mail.outbox] == ["Re: Ledgers"]


def test_a_reply_can_use_a_template(acme, ana, client):
    thread = start(acme, ana).thread
    template = MessageTemplateFactory(
        organization=acme.org, owner=acme.user, body="Hi {{ candidate.first_name }}, just following up."
    )

    response = post(client, f"{THREADS}{thread.pk}/messages/", {"template": template.pk})

    assert response.status_code == 201
    assert response.json()["body"] == "Hi Ana, just following up."


def test_bad_replies_are_400s_and_write_nothing(acme, ana, client, django_capture_on_commit_callbacks):
    thread = start(acme, ana).thread
    url = f"{THREADS}{thread.pk}/messages/"

    assert post(client, url, {}).json() == {"body": ["This field is required when no template is given."]}
    assert "50,000" in post(client, url, {"body": "x" * 50_001}).json()["body"][0]
    assert "candidate.nope" in post(client, url, {"body": "{{ candidate.nope }}"}).json()["body"][0]
    candidate_unsubscribe(candidate=ana, source=ConsentRecord.Source.RECRUITER)
    with django_capture_on_commit_callbacks(execute=True):
        refused = post(client, url, {"body": "Hi Ana, one more thing."})
    assert refused.status_code == 400 and "unsubscribed" in refused.json()["candidate"][0].lower()
    assert Message.objects.count() == 1
    assert mail.outbox == []


# --- the check --------------------------------------------------------------------------------------------


def test_the_check_scores_a_draft_and_writes_nothing(acme, ana, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        personal = post(client, CHECK, {"candidate": ana.pk, "subject": "Ledgers", "body": PERSONAL})
        generic = post(
            client,
            CHECK,
            {"candidate": ana.pk, "subject": "Opportunity", "body": "Hi [Name], I have an exciting opportunity!"},
        )

    assert personal.status_code == generic.status_code == 200
    assert set(personal.json()) == {"score", "findings"}
    assert generic.json()["score"] < personal.json()["score"]
    codes = {finding["code"] for finding in generic.json()["findings"]}
    assert codes, "a generic draft has findings"
    assert nothing_written() and callbacks == [] and mail.outbox == []


def test_the_check_fills_tokens_first(acme, ana, client):
    with_tokens = post(
        client,
        CHECK,
        {"candidate": ana.pk, "subject": "Hi", "body": PERSONAL.replace("Ana", "{{ candidate.first_name }}")},
    )
    as_typed = post(client, CHECK, {"candidate": ana.pk, "subject": "Hi", "body": PERSONAL})

    assert with_tokens.status_code == 200
    assert with_tokens.json() == as_typed.json()


def test_the_check_refuses_bad_input(globex, ana, client):
    outsider = CandidateFactory(organization=globex.org)
    cases = [
        ({"subject": "Hi", "body": PERSONAL}, "candidate"),
        ({"candidate": outsider.pk, "subject": "Hi", "body": PERSONAL}, "candidate"),
        ({"candidate": ana.pk, "subject": "Hi", "body": "x" * 50_001}, "body"),
        ({"candidate": ana.pk, "subject": "Hi", "body": "Hi {{ candidate.password }}"}, "body"),
        ({"candidate": ana.pk, "subject": "Hi", "body": PERSONAL, "template": 999_999}, "template"),
    ]
    for payload, field in cases:
        response = post(client, CHECK, payload)
        assert response.status_code == 400, payload
        assert field in response.json(), payload
    assert nothing_written()
    empty = post(client, CHECK, {"candidate": ana.pk, "subject": "", "body": ""})
    assert empty.status_code == 200 and empty.json()["findings"]


# --- tenancy, auth, schema ---------------------------------------------------------------------------------


def test_another_organisations_threads_are_404(acme, globex, ana, django_capture_on_commit_callbacks):
    thread = start(acme, ana).thread
    detail = f"{THREADS}{thread.pk}/"
    for client in (token_client(globex), globex.client):
        assert client.get(THREADS).json()["count"] == 0
        assert client.get(detail).status_code == 404
        with django_capture_on_commit_callbacks(execute=True):
            assert post(client, f"{detail}messages/", {"body": "Hi from Globex"}).status_code == 404
        assert post(client, CHECK, {"candidate": ana.pk, "subject": "Hi", "body": PERSONAL}).status_code == 400
        started = post(client, THREADS, {"candidate": ana.pk, "subject": "Hi", "body": PERSONAL})
        assert started.status_code == 400 and "candidate" in started.json()
    assert Message.objects.count() == 1 and Thread.objects.count() == 1
    assert mail.outbox == []


def test_unknown_thread_ids_are_404(client):
    assert client.get(f"{THREADS}999999/").status_code == 404
    assert client.get(f"{THREADS}99999999999999999999999/").status_code == 404
    assert post(client, f"{THREADS}999999/messages/", {"body": "Hi"}).status_code == 404


def test_session_auth_works_and_anonymous_callers_are_refused(acme, ana):
    response = post(acme.client, THREADS, {"candidate": ana.pk, "subject": "Ledgers", "body": PERSONAL})
    assert response.status_code == 201
    assert acme.client.get(THREADS).json()["count"] == 1
    for url in (THREADS, f"{THREADS}{response.json()['id']}/"):
        assert Client().get(url).status_code in (401, 403)
    assert Client().post(CHECK, {}, content_type="application/json").status_code in (401, 403)


def test_the_schema_documents_the_messaging_endpoints(acme):
    paths = acme.client.get("/api/schema/", {"format": "json"}).json()["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/templates/"])
    assert {"get", "put", "patch", "delete"} <= set(paths["/api/v1/templates/{id}/"])
    assert "post" in paths["/api/v1/templates/{id}/preview/"]
    assert {"get", "post"} <= set(paths["/api/v1/threads/"])
    assert "get" in paths["/api/v1/threads/{id}/"]
    assert "post" in paths["/api/v1/threads/{id}/messages/"]
    assert "post" in paths["/api/v1/messages/check/"]
    start_body = paths["/api/v1/threads/"]["post"]["requestBody"]["content"]["application/json"]
    assert "FromATemplate" in start_body["examples"]


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--fail-on-warn", "--validate", file=str(tmp_path / "schema.yaml"))


def test_the_browsable_api_pages_render(acme, ana):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)
    thread = start(acme, ana).thread
    for url in (THREADS, f"{THREADS}{thread.pk}/", "/api/v1/templates/", f"/api/v1/templates/{template.pk}/"):
        response = acme.client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert "text/html" in response["Content-Type"]
    assert acme.client.get(CHECK, HTTP_ACCEPT="text/html").status_code == 405
