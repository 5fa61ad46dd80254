"""Relationship strength from real activities, the nightly pass, and "going cold" with an explicit `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from candidates.models import Candidate
from engagement.timeline.models import Activity, Relationship, Reminder
from engagement.timeline.relationships import relationships_refresh, relationships_refresh_all, strength_inputs
from engagement.timeline.tasks import relationships_refresh_all_task

pytestmark = pytest.mark.django_db
Kind = Activity.Kind
NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


def test_the_inputs_count_each_kind_and_find_the_last_two_way_contact(candidate, record):
    for days in (100, 70, 65, 10):
        record(candidate, Kind.MESSAGE_OUT, days_ago(days))
    record(candidate, Kind.REPLY_IN, days_ago(69))
    record(candidate, Kind.REPLY_IN, days_ago(64))
    record(candidate, Kind.REPLY_IN, days_ago(63))
    record(candidate, Kind.CALL, days_ago(120))
    record(candidate, Kind.CALL, days_ago(400))  # more than a year ago: no longer counts
    record(candidate, Kind.MEETING, NOW + timedelta(days=3))  # planned: not yet contact
    record(candidate, Kind.NOTE, days_ago(1))  # our own bookkeeping: not a touch

    inputs = strength_inputs(candidate_ids=[candidate.pk], now=NOW)[candidate.pk]
    assert (inputs.last_two_way_at, inputs.last_two_way_kind) == (days_ago(63), "reply_in")
    assert (inputs.messages_out, inputs.replies_in, inputs.calls, inputs.meetings) == (4, 3, 1, 0)
    assert inputs.recent_touches == 6  # in the last 90 days: 3 messages out and 3 replies


def test_a_refresh_stores_the_score_and_the_reasons(candidate, record):
    for days in (70, 66, 65, 64):
        record(candidate, Kind.MESSAGE_OUT, days_ago(days))
    for days in (65, 64, 63):
        record(candidate, Kind.REPLY_IN, days_ago(days))
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW)
    relationship = Relationship.objects.get(candidate=candidate)
    assert relationship.reasons[:2] == ["last reply 63 days ago", "3 of 4 messages answered"]
    assert (relationship.messages_out, relationship.replies_in) == (4, 3)
    assert relationship.last_two_way_at == days_ago(63)
    assert relationship.computed_at == NOW
    assert relationship.organization == candidate.organization
    assert 0 < relationship.score < 100


def test_a_refresh_is_a_fixed_number_of_queries_for_one_or_many_candidates(acme, make_candidate, record):
    people = [make_candidate(acme, f"P{i}", email=f"p{i}@example.com") for i in range(12)]
    for person in people:
        record(person, Kind.REPLY_IN, days_ago(2))
    with CaptureQueriesContext(connection) as one:
        relationships_refresh(candidate_ids=[people[0].pk], now=NOW)
    with CaptureQueriesContext(connection) as many:
        relationships_refresh(candidate_ids=[p.pk for p in people], now=NOW)
    assert len(many) == len(one)


def _warm(candidate, record):
    """A relationship above the default threshold (30): a reply and a call a few days before NOW."""
    record(candidate, Kind.MESSAGE_OUT, days_ago(6))
    record(candidate, Kind.REPLY_IN, days_ago(5))
    record(candidate, Kind.CALL, days_ago(4))
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW)
    assert Relationship.objects.get(candidate=candidate).score >= candidate.organization.cold_score_threshold


def test_a_warm_relationship_whose_score_falls_below_the_threshold_reminds_the_owner(acme, candidate, record):
    _warm(candidate, record)
    warm_score = Relationship.objects.get(candidate=candidate).score
    acme.org.cold_after_days = 365  # only the score rule applies here
    acme.org.save()
    later = NOW + timedelta(days=200)
    for days in (80, 60, 40, 20, 10):  # five messages, none answered
        record(candidate, Kind.MESSAGE_OUT, later - timedelta(days=days))
    relationships_refresh(candidate_ids=[candidate.pk], now=later)
    relationship = Relationship.objects.get(candidate=candidate)
    assert relationship.score < 30
    assert relationship.reasons[1] == "1 of 6 messages answered"
    reminder = Reminder.objects.get(candidate=candidate)
    assert (reminder.recruiter, reminder.origin, reminder.due_at) == (acme.user, "going_cold", later)
    assert reminder.note == f"Going cold: relationship strength fell from {warm_score} to {relationship.score}"


def test_a_relationship_that_never_was_warm_does_not_go_cold_by_score(acme, candidate, record):
    acme.org.cold_after_days = 365
    acme.org.save()
    record(candidate, Kind.MESSAGE_OUT, days_ago(3))
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW)
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW + timedelta(days=30))
    assert Relationship.objects.get(candidate=candidate).score < 30
    assert not Reminder.objects.exists()


def test_no_two_way_contact_for_longer_than_the_setting_reminds_the_owner(acme, candidate, record):
    record(candidate, Kind.REPLY_IN, days_ago(61))
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW)
    reminder = Reminder.objects.get(candidate=candidate)
    assert reminder.note == "Going cold: no two-way contact for 61 days"


def test_a_relationship_inside_the_window_is_not_cold(acme, candidate, record):
    record(candidate, Kind.REPLY_IN, days_ago(59))
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW)
    assert not Reminder.objects.exists()


def test_there_is_at_most_one_open_going_cold_reminder_and_none_again_in_the_same_cold_spell(acme, candidate, record):
    record(candidate, Kind.REPLY_IN, days_ago(80))
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW)
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW + timedelta(days=1))
    assert Reminder.objects.filter(candidate=candidate).count() == 1
    Reminder.objects.update(done_at=NOW + timedelta(days=1))
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW + timedelta(days=2))
    assert Reminder.objects.filter(candidate=candidate).count() == 1  # ticked off: not nagged again

    # New two-way contact ends the spell; when that goes quiet too, a new reminder comes.
    record(candidate, Kind.REPLY_IN, NOW + timedelta(days=3))
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW + timedelta(days=70))
    assert Reminder.objects.filter(candidate=candidate).count() == 2


def test_nobody_is_reminded_about_unowned_candidates_or_by_former_members(acme, make_candidate, record, colleague):
    unowned = make_candidate(acme, "No", "Owner", owner=None, email="no@example.com")
    departed = make_candidate(acme, "Left", "Behind", owner=colleague.user, email="left@example.com")
    colleague.membership.delete()
    for person in (unowned, departed):
        record(person, Kind.REPLY_IN, days_ago(90))
    relationships_refresh(candidate_ids=[unowned.pk, departed.pk], now=NOW)
    assert not Reminder.objects.exists()
    assert Relationship.objects.count() == 2


def test_the_org_settings_decide_what_is_cold(acme, candidate, record):
    acme.org.cold_after_days = 10
    acme.org.save()
    record(candidate, Kind.REPLY_IN, days_ago(11))
    relationships_refresh(candidate_ids=[candidate.pk], now=NOW)
    assert Reminder.objects.filter(candidate=candidate, origin="going_cold").exists()


def test_the_nightly_pass_covers_every_candidate_with_activities_in_batches(acme, globex, make_candidate, record):
    people = [make_candidate(acme, f"P{i}", email=f"p{i}@example.com") for i in range(5)]
    theirs = make_candidate(globex, "Their", "Candidate", email="their@example.com")
    Activity.objects.all().delete()  # only the activities below
    for person in [*people[:4], theirs]:
        record(person, Kind.REPLY_IN, days_ago(3))
    assert relationships_refresh_all(now=NOW, batch_size=2) == 5
    assert set(Relationship.objects.values_list("candidate_id", flat=True)) == {p.pk for p in [*people[:4], theirs]}
    assert Relationship.objects.get(candidate=theirs).organization == globex.org


def test_the_nightly_task_runs_the_pass(candidate, record):
    record(candidate, Kind.MEETING, timezone.now() - timedelta(days=1))  # the task reads the real clock
    assert relationships_refresh_all_task.delay().get() >= 1
    assert Relationship.objects.get(candidate=candidate).reasons[2] == "1 meeting"


def test_a_deleted_candidate_is_skipped(acme, candidate):
    pk = candidate.pk
    Candidate.objects.filter(pk=pk).delete()
    assert relationships_refresh(candidate_ids=[pk], now=NOW) == []
