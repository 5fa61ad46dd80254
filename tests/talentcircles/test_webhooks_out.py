"""Webhooks out, end to end against a local HTTP receiver: the outbox written with the change, the signed
POST, retries with backoff, giving up after 24 hours, pausing, redelivery and ordering per candidate.

Time passes as a parameter (`now=`), never by sleeping.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from candidates.services import candidate_create, candidate_set_stage, candidate_update
from engagement.circles.jobs.interest import job_interest_raise
from engagement.circles.jobs.services import job_create, job_open
from messaging.models import Thread
from messaging.services import message_receive
from messaging.webhooks import inbound_signature
from talentcircles.webhooks_out import delivery as worker
from talentcircles.webhooks_out import outbox, signing
from talentcircles.webhooks_out.models import EVENT_TYPES, WebhookDelivery, WebhookEndpoint
from talentcircles.webhooks_out.services import (
    delivery_redeliver,
    endpoint_create,
    endpoint_resume,
    webhook_test_send,
)
from tests.talentcircles.webhook_receiver import start_receiver

Status = WebhookDelivery.Status


@pytest.fixture
def receiver(settings):
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True
    settings.WEBHOOKS_TIMEOUT = 5
    # One lane: the worker's threads have connections of their own, which cannot see this test's transaction.
    # Lanes run in the real-worker tests (test_webhooks_out_worker.py) and the benchmark.
    settings.WEBHOOKS_CONCURRENCY = 1
    started = start_receiver()
    yield started
    started.server.shutdown()
    started.server.server_close()


@pytest.fixture
def endpoint(acme, receiver):
    return endpoint_create(org=acme.org, actor=acme.user, url=receiver.url, events=list(EVENT_TYPES))


def add_candidate(acme, **data):
    fields = {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.net"} | data
    return candidate_create(org=acme.org, actor=acme.user, data=fields)


def run(now):
    return worker.deliveries_run(now=now)


def test_a_change_writes_its_delivery_in_the_same_transaction(acme, endpoint):
    candidate = add_candidate(acme)
    [delivery] = WebhookDelivery.objects.all()
    assert (delivery.endpoint, delivery.event_type, delivery.candidate_id) == (
        endpoint,
        "candidate.created",
        candidate.pk,
    )
    assert delivery.payload["data"] == {"candidate_id": candidate.pk, "source": candidate.source}
    assert delivery.payload["organization"] == "acme"
    assert delivery.payload["id"] == str(delivery.event_id)


def test_a_rolled_back_change_leaves_no_delivery(acme, endpoint):
    with pytest.raises(RuntimeError), transaction.atomic():
        add_candidate(acme)
        assert WebhookDelivery.objects.count() == 1
        raise RuntimeError("the change fails after the event")
    assert WebhookDelivery.objects.count() == 0


def test_only_the_organisations_endpoints_that_chose_the_event_get_it(acme, globex, receiver):
    endpoint_create(org=acme.org, actor=acme.user, url=receiver.url, events=["candidate.erased"])
    paused = endpoint_create(org=acme.org, actor=acme.user, url=receiver.url, events=["candidate.created"])
    WebhookEndpoint.objects.filter(pk=paused.pk).update(status=WebhookEndpoint.Status.PAUSED)
    endpoint_create(org=globex.org, actor=globex.user, url=receiver.url, events=["candidate.created"])
    add_candidate(acme)
    [kept] = WebhookDelivery.objects.all()
    assert kept.endpoint == paused  # kept for when it is resumed, not sent meanwhile
    assert run(timezone.now()) == {} and receiver.requests == []


def test_a_delivery_is_signed_with_the_inbound_webhooks_scheme(acme, endpoint, receiver):
    candidate = add_candidate(acme)
    assert run(timezone.now()) == {"delivered": 1}
    [request] = receiver.requests
    headers = request.headers
    assert signing.verify(endpoint.secret, headers, request.body)
    timestamp = headers["X-TalentCircles-Timestamp"]
    assert headers["X-TalentCircles-Signature"] == inbound_signature(endpoint.secret, timestamp, request.body)
    assert not signing.verify("whsec_another", headers, request.body)
    assert not signing.verify(endpoint.secret, headers, request.body + b" ")
    assert headers["X-TalentCircles-Event"] == "candidate.created"
    assert request.json["data"]["candidate_id"] == candidate.pk
    assert headers["X-TalentCircles-Event-Id"] == request.json["id"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Status.DELIVERED, 1, 200)


def test_a_stale_timestamp_does_not_verify(endpoint):
    body = b'{"id": "x"}'
    headers = signing.signed_headers(endpoint.secret, body, event_type="ping", event_id="x", now=1_000_000)
    assert signing.verify(endpoint.secret, headers, body, now=1_000_000 + 299)
    assert not signing.verify(endpoint.secret, headers, body, now=1_000_000 + 301)


def test_it_retries_a_500_with_backoff_then_delivers(acme, endpoint, receiver):
    receiver.answer(500, 503)
    add_candidate(acme)
    t0 = timezone.now()
    assert run(t0) == {"pending": 1}
    delivery = WebhookDelivery.objects.get()
    assert t0 + timedelta(seconds=10) <= delivery.next_attempt_at <= t0 + timedelta(seconds=12)
    assert (delivery.last_status_code, delivery.last_error) == (500, "receiver says no")
    assert run(t0 + timedelta(seconds=9)) == {}  # not due yet
    t1 = t0 + timedelta(seconds=13)
    assert run(t1) == {"pending": 1}
    delivery.refresh_from_db()
    assert t1 + timedelta(seconds=20) <= delivery.next_attempt_at <= t1 + timedelta(seconds=24)
    assert run(t1 + timedelta(seconds=25)) == {"delivered": 1}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (Status.DELIVERED, 3, 200)
    assert len({r.json["id"] for r in receiver.requests}) == 1 and len(receiver.requests) == 3


def test_the_backoff_doubles_from_ten_seconds_up_to_an_hour_with_jitter():
    rng = random.Random(7)
    waits = [worker.backoff(n, rng) for n in range(1, 14)]
    for n, wait in enumerate(waits, start=1):
        base = min(timedelta(hours=1), timedelta(seconds=10 * 2 ** (n - 1)))
        assert base <= wait <= base * 1.2
    assert waits[-1] >= timedelta(hours=1)


def fail_until_given_up(receiver, t0):
    """Run the worker at each retry time until the delivery is given up; returns the attempts' times."""
    receiver.always = 500
    delivery = WebhookDelivery.objects.get()
    times, now = [], t0
    while delivery.status != Status.FAILED:
        run(now)
        times.append(now)
        delivery.refresh_from_db()
        now = delivery.next_attempt_at
    return delivery, times


