"""Engagement's link rows for messaging's conversations: written with the messages, read for the figures.

Messaging keeps no engagement ids. A bulk send to a circle, or an API thread start naming one,
reports its threads through the audience hook (`CircleOutreach`); the dispatcher links each step's
message to its enrollment and step (`SequenceMessage`). The response-rate roll-ups read both.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.analytics import metric as analytics
from engagement.analytics.rollups.live import on_messages_sent
from engagement.analytics.rollups.rebuild import rollups_rebuild
from engagement.circles.models import CircleMembership, CircleOutreach
from engagement.circles.services import circle_delete
from engagement.sequences.models import SequenceMessage
from messaging import outbox
from messaging.models import Message, Thread
from talentcircles import events
from talentcircles.audiences import audience_of_thread, audience_outreach_started
from talentcircles.services import api_token_create
from tests.engagement.analytics_support import snapshot
from tests.engagement.sequence_support import enrol, make_sequence
from tests.factories import CandidateFactory, CircleFactory

pytestmark = pytest.mark.django_db
BODY = (
    "Hi {{ candidate.first_name }}, the {{ circle.name }} circle meets next week to talk about "
    "{{ candidate.current_title }} work at {{ candidate.current_company }}. Would you like to come along?"
)


def members(tenant, circle, count: int):
    people = [
        CandidateFactory(
            organization=tenant.org, first_name=f"M{n}", current_title="Engineer", current_company=f"Co{n}"
        )
        for n in range(count)
    ]
    for person in people:
        CircleMembership.objects.create(circle=circle, candidate=person, joined_via="recruiter")
    return people


def api_client(tenant) -> Client:
    issued = api_token_create(membership=tenant.membership, name="tests")
    return Client(HTTP_AUTHORIZATION=f"Token {issued.key}")


def bulk_send_to(tenant, circle) -> None:
    """The recruiter's pages: start from the circle, compose, preview, send (delivered once committed)."""
    start = tenant.client.get(reverse("bulk_start", args=[tenant.org.slug]) + f"?circle={circle.pk}")
    key = start["Location"].rstrip("/").split("/")[-1]
    compose = reverse("bulk_compose", args=[tenant.org.slug, key])
    tenant.client.post(compose, {"action": "preview", "subject": "{{ circle.name }} meetup", "body": BODY})
    tenant.client.post(reverse("bulk_send", args=[tenant.org.slug, key]))


def test_a_bulk_send_to_a_circle_records_it_and_the_by_circle_cut_counts_it(acme, django_capture_on_commit_callbacks):
    circle = CircleFactory(organization=acme.org, name="Rustaceans")
    people = members(acme, circle, 3)
    CandidateFactory(organization=acme.org)  # not in the circle

    with django_capture_on_commit_callbacks(execute=True):
        bulk_send_to(acme, circle)

    threads = Thread.objects.filter(candidate__in=people)
    assert threads.count() == 3 and Thread.objects.count() == 3
    assert set(CircleOutreach.objects.values_list("thread_id", "circle_id", "organization_id")) == {
        (thread.pk, circle.pk, acme.org.pk) for thread in threads
    }
    assert set(Message.objects.values_list("subject", "status")) == {("Rustaceans meetup", Message.Status.SENT)}
    today = timezone.now().date()
    span = {"org": acme.org, "date_from": today - timedelta(days=1), "date_to": today}
    by_circle = {row.key: row for row in analytics.response_rates(group_by="circle", **span)}
    assert (by_circle[str(circle.pk)].label, by_circle[str(circle.pk)].sent) == ("Rustaceans", 3)
    live = snapshot(acme.org)
    rollups_rebuild(org=acme.org)
    assert snapshot(acme.org) == live


def test_a_thread_started_through_the_api_for_a_circle_renders_its_name_in_replies(acme):
    circle = CircleFactory(organization=acme.org, name="Rustaceans")
    [person] = members(acme, circle, 1)
    client = api_client(acme)
    started = client.post(
        "/api/v1/threads/",
        {"candidate": person.pk, "circle": circle.pk, "subject": "{{ circle.name }}", "body": BODY},
        content_type="application/json",
    )
    assert started.status_code == 201, started.content
    thread = Thread.objects.get(pk=started.json()["id"])
    assert CircleOutreach.objects.get(thread=thread).circle == circle

    circle.name = "Rust in production"  # a renamed circle: replies follow its name
    circle.save(update_fields=["name"])
    reply = client.post(
        f"/api/v1/threads/{thread.pk}/messages/",
        {"body": "Hi {{ candidate.first_name }}, see you at the {{ circle.name }} meetup."},
        content_type="application/json",
    )

    assert reply.status_code == 201, reply.content
    assert reply.json()["body"] == "Hi M0, see you at the Rust in production meetup."


def test_a_reply_in_a_conversation_not_started_for_a_circle_has_no_circle_name(acme):
    person = CandidateFactory(organization=acme.org, first_name="Ada", current_company="Initech")
    thread = outbox.thread_start(
        org=acme.org, candidate=person, recruiter=acme.user, subject="Hello", body=BODY.replace("{{ circle.name }}", "")
    ).thread

    reply = api_client(acme).post(
        f"/api/v1/threads/{thread.pk}/messages/",
        {"body": "Hi Ada, see you at {{ circle.name }}."},
        content_type="application/json",
    )

    assert reply.status_code == 400
    assert "circle.name" in str(reply.json())


