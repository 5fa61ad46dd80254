"""Webhooks out through real Celery workers, Redis and PostgreSQL (the second CI pass only): the kick a
change publishes after commit reaches a worker that delivers it signed, and two workers at once deliver
every event exactly once, each candidate's in order."""

from __future__ import annotations

import pytest

from candidates.services import candidate_set_stage, candidate_update
from talentcircles.webhooks_out import signing
from talentcircles.webhooks_out.models import EVENT_TYPES, WebhookDelivery
from talentcircles.webhooks_out.services import endpoint_create
from talentcircles.webhooks_out.tasks import webhooks_deliver_task
from tests.engagement.test_sequence_durability import Workers, workers  # noqa: F401
from tests.engagement.test_sequence_durability import pytestmark as real_worker_marks
from tests.talentcircles.test_webhooks_out import add_candidate, receiver  # noqa: F401  (a fixture)
from tests.waiting import wait_until

pytestmark = real_worker_marks


def start(workers: Workers, count: int = 1) -> None:  # noqa: F811
    workers.env["WEBHOOKS_ALLOW_HTTP_LOCALHOST"] = "True"  # the receiver is on 127.0.0.1, whatever DEBUG says
    for _ in range(count):
        workers.start()


def delivered() -> int:
    return WebhookDelivery.objects.filter(status=WebhookDelivery.Status.DELIVERED).count()


@pytest.mark.usefixtures("transactional_db")
def test_a_change_is_delivered_by_a_worker_after_its_commit(acme, receiver, workers: Workers):  # noqa: F811
    endpoint = endpoint_create(org=acme.org, actor=acme.user, url=receiver.url, events=list(EVENT_TYPES))
    start(workers)
    candidate = add_candidate(acme)  # commits: the kick is published on commit
    wait_until(lambda: delivered() == 1, message=lambda: str(list(WebhookDelivery.objects.values())))
    [request] = receiver.requests
    assert signing.verify(endpoint.secret, request.headers, request.body)
    assert request.json["data"]["candidate_id"] == candidate.pk


@pytest.mark.usefixtures("transactional_db")
def test_two_workers_deliver_each_event_once_and_each_candidates_in_order(acme, receiver, workers: Workers):  # noqa: F811
    endpoint_create(org=acme.org, actor=acme.user, url=receiver.url, events=list(EVENT_TYPES))
    people = [add_candidate(acme, email=f"person{n}@example.net") for n in range(15)]
    for person in people:
        candidate_update(candidate=person, actor=acme.user, data={"current_title": "Engineer"})
        candidate_set_stage(candidate=person, actor=acme.user, stage="contacted")
    start(workers, 2)
    for _ in range(4):
        webhooks_deliver_task.apply_async()
    wait_until(lambda: delivered() == 45, timeout=120)
    ids = [r.json["id"] for r in receiver.requests]
    assert len(ids) == len(set(ids)) == 45
    for person in people:
        mine = [r.json["type"] for r in receiver.requests if r.json["data"]["candidate_id"] == person.pk]
        assert mine == ["candidate.created", "candidate.updated", "candidate.stage_changed"]