def test_a_delivery_failing_for_24_hours_is_marked_failed_and_the_endpoint_paused(
    acme, endpoint, receiver, django_capture_on_commit_callbacks
):
    add_candidate(acme)
    t0 = timezone.now()
    with django_capture_on_commit_callbacks() as callbacks:
        delivery, times = fail_until_given_up(receiver, t0)
    assert timedelta(hours=23, minutes=59) < times[-1] - t0 <= timedelta(hours=24)  # the last try at the window's end
    assert delivery.attempts == len(times) == len(receiver.requests)
    endpoint.refresh_from_db()
    assert endpoint.status == WebhookEndpoint.Status.PAUSED
    assert endpoint.paused_reason == "Every delivery has failed for 24 hours."
    for callback in callbacks:
        if callback is not outbox.kick:
            callback()
    [told] = mail.outbox
    assert told.to == [acme.user.email] and endpoint.url in told.body


def test_a_paused_endpoint_keeps_its_events_until_resumed(acme, endpoint, receiver):
    add_candidate(acme)
    t0 = timezone.now()
    fail_until_given_up(receiver, t0)
    later = add_candidate(acme, email="later@example.net")
    assert run(t0 + timedelta(hours=30)) == {}  # paused: nothing is sent
    receiver.always = 200
    assert endpoint_resume(endpoint=WebhookEndpoint.objects.get(), now=t0 + timedelta(hours=31)) == 2
    assert run(t0 + timedelta(hours=31)) == {"delivered": 2}
    assert receiver.requests[-1].json["data"]["candidate_id"] == later.pk


def test_410_gone_fails_the_delivery_and_pauses_the_endpoint(acme, endpoint, receiver):
    receiver.answer(410)
    add_candidate(acme)
    assert run(timezone.now()) == {"failed": 1}
    endpoint.refresh_from_db()
    assert endpoint.is_paused and "410" in endpoint.paused_reason


def test_a_redelivery_sends_the_same_event_again(acme, endpoint, receiver):
    add_candidate(acme)
    run(timezone.now())
    delivery = WebhookDelivery.objects.get()
    delivery_redeliver(delivery=delivery)
    assert run(timezone.now()) == {"delivered": 1}
    first, second = receiver.requests
    assert first.json == second.json
    delivery.refresh_from_db()
    assert delivery.attempts == 2


def test_a_candidates_events_arrive_in_order_while_others_are_not_held_up(acme, endpoint, receiver):
    grace = add_candidate(acme)
    alan = add_candidate(acme, first_name="Alan", last_name="Turing", email="alan@example.net")
    candidate_update(candidate=grace, actor=acme.user, data={"current_title": "Rear Admiral"})
    candidate_set_stage(candidate=grace, actor=acme.user, stage="contacted")
    receiver.answer(500)  # Grace's first event fails once
    t0 = timezone.now()
    run(t0)
    assert [(r.json["type"], r.json["data"]["candidate_id"]) for r in receiver.requests] == [
        ("candidate.created", grace.pk),
        ("candidate.created", alan.pk),
    ]
    assert run(t0 + timedelta(seconds=5)) == {}  # Grace's later events wait behind her first
    run(t0 + timedelta(seconds=15))
    graces = [r.json["type"] for r in receiver.requests if r.json["data"]["candidate_id"] == grace.pk]
    assert graces == ["candidate.created", "candidate.created", "candidate.updated", "candidate.stage_changed"]


