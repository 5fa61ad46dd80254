"""Every candidate event becomes a timeline activity through the one receiver and the one activity service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from candidates import privacy
from candidates import services as candidate_services
from candidates.importing.batch import upsert_batch
from candidates.importing.records import Record
from candidates.merge import candidate_merge
from candidates.models import Candidate
from engagement.timeline import services
from engagement.timeline.models import Activity, Relationship, Reminder
from engagement.timeline.relationships import relationships_refresh
from engagement.timeline.services import activity_record
from talentcircles import events

pytestmark = pytest.mark.django_db
Kind = Activity.Kind


def _kinds(candidate) -> list[str]:
    return list(Activity.objects.filter(candidate=candidate).order_by("id").values_list("kind", flat=True))


def test_a_created_candidate_starts_its_timeline_with_who_added_them(acme, make_candidate):
    candidate = make_candidate(acme, source="referral")
    activity = Activity.objects.get(candidate=candidate)
    assert (activity.kind, activity.actor, activity.organization) == (Kind.CREATED, acme.user, acme.org)
    assert activity.summary == "Added to the community (referral)"
    assert activity.details == {"source": "referral"}


def test_imports_record_a_created_and_then_an_updated_row(acme):
    first = candidate_services.candidate_upsert(
        org=acme.org, actor=acme.user, data={"first_name": "Ada", "email": "ada@example.com"}
    )
    again = candidate_services.candidate_upsert(
        org=acme.org, actor=acme.user, data={"first_name": "Ada", "email": "ada@example.com", "city": "London"}
    )
    assert again.outcome == "updated"
    rows = list(Activity.objects.filter(candidate=first.candidate).order_by("id"))
    assert [(a.kind, a.summary) for a in rows] == [
        (Kind.IMPORT, "Imported"),
        (Kind.IMPORT, "Import filled in city"),
    ]
    assert rows[1].details == {"outcome": "updated", "fields": ["city"]}


def test_the_batch_import_path_records_one_activity_per_row(acme):
    records = [
        Record(row=2, raw={}, data={"first_name": "Ada", "email": "ada@example.com"}),
        Record(row=3, raw={}, data={"first_name": "Alan", "email": "alan@example.com"}),
    ]
    upsert_batch(org=acme.org, actor=acme.user, records=records)
    assert Activity.objects.for_org(acme.org).filter(kind=Kind.IMPORT).count() == 2


def test_a_profile_edit_is_recorded_with_the_fields_but_a_save_without_changes_is_not(acme, candidate):
    candidate_services.candidate_update(candidate=candidate, actor=acme.user, data={"city": "Paris"}, skills=[])
    candidate_services.candidate_update(candidate=candidate, actor=acme.user, data={"city": "Paris"}, skills=[])
    changes = Activity.objects.filter(candidate=candidate, kind=Kind.PROFILE_CHANGE)
    assert [(a.summary, a.details) for a in changes] == [
        ("Profile edited: city", {"fields": ["city"], "by_candidate": False})
    ]


def test_a_change_by_the_candidate_themself_says_so(acme, candidate):
    portal_user = acme.user.__class__.objects.create_user("jane.portal@example.com", "x")
    Candidate.objects.filter(pk=candidate.pk).update(user=portal_user)
    candidate.refresh_from_db()
    privacy.candidate_update_by_self(candidate=candidate, data={"headline": "Rust and Go"})
    change = Activity.objects.get(candidate=candidate, kind=Kind.PROFILE_CHANGE)
    assert (change.summary, change.actor) == ("Updated their profile: headline", portal_user)
    assert change.details == {"fields": ["headline"], "by_candidate": True}


def test_consent_changes_and_unsubscribes_are_on_the_timeline(acme, candidate):
    privacy.candidate_unsubscribe(candidate=candidate, source="unsubscribe_link")
    rows = Activity.objects.filter(candidate=candidate, kind__in=[Kind.CONSENT_CHANGE, Kind.UNSUBSCRIBE]).order_by("id")
    assert [(a.kind, a.summary) for a in rows] == [
        (Kind.CONSENT_CHANGE, "Consent “Receive messages” withdrawn (unsubscribe link)"),
        (Kind.UNSUBSCRIBE, "Unsubscribed from all messages (unsubscribe link)"),
    ]
    assert rows[0].details["granted"] is False and "consent_record_id" in rows[0].details


def test_an_erasure_keeps_when_and_what_but_drops_the_content_reminders_and_strength(acme, candidate, record):
    note = services.activity_log(candidate=candidate, actor=acme.user, kind=Kind.NOTE, body="Jane has two kids")
    record(candidate, Kind.REPLY_IN, timezone.now() - timedelta(days=2), summary="Jane: sounds great")
    services.reminder_create(
        org=acme.org, candidate_id=candidate.pk, recruiter=acme.user, due_at=timezone.now(), note="Call Jane"
    )
    relationships_refresh(candidate_ids=[candidate.pk])
    privacy.candidate_erase(candidate=candidate, source="admin", actor=acme.user)

    note.refresh_from_db()
    assert (note.kind, note.summary, note.body, note.details) == (Kind.NOTE, "Note", "", {})
    reply = Activity.objects.get(candidate=candidate, kind=Kind.REPLY_IN)
    assert reply.summary == "Reply received"
    assert not any("Jane" in a.summary + a.body for a in Activity.objects.filter(candidate=candidate))
    assert not Reminder.objects.filter(candidate=candidate).exists()
    assert not Relationship.objects.filter(candidate=candidate).exists()


def test_a_stage_change_records_from_to_reason_and_time_in_the_previous_stage(acme, candidate):
    Candidate.objects.filter(pk=candidate.pk).update(stage_changed_at=timezone.now() - timedelta(days=3, hours=1))
    candidate.refresh_from_db()
    candidate_services.candidate_set_stage(
        candidate=candidate, actor=acme.user, stage="contacted", reason="Cold e-mail"
    )
    candidate_services.candidate_set_stage(candidate=candidate, actor=acme.user, stage="contacted")  # no change
    change = Activity.objects.get(candidate=candidate, kind=Kind.STAGE_CHANGE)
    assert change.summary == "Stage: New → Contacted"
    assert change.actor == acme.user
    assert change.details["previous"] == "new" and change.details["stage"] == "contacted"
    assert change.details["reason"] == "Cold e-mail"
    assert 3 * 86400 < change.details["time_in_previous_seconds"] < 4 * 86400
    assert change.occurred_at == Candidate.objects.get(pk=candidate.pk).stage_changed_at


def test_stage_history_keeps_every_move_and_time_in_stage_restarts(acme, candidate):
    for stage in ("contacted", "engaged", "interested"):
        candidate_services.candidate_set_stage(candidate=candidate, actor=acme.user, stage=stage)
    history = Activity.objects.filter(candidate=candidate, kind=Kind.STAGE_CHANGE).order_by("occurred_at", "id")
    assert [(a.details["previous"], a.details["stage"]) for a in history] == [
        ("new", "contacted"),
        ("contacted", "engaged"),
        ("engaged", "interested"),
    ]
    assert all(a.details["time_in_previous_seconds"] < 60 for a in history)
    candidate.refresh_from_db()
    assert candidate.stage == "interested" and timezone.now() - candidate.stage_changed_at < timedelta(minutes=1)


def test_a_bulk_stage_change_records_an_activity_per_candidate(acme, make_candidate):
    people = [make_candidate(acme, f"P{i}", email=f"p{i}@example.com") for i in range(3)]
    candidate_services.candidates_set_stage(
        org=acme.org, candidates=Candidate.objects.for_org(acme.org), stage="engaged", actor=acme.user
    )
    assert all(_kinds(person) == [Kind.CREATED, Kind.STAGE_CHANGE] for person in people)


def test_a_merge_moves_the_history_reminders_and_relationship_to_the_kept_candidate(acme, make_candidate, record):
    keep = make_candidate(acme, "Jane", "Doe", email="jane@example.com")
    other = make_candidate(acme, "Janet", "Doe", email="janet@example.com")
    call = record(other, Kind.CALL, timezone.now() - timedelta(days=2), actor=acme.user)
    reminder = Reminder.objects.create(
        organization=acme.org, recruiter=acme.user, candidate=other, due_at=timezone.now(), note="Call back"
    )
    relationships_refresh(candidate_ids=[keep.pk, other.pk])
    other_pk = other.pk

    candidate_merge(org=acme.org, keep=keep, other=other, choices={}, actor=acme.user)

    call.refresh_from_db()
    reminder.refresh_from_db()
    assert call.candidate_id == keep.pk and reminder.candidate_id == keep.pk
    assert not Relationship.objects.filter(candidate_id=other_pk).exists()
    merge = Activity.objects.get(candidate=keep, kind=Kind.MERGE)
    assert merge.summary == f"Merged with Janet Doe (#{other_pk})"
    assert merge.details["merged_candidate_id"] == other_pk and merge.actor == acme.user
    assert Activity.objects.filter(candidate=keep, kind=Kind.CREATED).count() == 2  # both records' starts


def test_a_merge_leaves_one_open_going_cold_reminder(acme, make_candidate):
    keep = make_candidate(acme, "Jane", email="jane@example.com")
    other = make_candidate(acme, "Janet", email="janet@example.com")
    for person in (keep, other):
        Reminder.objects.create(
            organization=acme.org, recruiter=acme.user, candidate=person, due_at=timezone.now(),
            note="Going cold", origin=Reminder.Origin.GOING_COLD,
        )  # fmt: skip
    candidate_merge(org=acme.org, keep=keep, other=other, choices={}, actor=acme.user)
    assert Reminder.objects.filter(candidate=keep, origin="going_cold").open().count() == 1


def test_a_merge_recomputes_the_kept_relationship_after_commit(
    acme, make_candidate, record, django_capture_on_commit_callbacks
):
    keep = make_candidate(acme, "Jane", email="jane@example.com")
    other = make_candidate(acme, "Janet", email="janet@example.com")
    record(other, Kind.REPLY_IN, timezone.now() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        candidate_merge(org=acme.org, keep=keep, other=other, choices={}, actor=acme.user)
    relationship = Relationship.objects.get(candidate=keep)
    assert relationship.replies_in == 1 and relationship.reasons[0] == "last reply yesterday"


def test_deleting_a_candidate_deletes_their_timeline(acme, candidate, record):
    record(candidate, Kind.NOTE, timezone.now(), actor=acme.user)
    candidate_services.candidate_delete(candidate=candidate, actor=acme.user)
    assert not Activity.objects.for_org(acme.org).exists()


def test_an_activity_that_changes_the_score_queues_a_recomputation_on_commit(
    acme, candidate, record, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        record(candidate, Kind.REPLY_IN, timezone.now() - timedelta(hours=1))
    assert len(callbacks) == 1
    assert Relationship.objects.get(candidate=candidate).reasons[0] == "last reply today"
    with django_capture_on_commit_callbacks() as callbacks:
        record(candidate, Kind.STAGE_CHANGE, timezone.now())
    assert callbacks == []  # a stage change does not move the score


def test_the_activity_service_refuses_unknown_kinds_and_ambiguous_organisations(acme, candidate):
    with pytest.raises(ValueError, match="Unknown activity kind"):
        activity_record(org=acme.org, candidate_id=candidate.pk, kind="telepathy", summary="?")
    with pytest.raises(TypeError):
        activity_record(org=acme.org, organization_id=acme.org.pk, candidate_id=candidate.pk, kind="note", summary="?")


def test_other_event_kinds_are_ignored_and_the_receiver_is_subscribed_once(acme, candidate):
    from engagement.timeline.receivers import on_candidate_events

    assert events._batch_subscribers.count(on_candidate_events) == 1
    before = Activity.objects.count()
    on_candidate_events(
        [events.CandidateEvent(organization_id=acme.org.pk, candidate_id=candidate.pk, kind=events.DELETED)]
    )
    assert Activity.objects.count() == before


def test_a_batch_of_import_events_writes_its_timeline_rows_in_one_statement(acme, candidate, django_assert_num_queries):
    from engagement.timeline.receivers import on_candidate_events

    batch = [
        events.CandidateEvent(organization_id=acme.org.pk, candidate_id=candidate.pk, kind=events.IMPORTED,
                              details={"outcome": "created"})
        for _ in range(50)
    ]  # fmt: skip
    before = Activity.objects.count()
    with django_assert_num_queries(1):
        on_candidate_events(batch)
    assert Activity.objects.count() == before + 50
