"""`bulk_update_rows` writes exactly what `QuerySet.bulk_update` would, with one statement per batch."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagement.timeline.models import Relationship
from talentcircles.bulk import bulk_update_rows
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def relationships(acme):
    people = CandidateFactory.create_batch(5, organization=acme.org)
    return [Relationship.objects.create(organization=acme.org, candidate=person) for person in people]


def test_it_writes_every_field_of_every_row_including_json_and_nulls(relationships):
    when = timezone.now() - timedelta(days=3)
    for number, row in enumerate(relationships):
        row.score = 10 * number
        row.reasons = [{"reason": f"because {number}", "points": number}]
        row.last_two_way_at = when if number % 2 else None
        row.messages_out = number + 1

    with CaptureQueriesContext(connection) as queries:
        written = bulk_update_rows(relationships, ["score", "reasons", "last_two_way_at", "messages_out"], batch_size=2)

    assert written == 5 and len(queries) == 3  # batches of 2, 2 and 1
    for number, row in enumerate(relationships):
        stored = Relationship.objects.get(pk=row.pk)
        assert stored.score == 10 * number
        assert stored.reasons == [{"reason": f"because {number}", "points": number}]
        assert stored.last_two_way_at == (when if number % 2 else None)
        assert (stored.messages_out, stored.replies_in) == (number + 1, 0)  # a field not named is left alone


def test_it_leaves_other_rows_alone_and_accepts_nothing(relationships):
    first, *others = relationships
    first.score = 99
    assert bulk_update_rows([first], ["score"]) == 1
    assert bulk_update_rows([], ["score"]) == 0
    assert list(Relationship.objects.filter(pk__in=[r.pk for r in others]).values_list("score", flat=True)) == [0] * 4


def test_copy_insert_saves_like_bulk_create(acme):
    from django.db import IntegrityError, transaction

    from messaging.models import Message, Thread
    from talentcircles.bulk import copy_insert

    person = CandidateFactory(organization=acme.org)
    threads = copy_insert(
        [Thread(organization=acme.org, candidate=person, recruiter=acme.user, subject=f"Hello {n}") for n in range(3)]
    )
    messages = copy_insert(
        [
            Message(
                organization=acme.org, thread=thread, candidate=person, direction=Message.Direction.OUT,
                channel=Message.Channel.EMAIL, status=Message.Status.QUEUED, subject=thread.subject, body_text="Hi",
                findings=[{"code": "generic", "penalty": 10}], idempotency_key=f"key-{thread.pk}",
            )
            for thread in threads
        ]
    )  # fmt: skip

    assert all(thread.pk and not thread._state.adding for thread in threads)
    stored = Message.objects.get(pk=messages[1].pk)
    assert stored.thread_id == threads[1].pk and stored.status == "queued"
    assert stored.findings == [{"code": "generic", "penalty": 10}]
    assert Thread.objects.get(pk=threads[2].pk).reply_token == threads[2].reply_token
    # The same idempotency key again: the whole batch is refused, as bulk_create refuses it.
    again = Message(
        organization=acme.org, thread=threads[0], candidate=person, direction=Message.Direction.OUT,
        channel=Message.Channel.EMAIL, subject="Again", body_text="Hi", idempotency_key=f"key-{threads[0].pk}",
    )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        copy_insert([again])
    assert Message.objects.filter(thread__in=threads).count() == 3
