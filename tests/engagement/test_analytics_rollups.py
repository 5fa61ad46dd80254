"""Roll-ups: the rebuild from the messages gives exactly what the incremental updates gave."""

from __future__ import annotations

import os
from datetime import UTC, date, timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from engagement.analytics import metric as analytics
from engagement.analytics.models import ResponseOutreach, ResponseStat
from engagement.analytics.rollups.rebuild import rollups_rebuild
from engagement.circles.models import CircleOutreach
from engagement.sequences.models import SequenceMessage
from messaging import outbox
from messaging import services as messaging_services
from messaging.delivery import message_deliver
from messaging.models import Message
from talentcircles import events
from tests.engagement.analytics_support import answer, at, build_scenario, outreach, snapshot, stats_events  # noqa: F401
from tests.factories import CandidateFactory, CircleFactory


def test_rebuild_equals_incremental_for_every_rule(acme, globex):
    build_scenario(acme)
    build_scenario(globex)
    incremental = snapshot(acme.org)
    assert incremental[0], "the scenario wrote roll-ups"
    rollups_rebuild(org=acme.org)
    assert snapshot(acme.org) == incremental
    rollups_rebuild(org=acme.org)  # idempotent
    assert snapshot(acme.org) == incremental


def test_a_rebuild_since_a_date_keeps_what_came_before(acme):
    build_scenario(acme)
    incremental = snapshot(acme.org)
    ResponseStat.objects.for_org(acme.org).filter(day__gte=date(2026, 3, 1)).update(sent=999)
    rollups_rebuild(org=acme.org, since=date(2026, 3, 1))
    assert snapshot(acme.org) == incremental


def test_the_rebuild_touches_only_its_organisation(acme, globex):
    build_scenario(acme)
    build_scenario(globex)
    theirs = snapshot(globex.org)
    ResponseStat.objects.for_org(acme.org).delete()
    ResponseOutreach.objects.for_org(acme.org).delete()
    rollups_rebuild(org=acme.org)
    assert snapshot(globex.org) == theirs


def test_the_command_rebuilds_one_organisation_or_all(acme, globex):
    build_scenario(acme)
    expected = snapshot(acme.org)
    ResponseStat.objects.all().delete()
    call_command("rebuild_response_stats", "--org", "acme")
    assert snapshot(acme.org) == expected
    call_command("rebuild_response_stats", "--since", "2026-03-01")
    assert snapshot(acme.org) == expected


def test_a_handler_run_twice_counts_once(acme):
    from engagement.analytics.rollups.live import STATS_HANDLERS
    from messaging.models import Message

    conversation = outreach(acme.org, acme.user, at(0))
    reply = answer(conversation, at(1))
    first = Message.objects.get(thread=conversation, direction="out")
    for kind, message in [(events.MESSAGE_SENT, first), (events.REPLY_RECEIVED, reply)]:
        STATS_HANDLERS[kind](
            events.CandidateEvent(
                organization_id=acme.org.pk, candidate_id=conversation.candidate_id, kind=kind,
                related={"message_id": message.pk, "thread_id": conversation.pk},
            )
        )  # fmt: skip
    row = ResponseStat.objects.get(organization=acme.org, dimension="all", recruiter_id=0)
    assert (row.sent, row.answered, row.answer_hours) == (1, 1, {"24": 1})


@pytest.mark.usefixtures("stats_events")
def test_the_real_messaging_path_feeds_the_rollups(acme):
    """thread_start → delivery → an automatic reply → a real reply, and a bounced second outreach."""
    one = CandidateFactory(organization=acme.org, email="one@example.com")
    two = CandidateFactory(organization=acme.org, email="two@example.com")
    first = outbox.thread_start(
        org=acme.org, candidate=one, recruiter=acme.user, subject="Backend role", body="Hello, a role for you."
    )
    sent_at = timezone.now()
    assert message_deliver(first.pk, now=sent_at) == "sent"
    receive = messaging_services.message_receive
    receive(thread=first.thread, channel="email", body_text="Away", is_auto_reply=True, received_at=sent_at)
    receive(thread=first.thread, channel="email", body_text="Tell me more", received_at=sent_at + timedelta(days=2))
    second = outbox.thread_start(
        org=acme.org, candidate=two, recruiter=acme.user, subject="Backend role", body="Hello, a role for you."
    )
    assert message_deliver(second.pk, now=sent_at) == "sent"
    second.refresh_from_db()
    messaging_services.message_bounce(message=second, reason="550 no such user")
    day = sent_at.astimezone(UTC).date()
    row = analytics.response_rates(
        org=acme.org, group_by="all", date_from=day, date_to=day, now=sent_at + timedelta(days=3)
    )[0]
    assert (row.sent, row.answered, row.bounced, row.unanswered, row.median_hours_to_reply) == (2, 1, 1, 0, 48.0)
    incremental = snapshot(acme.org)
    rollups_rebuild(org=acme.org)
    assert snapshot(acme.org) == incremental


def test_seed_messages_writes_conversations_and_their_links_the_rollups_can_read(acme):
    for number in range(20):
        CandidateFactory(organization=acme.org, email=f"seed{number}@example.com")
    CircleFactory(organization=acme.org, name="Seeded circle")
    call_command("seed_messages", "--org", "acme", "--messages", "300", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert Message.objects.for_org(acme.org).count() >= 300
    automated = Message.objects.for_org(acme.org).filter(automated=True)
    assert automated.exists() and SequenceMessage.objects.count() == automated.count()
    assert not automated.exclude(thread__sequence_messages__enrollment__sequence__organization=acme.org).exists()
    assert CircleOutreach.objects.for_org(acme.org).exists()
    rollups_rebuild(org=acme.org)
    today = timezone.now().astimezone(UTC).date()
    span = {"org": acme.org, "date_from": today - timedelta(days=121), "date_to": today}
    [row] = analytics.response_rates(group_by="all", **span)
    assert row.sent > 100 and row.answered > 0 and row.sent == row.answered + row.unanswered + row.pending + row.bounced
    for cut in ("sequence", "step", "circle"):
        assert any(r.key and r.sent for r in analytics.response_rates(group_by=cut, **span)), cut


def test_a_rebuild_repairs_drifted_missing_and_stale_rows(acme):
    """Whatever the tables hold (a lost event, a wrong count, a row for nothing), the rebuild restores the truth."""
    build_scenario(acme)
    incremental = snapshot(acme.org)
    rows = ResponseOutreach.objects.for_org(acme.org).order_by("pk")
    first, second, third = rows[0], rows[1], rows[2]
    ResponseOutreach.objects.filter(pk=first.pk).update(bounced=not first.bounced, industry="Wrong", steps_sent=",999,")
    ResponseOutreach.objects.filter(pk=second.pk).update(unsubscribed=not second.unsubscribed)
    ResponseOutreach.objects.filter(pk=third.pk).delete()
    stat = ResponseStat.objects.for_org(acme.org).filter(dimension="all", recruiter_id=0).first()
    ResponseStat.objects.filter(pk=stat.pk).update(answered=stat.answered + 5, answer_hours={"1": 99})
    ResponseStat.objects.create(organization=acme.org, day=date(2026, 1, 5), dimension="source", key="x", sent=3)
    kept = set(rows.exclude(pk__in=[first.pk, second.pk]).values_list("pk", flat=True))
    rollups_rebuild(org=acme.org)
    assert snapshot(acme.org) == incremental
    if connection.vendor == "postgresql":  # only rows that differ are rewritten: the others keep their ids
        assert kept <= set(ResponseOutreach.objects.for_org(acme.org).values_list("pk", flat=True))