def test_a_given_up_delivery_stops_holding_up_the_ones_after_it(acme, endpoint, receiver):
    grace = add_candidate(acme)
    WebhookDelivery.objects.update(status=Status.FAILED)
    candidate_update(candidate=grace, actor=acme.user, data={"current_title": "Rear Admiral"})
    assert run(timezone.now()) == {"delivered": 1}


def test_a_killed_workers_delivery_is_taken_again_once_its_lease_has_passed(acme, endpoint, receiver):
    add_candidate(acme)
    t0 = timezone.now()
    [claimed] = worker.deliveries_claim(now=t0)  # the worker dies before posting
    assert worker.deliveries_claim(now=t0 + timedelta(seconds=5)) == []
    assert run(t0 + worker.lease() + timedelta(seconds=1)) == {"delivered": 1}
    [request] = receiver.requests
    assert request.json["id"] == str(claimed.event_id)


def test_a_late_outcome_from_a_worker_that_lost_its_lease_changes_nothing(acme, endpoint):
    add_candidate(acme)
    t0 = timezone.now()
    [slow] = worker.deliveries_claim(now=t0)
    [fast] = worker.deliveries_claim(now=t0 + worker.lease() + timedelta(seconds=1))
    worker.delivery_record_outcome(delivery=fast, outcome=worker.Outcome(200, ""))
    worker.delivery_record_outcome(delivery=slow, outcome=worker.Outcome(500, "late"))
    assert WebhookDelivery.objects.get().status == Status.DELIVERED


def test_payloads_carry_ids_and_field_names_never_personal_data(acme, endpoint):
    grace = add_candidate(acme, phone="+442079460958", current_company="Remington Rand")
    candidate_update(candidate=grace, actor=acme.user, data={"last_name": "Murray Hopper", "city": "Arlington"})
    candidate_set_stage(candidate=grace, actor=acme.user, stage="contacted", reason="Met her at the Navy fair")
    thread = Thread.objects.create(organization=acme.org, candidate=grace, subject="COBOL and you")
    reply = message_receive(thread=thread, channel="email", body_text="Happy to talk, call me on my cell")
    payloads = {d.event_type: d.payload for d in WebhookDelivery.objects.all()}
    assert payloads["candidate.updated"]["data"] == {
        "candidate_id": grace.pk, "fields": ["city", "last_name"], "by": "recruiter"
    }  # fmt: skip
    assert payloads["candidate.stage_changed"]["data"] == {
        "candidate_id": grace.pk, "previous_stage": "new", "stage": "contacted"
    }  # fmt: skip
    assert payloads["message.replied"]["data"] == {
        "candidate_id": grace.pk, "message_id": reply.pk, "thread_id": thread.pk, "channel": "email",
        "classification": reply.classification,
    }  # fmt: skip
    everything = json.dumps(payloads).lower()
    for personal in ("grace", "hopper", "murray", "example.net", "2079460958", "remington", "arlington",
                     "navy", "cobol", "cell"):  # fmt: skip
        assert personal not in everything


def test_a_job_interest_is_announced_with_the_job_and_the_interest(acme, endpoint):
    grace = add_candidate(acme)
    data = {"title": "Compiler Engineer", "description": "Compilers.", "remote_policy": "remote"}
    job = job_open(job=job_create(org=acme.org, actor=acme.user, data=data))
    interest = job_interest_raise(candidate=grace, job=job)
    delivery = WebhookDelivery.objects.get(event_type="job.interest_created")
    assert delivery.payload["data"] == {"candidate_id": grace.pk, "job_id": job.pk, "interest_id": interest.pk}


def test_a_test_event_is_a_signed_ping(acme, endpoint, receiver):
    webhook_test_send(endpoint=endpoint)
    assert run(timezone.now()) == {"delivered": 1}
    [request] = receiver.requests
    assert request.json["type"] == "ping" and request.json["data"] == {"endpoint_id": endpoint.pk}
    assert signing.verify(endpoint.secret, request.headers, request.body)


def test_a_refused_connection_is_retried(acme, endpoint, receiver):
    receiver.server.shutdown()
    receiver.server.server_close()
    add_candidate(acme)
    assert run(timezone.now()) == {"pending": 1}
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code is None and "ConnectError" in delivery.last_error


def test_a_host_that_resolves_to_a_private_address_is_not_posted_to(acme, endpoint, receiver, settings):
    add_candidate(acme)
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = False  # 127.0.0.1 is now as forbidden as any private address
    assert run(timezone.now()) == {"pending": 1}
    assert receiver.requests == []
    assert "not a public address" in WebhookDelivery.objects.get().last_error
