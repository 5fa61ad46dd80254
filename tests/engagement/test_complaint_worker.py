"""A spam complaint stops a running sequence for real: a Celery worker, Redis and PostgreSQL.

The follow-up is already written and queued for delivery when the complaint arrives; the worker
that takes the delivery task sends the other candidate's follow-up and not the complainer's.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from engagement.sequences.dispatcher import dispatch_due
from engagement.sequences.models import Enrollment
from engagement.sequences.tasks import dispatch_followups
from messaging.inbound.ingest import ingest_raw
from messaging.models import InboundEmail, Message
from tests.engagement.test_sequence_durability import (  # noqa: F401  (`workers` is a fixture)
    Workers,
    due_enrollments,
    pytestmark,
    sent,
    wait_for,
    workers,
)


def arf_complaint(message: Message) -> bytes:
    return (
        "From: Feedback Loop <fbl@feedback.example.com>\nTo: fbl@reply.test\n"
        "Subject: Complaint about message\nMessage-ID: <fbl-worker@feedback.example.com>\nMIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=feedback-report; boundary="b"\n\n'
        "--b\nContent-Type: text/plain\n\nAn abuse report.\n\n"
        "--b\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: ExampleFBL/1.0\n"
        f"Version: 1\nOriginal-Rcpt-To: <{message.to_email}>\n\n"
        f"--b\nContent-Type: message/rfc822\n\nFrom: Acme <noreply@localhost>\nTo: {message.to_email}\n"
        f"Subject: {message.subject}\nMessage-ID: {message.message_id_header}\n\nHello\n\n--b--\n"
    ).encode()


@pytest.mark.usefixtures("transactional_db")
def test_a_complaint_stops_a_running_sequence_and_its_queued_follow_up(acme, workers: Workers):  # noqa: F811
    # The three steps run minutes apart: allow three automated messages a day (the contact policy's limit).
    acme.org.automated_messages_per_day = 3  # saved by due_enrollments
    quiet, complainer = due_enrollments(acme, 2, steps=3)
    worker = workers.start()
    dispatch_followups.apply_async()
    wait_for(lambda: sent() == 2)
    workers.kill(worker)
    Enrollment.objects.update(next_run_at=timezone.now() - timezone.timedelta(minutes=1))
    assert dispatch_due().messages == 2  # both follow-ups written and queued; no worker is running
    first = Message.objects.get(candidate_id=complainer.candidate_id, status=Message.Status.SENT)

    inbound = ingest_raw(arf_complaint(first))

    assert inbound.status == InboundEmail.Status.COMPLAINT
    complainer.refresh_from_db()
    assert (complainer.state, complainer.stop_reason) == ("stopped", "The candidate reported our e-mail as spam.")
    workers.start()
    wait_for(lambda: sent() == 3 and Message.objects.filter(status=Message.Status.CANCELLED).exists())
    follow_up = Message.objects.get(candidate_id=complainer.candidate_id, status=Message.Status.CANCELLED)
    assert follow_up.last_error.startswith("Not sent:")
    ids = workers.message_ids()
    assert len(ids) == len(set(ids)) == 3 and follow_up.message_id_header.encode() not in ids
    assert Message.objects.filter(candidate_id=quiet.candidate_id, status=Message.Status.SENT).count() == 2
    # The third step falls due: the dispatcher on the worker takes only the other candidate's.
    Enrollment.objects.update(next_run_at=timezone.now() - timezone.timedelta(minutes=1))
    assert dispatch_followups.apply_async().get(timeout=60)["claimed"] == 1
    wait_for(lambda: sent() == 4)
    assert Message.objects.filter(candidate_id=complainer.candidate_id).count() == 2
    complainer.refresh_from_db()
    assert complainer.state == "stopped" and complainer.steps_done == 2
