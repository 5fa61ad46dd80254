"""The recruiter's sequence list and sequence page: counts, enrolments, status changes, entry points, query counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from engagement.sequences import lifecycle
from engagement.sequences.models import Enrollment, Sequence
from engagement.timeline.models import Activity
from messaging import outbox
from messaging import services as messaging_services
from messaging.models import Message, Thread
from tests.engagement.sequence_support import candidate, enrol, link_to_step, make_sequence
from tests.engagement.sequence_views_support import circle_with, url

pytestmark = pytest.mark.django_db


def test_the_list_has_an_empty_state(acme):
    response = acme.client.get(url("sequence_list", acme))
    assert response.status_code == 200
    assert b'id="sequences-empty"' in response.content


def test_the_list_shows_steps_active_enrollments_and_the_reply_rate(acme):
    sequence = make_sequence(acme, name="Backend 2026")
    people = [candidate(acme) for _ in range(4)]
    enrol(acme, sequence, people)
    Enrollment.objects.filter(candidate=people[0]).update(steps_done=1, state=Enrollment.State.REPLIED)
    Enrollment.objects.filter(candidate=people[1]).update(steps_done=1)
    response = acme.client.get(url("sequence_list", acme))
    row = response.context["page"].object_list[0]
    assert (row.step_count, row.active_count, row.reply_rate) == (3, 3, 50.0)
    assert b"Backend 2026" in response.content
    assert b'data-reply-rate="50.0"' in response.content


def test_the_list_leaves_archived_sequences_out_unless_asked(acme):
    make_sequence(acme, name="Old one", status=Sequence.Status.ARCHIVED)
    assert b"Old one" not in acme.client.get(url("sequence_list", acme)).content
    assert b"Old one" in acme.client.get(url("sequence_list", acme) + "?archived=1").content


def test_the_list_runs_a_fixed_number_of_queries(acme, django_assert_max_num_queries):
    make_sequence(acme, name="First")
    with django_assert_max_num_queries(20) as few:
        acme.client.get(url("sequence_list", acme))
    for n in range(8):
        sequence = make_sequence(acme, name=f"More {n}")
        enrol(acme, sequence, [candidate(acme)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert acme.client.get(url("sequence_list", acme)).status_code == 200


def test_a_sequence_is_paused_resumed_and_archived(acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    status_url = url("sequence_status", acme, sequence.pk)
    assert acme.client.post(status_url, {"status": "paused"}).status_code == 302
    assert Sequence.objects.get(pk=sequence.pk).status == "paused"
    acme.client.post(status_url, {"status": "active"})
    assert Sequence.objects.get(pk=sequence.pk).status == "active"
    response = acme.client.post(status_url, {"status": "archived"})
    assert response["Location"] == url("sequence_list", acme)
    enrollment.refresh_from_db()
    assert (Sequence.objects.get(pk=sequence.pk).status, enrollment.state) == ("archived", "stopped")


def test_an_unknown_status_changes_nothing(acme):
    sequence = make_sequence(acme)
    response = acme.client.post(url("sequence_status", acme, sequence.pk), {"status": "deleted"})
    assert response.status_code == 302
    assert Sequence.objects.get(pk=sequence.pk).status == "active"


def _sent(message: Message) -> Message:
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT, sent_at=timezone.now())
    return message


def test_the_sequence_page_counts_each_step_and_lists_enrollments(acme):
    sequence = make_sequence(acme)
    first, second, _task = sequence.steps.order_by("order")
    people = [candidate(acme, first_name=f"P{n}") for n in range(4)]
    enrollments = enrol(acme, sequence, people).enrolled
    threads = {}
    for enrollment in enrollments:
        message = _sent(
            outbox.thread_start(
                org=acme.org,
                candidate=enrollment.candidate,
                recruiter=acme.user,
                subject="Hi",
                body="Hello there",
                origin=Thread.Origin.SEQUENCE,
                automated=True,
            )
        )
        link_to_step(message, enrollment, first)
        threads[enrollment.candidate_id] = message.thread
    # P0 answers "Interested" after step 1; P1's address bounces; P2 gets step 2 and says "Not interested".
    messaging_services.message_receive(
        thread=threads[people[0].pk], channel=Message.Channel.CLICK, body_text="", classification="interested"
    )
    Message.objects.filter(thread=threads[people[1].pk]).update(status=Message.Status.BOUNCED)
    follow_up = outbox.message_reply(
        thread=threads[people[2].pk], sender=acme.user, body="Following up", automated=True
    )
    link_to_step(_sent(follow_up), enrollments[2], second)
    messaging_services.message_receive(
        thread=threads[people[2].pk],
        channel=Message.Channel.EMAIL,
        body_text="No thanks",
        classification="not_interested",
        received_at=timezone.now() + timedelta(minutes=5),
    )
    # P3 unsubscribes after step 1.
    Activity.objects.create(
        organization=acme.org,
        candidate=people[3],
        kind=Activity.Kind.UNSUBSCRIBE,
        summary="Unsubscribed",
        occurred_at=timezone.now() + timedelta(minutes=10),
    )

    response = acme.client.get(url("sequence_detail", acme, sequence.pk))
    assert response.status_code == 200
    figures = {row.step.order: row for row in response.context["figures"]}
    assert (figures[1].sent, figures[1].bounced, figures[1].replied, figures[1].interested) == (4, 1, 1, 1)
    assert figures[1].unsubscribed == 1
    assert (figures[2].sent, figures[2].replied, figures[2].not_interested) == (1, 1, 1)
    assert (figures[3].sent, figures[3].replied) == (0, 0)
    assert len(response.context["page"].object_list) == 4
    assert b'id="enrollment-table"' in response.content


def test_next_send_times_are_shown_in_the_viewers_time_zone(acme):
    acme.user.time_zone = "America/New_York"
    acme.user.save()
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    Enrollment.objects.filter(pk=enrollment.pk).update(next_run_at=datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    response = acme.client.get(url("sequence_detail", acme, sequence.pk))
    assert b"Mon 2 Mar, 10:00 EST" in response.content


def test_the_enrollment_list_filters_by_state(acme):
    sequence = make_sequence(acme)
    _a, b = enrol(acme, sequence, [candidate(acme), candidate(acme)]).enrolled
    lifecycle.enrollment_stop(enrollment=b)
    response = acme.client.get(url("sequence_detail", acme, sequence.pk) + "?state=stopped")
    assert [e.pk for e in response.context["page"].object_list] == [b.pk]
    assert b"Stopped by a recruiter." in response.content


def test_the_sequence_page_runs_a_fixed_number_of_queries(acme, django_assert_max_num_queries):
    sequence = make_sequence(acme)
    enrol(acme, sequence, [candidate(acme)])
    with django_assert_max_num_queries(30) as few:
        acme.client.get(url("sequence_detail", acme, sequence.pk))
    enrol(acme, sequence, [candidate(acme) for _ in range(15)])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert acme.client.get(url("sequence_detail", acme, sequence.pk)).status_code == 200


def test_a_recruiter_sees_the_nav_link_and_entry_points(acme):
    jane = candidate(acme)
    circle = circle_with(acme, jane)
    assert b">Sequences</a>" in acme.client.get(url("sequence_list", acme)).content
    detail = acme.client.get(url("candidate_detail", acme, jane.pk))
    assert f"{url('sequence_enrol', acme)}?candidate={jane.pk}".encode() in detail.content
    circle_page = acme.client.get(url("circle_detail", acme, circle.pk))
    assert f"{url('sequence_enrol', acme)}?circle={circle.pk}".encode() in circle_page.content
    listing = acme.client.get(url("candidate_list", acme))
    assert b'id="bulk-enrol"' in listing.content
