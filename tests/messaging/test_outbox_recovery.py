"""The outbox without a broker, and after a dead worker: the relay, "delivery unknown" and its resend."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from messaging import delivery, recovery
from messaging.models import Message, Thread
from talentcircles import events
from talentcircles.celery import app as celery_app
from tests.factories import CandidateFactory
from tests.messaging.test_api import PERSONAL, token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(acme):
    return CandidateFactory(
        organization=acme.org, first_name="Ana", last_name="Silva", current_company="Initech", email="ana@example.net"
    )


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when this returns: nothing listens there


def _reset_producer_pools() -> None:
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker_down():
    """Point the app at a port nobody listens on, with tasks really published (not run eagerly)."""
    conf = celery_app.conf
    saved = conf.broker_url, conf.broker_transport_options
    conf.task_always_eager = False
    conf.broker_url = f"redis://127.0.0.1:{_closed_port()}/0"
    # What settings.py gives a Redis broker for failing fast (the SQLite pass has the filesystem transport's).
    conf.broker_transport_options = {"socket_connect_timeout": 1.0, "max_retries": 0}
    _reset_producer_pools()
    try:
        yield
    finally:
        conf.broker_url, conf.broker_transport_options = saved
        conf.task_always_eager = True
        _reset_producer_pools()


def broker_back() -> None:
    celery_app.conf.task_always_eager = True  # the worker, here


def send_by_compose(acme, ana):
    return acme.client.post(
        reverse("message_compose", args=[acme.org.slug]) + f"?candidate={ana.pk}",
        {"candidate": ana.pk, "action": "send", "subject": "Ledgers at Initech", "body": PERSONAL},
    )


def send_by_api(acme, ana):
    payload = {"candidate": ana.pk, "subject": "Ledgers at Initech", "body": PERSONAL}
    return token_client(acme).post("/api/v1/threads/", payload, content_type="application/json")


@pytest.mark.parametrize(("send", "status"), [(send_by_compose, 302), (send_by_api, 201)])
def test_with_the_broker_down_a_send_answers_queued_and_the_relay_delivers_it_once(
    acme, ana, broker_down, send, status, django_capture_on_commit_callbacks, caplog
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(acme, ana)

    assert response.status_code == status
    message = Message.objects.get()
    assert message.status == Message.Status.QUEUED and message.published_at is None
    assert "Could not publish delivery" in caplog.text and not mail.outbox
    if status == 302:
        assert "queued for sending" in acme.client.get(response["Location"]).content.decode()

    # The broker is still down at the relay's first run: the row waits for the next one.
    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.messages_relay(after=timedelta(0)) == 1
    assert Message.objects.get().published_at is None and not mail.outbox

    broker_back()
    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.messages_relay(after=timedelta(0)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.messages_relay(after=timedelta(0)) == 0
        assert recovery.messages_sweep(stale_after=timedelta(0)) == 0
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and message.published_at is not None
    assert len(mail.outbox) == 1


def test_the_relay_leaves_published_recent_and_not_yet_due_rows_alone(acme, ana):
    thread = Thread.objects.create(organization=acme.org, candidate=ana, subject="S")
    now = timezone.now()
    old = now - timedelta(minutes=5)
    base = {"organization": acme.org, "thread": thread, "candidate": ana, "direction": "out", "channel": "email"}
    Message.objects.create(**base, status="queued", created_at=old, published_at=old)
    Message.objects.create(**base, status="queued", created_at=now)
    Message.objects.create(**base, status="queued", created_at=old, next_attempt_at=now + timedelta(minutes=1))
    unpublished = Message.objects.create(**base, status="queued", created_at=old)

    assert recovery.messages_relay(now=now) == 1
    # Claimed once: a second relay (or one running concurrently) finds nothing left to take.
    assert recovery._claim_unpublished([unpublished.pk], now) == []


def stuck(message: Message, **fields) -> None:
    long_ago = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, claimed_at=long_ago, **fields)


def test_a_dead_workers_message_in_flight_becomes_delivery_unknown_and_the_rest_are_queued_again(
    acme, ana, django_capture_on_commit_callbacks
):
    from tests.messaging.test_api import start

    in_flight, untouched = start(acme, ana), start(acme, ana, subject="Other", override=True)
    stuck(in_flight, handed_at=timezone.now() - timedelta(hours=1))
    stuck(untouched)

    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.messages_sweep() == 1

    in_flight.refresh_from_db()
    assert in_flight.status == Message.Status.UNKNOWN and "may or may not" in in_flight.last_error
    assert Message.objects.get(pk=untouched.pk).status == Message.Status.SENT
    assert [e.to for e in mail.outbox] == [["ana@example.net"]]


def test_a_message_marked_sent_but_not_announced_is_announced_by_the_sweep(acme, ana, seen_events):
    from tests.messaging.test_api import start

    message = start(acme, ana)
    long_ago = timezone.now() - timedelta(hours=1)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT, sent_at=long_ago, claimed_at=long_ago, handed_at=long_ago
    )

    recovery.messages_sweep()
    recovery.messages_sweep()

    sent = [e for e in seen_events if e.kind == events.MESSAGE_SENT]
    assert [(e.related["message_id"], e.occurred_at) for e in sent] == [(message.pk, long_ago)]
    assert Message.objects.get(pk=message.pk).handed_at is None


def unknown_message(acme, ana) -> Message:
    from tests.messaging.test_api import start

    message = start(acme, ana)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.UNKNOWN, last_error=delivery_unknown_note(), handed_at=timezone.now()
    )
    return message


def delivery_unknown_note() -> str:
    return recovery.DELIVERY_UNKNOWN_NOTE


def test_one_click_on_the_thread_resends_a_message_whose_delivery_is_unknown(
    acme, ana, django_capture_on_commit_callbacks
):
    message = unknown_message(acme, ana)
    page = acme.client.get(reverse("thread_detail", args=[acme.org.slug, message.thread_id])).content.decode()
    resend_url = reverse("message_resend", args=[acme.org.slug, message.pk])
    assert "Delivery unknown" in page and resend_url in page

    with django_capture_on_commit_callbacks(execute=True):
        response = acme.client.post(resend_url)

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == Message.Status.SENT and len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == message.message_id_header
    again = acme.client.post(resend_url, follow=True)  # sent now: nothing is sent twice
    assert "Only a message whose delivery is unknown" in again.content.decode() and len(mail.outbox) == 1


def test_the_api_resends_a_message_whose_delivery_is_unknown_and_refuses_others(
    acme, ana, django_capture_on_commit_callbacks
):
    message = unknown_message(acme, ana)
    client = token_client(acme)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/messages/{message.pk}/resend/")

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "queued" and len(mail.outbox) == 1
    refused = client.post(f"/api/v1/messages/{message.pk}/resend/")
    assert refused.status_code == 400 and "message" in refused.json()


def test_it_rejects_other_organisations_resends(acme, globex, ana):
    message = unknown_message(acme, ana)

    assert globex.client.post(reverse("message_resend", args=[globex.org.slug, message.pk])).status_code == 404
    assert token_client(globex).post(f"/api/v1/messages/{message.pk}/resend/").status_code == 404
    assert Message.objects.get(pk=message.pk).status == Message.Status.UNKNOWN and not mail.outbox


def test_the_visibility_timeout_outlasts_a_retry_countdown_plus_the_time_limit():
    if not settings.REDIS_URL:
        pytest.skip("the visibility timeout is a Redis broker setting (REDIS_URL)")
    longest = delivery.BACKOFF_CAP.total_seconds() + settings.CELERY_TASK_TIME_LIMIT
    assert delivery.BACKOFF_CAP.total_seconds() <= settings.CELERY_LONGEST_COUNTDOWN
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] > longest


def test_a_message_is_announced_once_whoever_announces_it(acme, ana, seen_events):
    from tests.messaging.test_api import start

    message = start(acme, ana)
    now = timezone.now()
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT, sent_at=now, handed_at=now)
    message.refresh_from_db()

    delivery.announce_sent([message], now)  # the worker
    delivery.announce_sent([message], now)  # a sweep that found it a moment before

    assert [e.related["message_id"] for e in seen_events if e.kind == events.MESSAGE_SENT] == [message.pk]