def test_the_hook_links_only_the_organisation_s_own_circles(acme, globex):
    theirs = CircleFactory(organization=globex.org, name="Theirs")
    person = CandidateFactory(organization=acme.org)
    thread = outbox.thread_start(
        org=acme.org, candidate=person, recruiter=acme.user, subject="Hello", body="Hello there, a question for you."
    ).thread

    audience_outreach_started(acme.org, theirs.pk, [thread.pk])

    assert not CircleOutreach.objects.exists()
    assert audience_of_thread(acme.org, thread.pk) is None


def test_a_deleted_circle_takes_its_links_and_leaves_the_conversations(acme):
    circle = CircleFactory(organization=acme.org, name="Rustaceans")
    [person] = members(acme, circle, 1)
    thread = outbox.thread_start(
        org=acme.org, candidate=person, recruiter=acme.user, subject="Hi", body="Hello there, a question.",
        circle_id=circle.pk,
    ).thread  # fmt: skip
    assert audience_of_thread(acme.org, thread.pk).name == "Rustaceans"

    circle_delete(circle=circle)

    assert Thread.objects.filter(pk=thread.pk).exists()
    assert audience_of_thread(acme.org, thread.pk) is None


def test_the_send_roll_ups_read_the_links_in_the_same_queries_whatever_the_batch(acme):
    circle = CircleFactory(organization=acme.org, name="Rustaceans")

    def sent_batch(count: int) -> list[events.CandidateEvent]:
        batch = []
        for person in members(acme, circle, count):
            message = outbox.thread_start(
                org=acme.org, candidate=person, recruiter=acme.user, subject="Hi", body="Hello there, a question.",
                circle_id=circle.pk,
            )  # fmt: skip
            Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT, sent_at=timezone.now())
            batch.append(
                events.CandidateEvent(
                    organization_id=acme.org.pk,
                    candidate_id=person.pk,
                    kind=events.MESSAGE_SENT,
                    occurred_at=timezone.now(),
                    related={"message_id": message.pk, "thread_id": message.thread_id},
                )
            )
        return batch

    small, large = sent_batch(1), sent_batch(5)
    with CaptureQueriesContext(connection) as one:
        on_messages_sent(small)
    with CaptureQueriesContext(connection) as five:
        on_messages_sent(large)
    assert len(one) == len(five)


# --- The migrations from messaging's integer columns ------------------------------------------------

BEFORE = [("engagement", "0008_fill_response_stat_weeks"), ("messaging", "0002_lean_foreign_key_indexes")]


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_the_migrations_turn_the_old_columns_into_link_rows(acme, globex):
    circle, theirs = CircleFactory(organization=acme.org), CircleFactory(organization=globex.org)
    sequence = make_sequence(acme)
    first, second, _task = sequence.steps.order_by("order")
    people = [CandidateFactory(organization=acme.org) for _ in range(4)]
    enrollment = enrol(acme, sequence, people[:1]).enrolled[0]
    gone_step = second.pk + 1000  # a step removed from the sequence since
    executor = _migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        OldThread, OldMessage = old.get_model("messaging", "Thread"), old.get_model("messaging", "Message")

        def conversation(person, *steps, **thread_fields):
            thread = OldThread.objects.create(
                organization_id=acme.org.pk, candidate_id=person.pk, subject="Hi", **thread_fields
            )
            written = [
                OldMessage.objects.create(
                    organization_id=acme.org.pk,
                    thread=thread,
                    candidate_id=person.pk,
                    direction="out",
                    status="sent",
                    sequence_step_id=step,
                )
                for step in steps
            ]
            return thread, written

        in_sequence, (m1, m2, by_hand, m_gone) = conversation(
            people[0], first.pk, second.pk, None, gone_step, origin="sequence", enrollment_id=enrollment.pk
        )
        for_circle, _ = conversation(people[1], None, origin="bulk", circle_id=circle.pk)
        conversation(people[2], None, origin="bulk", circle_id=theirs.pk)  # another organisation's circle
        _orphan, (orphan,) = conversation(people[3], first.pk, origin="sequence", enrollment_id=enrollment.pk + 1000)
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    assert sorted(SequenceMessage.objects.values_list("message_id", "thread_id", "enrollment_id", "step_id")) == [
        (m1.pk, in_sequence.pk, enrollment.pk, first.pk),
        (m2.pk, in_sequence.pk, enrollment.pk, second.pk),
        (m_gone.pk, in_sequence.pk, enrollment.pk, None),
    ]
    assert list(CircleOutreach.objects.values_list("thread_id", "circle_id")) == [(for_circle.pk, circle.pk)]
    automated = set(Message.objects.filter(automated=True).values_list("pk", flat=True))
    assert automated == {m1.pk, m2.pk, m_gone.pk, orphan.pk} and by_hand.pk not in automated
    assert {f.name for f in Thread._meta.get_fields()}.isdisjoint({"circle_id", "enrollment_id"})
