"""With real Celery workers: an opt-out reply arriving through ingest stops a running sequence before its next step.

The sequence's first e-mail goes out through a real worker; its second is written and queued while no
worker runs; then the candidate writes back "please stop emailing me". The queued follow-up is cancelled
with the reply as the reason, the enrollment stops, and a fresh worker sends nothing more.
Uses the workers of tests/engagement/test_sequence_durability.py (PostgreSQL and Redis pass only).
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from candidates.models import Candidate
from engagement.sequences.dispatcher import dispatch_due
from engagement.sequences.models import Enrollment
from engagement.sequences.tasks import dispatch_followups
from messaging.inbound.ingest import ingest_raw
from messaging.models import Message
from messaging.replies.effects import OPT_OUT_CANCELLED
from tests.engagement.test_sequence_durability import (  # noqa: F401 (workers: the fixture)
    due_enrollments,
    sent,
    wait_for,
    worker_ready,
    workers,
)
from tests.messaging.inbound_support import configure_inbound
from tests.waiting import assert_stays_true

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs REDIS_URL and PostgreSQL (the second CI pass)",
    ),
]


def opt_out_mail(first: Message) -> bytes:
    return (
        f"From: P0 Q <{first.to_email}>\r\nTo: reply+{first.thread.reply_token}@{settings.INBOUND_EMAIL_DOMAIN}\r\n"
        f"Subject: Re: {first.subject}\r\nMessage-ID: <optout-{first.pk}@example.net>\r\n"
        f"In-Reply-To: {first.message_id_header}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Hi,\r\n\r\nplease stop emailing me and remove me from your list.\r\n\r\nP.\r\n"
    ).encode()


def test_an_opt_out_reply_stops_a_running_sequence_before_its_next_step(acme, workers, settings):  # noqa: F811
    configure_inbound(settings)
    # The steps run minutes apart: allow two automated messages a day (the contact policy's limit).
    acme.org.automated_messages_per_day = 2  # saved by due_enrollments
    (enrollment,) = due_enrollments(acme, 1, steps=2)
    worker = workers.start()
    dispatch_followups.apply_async()
    wait_for(lambda: sent() == 1)
    workers.kill(worker)
    # The next step falls due and is written and queued while no worker runs.
    Enrollment.objects.update(next_run_at=timezone.now() - timezone.timedelta(minutes=1))
    assert dispatch_due().messages == 1
    first = Message.objects.select_related("thread").get(status=Message.Status.SENT)
    follow_up = Message.objects.get(status=Message.Status.QUEUED)

    inbound = ingest_raw(opt_out_mail(first))

    assert inbound.message is not None and inbound.message.classification == "opt_out"
    follow_up.refresh_from_db()
    assert (follow_up.status, follow_up.last_error) == (Message.Status.CANCELLED, OPT_OUT_CANCELLED)
    enrollment.refresh_from_db()
    assert enrollment.state not in Enrollment.RUNNING_STATES
    assert Candidate.objects.get(pk=enrollment.candidate_id).unsubscribed_at is not None

    workers.start()
    worker_ready()  # the delivery task queued for the follow-up has been taken (and found nothing to send)
    assert dispatch_followups.apply_async().get(timeout=60)["claimed"] == 0
    assert_stays_true(
        lambda: len(workers.message_ids()) == 1,
        for_seconds=1.0,
        every=0.25,
        message=lambda: f"{len(workers.message_ids())} e-mails sent, expected only the first",
    )
    follow_up.refresh_from_db()
    assert follow_up.status == Message.Status.CANCELLED
