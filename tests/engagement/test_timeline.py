"""The timeline on the candidate page: fragment, grouping, filter, keyset "load more", logging, editing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from engagement.timeline.models import Activity, Reminder
from engagement.timeline.selectors import Cursor
from engagement.timeline.services import COPY_FROM_ROWS, activities_record, activity_build, activity_log
from tests.engagement.conftest import HTMX

pytestmark = pytest.mark.django_db
Kind = Activity.Kind


def url(candidate, name="candidate_timeline", *args):
    return reverse(name, args=[candidate.organization.slug, candidate.pk, *args])


def test_the_candidate_page_loads_the_timeline_with_htmx_and_links_it_without(acme, candidate):
    page = acme.client.get(reverse("candidate_detail", args=[acme.org.slug, candidate.pk])).content.decode()
    assert f'hx-get="{url(candidate)}"' in page
    assert 'hx-trigger="load"' in page
    noscripts = [part.split("</noscript>")[0] for part in page.split("<noscript>")[1:]]
    assert any(f'<a href="{url(candidate)}">open the timeline</a>' in part for part in noscripts)


def test_the_fragment_lists_activities_newest_first_grouped_by_day_with_icons(acme, candidate, record):
    now = timezone.now()
    record(candidate, Kind.MESSAGE_OUT, now - timedelta(days=3, hours=1), summary="Intro e-mail")
    record(candidate, Kind.REPLY_IN, now - timedelta(days=3), summary="Sounds interesting")
    record(candidate, Kind.CALL, now - timedelta(minutes=5), summary="Call · Connected", actor=acme.user)

    response = acme.client.get(url(candidate), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html  # a fragment
    assert html.index("Call · Connected") < html.index("Sounds interesting") < html.index("Intro e-mail")
    assert html.count('class="h6 tc-day-heading"') == 2  # today, and three days ago (created today too)
    assert ">Today<" in html
    assert "☎\ufe0e" in html and "↩\ufe0e" in html and "✉\ufe0e" in html  # the call, reply and message icons
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_without_htmx_the_timeline_is_a_page_of_its_own(acme, candidate):
    response = acme.client.get(url(candidate))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "Timeline of Jane Doe" in html
    assert 'id="timeline-panel"' in html


def test_the_filter_shows_one_kind(acme, candidate, record):
    record(candidate, Kind.NOTE, timezone.now(), summary="A note", body="Likes Rust", actor=acme.user)
    record(candidate, Kind.CALL, timezone.now(), summary="Call · Busy", actor=acme.user)
    html = acme.client.get(url(candidate), {"kind": "call"}, headers=HTMX).content.decode()
    assert "Call · Busy" in html and "Likes Rust" not in html
    assert '<option value="call" selected>' in html
    empty = acme.client.get(url(candidate), {"kind": "bounce"}, headers=HTMX).content.decode()
    assert "No activities of this kind." in empty


def test_an_unknown_kind_filter_shows_everything(acme, candidate, record):
    record(candidate, Kind.NOTE, timezone.now(), summary="A note", body="Likes Rust", actor=acme.user)
    assert "Likes Rust" in acme.client.get(url(candidate), {"kind": "nonsense"}, headers=HTMX).content.decode()


def test_load_more_walks_the_timeline_by_keyset_without_gaps_or_repeats(acme, candidate, record):
    Activity.objects.all().delete()
    same_time = timezone.now() - timedelta(days=1)
    for i in range(30):  # ties on occurred_at are broken by id
        record(candidate, Kind.NOTE, same_time if i < 20 else same_time - timedelta(hours=i), summary=f"n{i}")
    seen, query, pages = [], "", 0
    while True:
        response = acme.client.get(url(candidate) + ("?" + query if query else ""), headers=HTMX)
        html = response.content.decode()
        ids = [int(part.split('"')[0]) for part in html.split('id="activity-')[1:]]
        seen += ids
        pages += 1
        if "Load more" not in html:
            break
        query = "before=" + html.split("?before=")[1].split('"')[0].replace("&amp;", "&") + "&part=items"
        assert pages < 5
    expected = list(
        Activity.objects.filter(candidate=candidate).order_by("-occurred_at", "-id").values_list("pk", flat=True)
    )
    assert seen == expected
    assert pages == 2


def test_a_continued_day_is_not_headed_twice(acme, candidate, record):
    Activity.objects.all().delete()
    when = timezone.now() - timedelta(days=2)
    for i in range(30):
        record(candidate, Kind.NOTE, when - timedelta(seconds=i), summary=f"n{i}")
    first = acme.client.get(url(candidate), headers=HTMX).content.decode()
    query = first.split("?before=")[1].split('"')[0].replace("&amp;", "&")
    second = acme.client.get(f"{url(candidate)}?before={query}&part=items", headers=HTMX).content.decode()
    assert 'class="h6 tc-day-heading"' not in second
    assert second.count('id="activity-') == 5


def test_a_bad_cursor_shows_the_first_page(acme, candidate):
    assert acme.client.get(url(candidate), {"before": "x.y"}, headers=HTMX).status_code == 200
    assert Cursor.decode("garbage") is None and Cursor.decode("") is None
    cursor = Cursor(timezone.now(), 12)
    assert Cursor.decode(cursor.encode()) == cursor


def test_the_timeline_runs_the_same_queries_for_5_or_50_activities(
    acme, make_candidate, record, colleague, django_assert_num_queries
):
    few = make_candidate(acme, "Few", email="few@example.com")
    many = make_candidate(acme, "Many", email="many@example.com")
    now = timezone.now()
    for candidate, count in ((few, 5), (many, 50)):
        for i in range(count):
            actor = acme.user if i % 2 else colleague.user
            record(candidate, [Kind.NOTE, Kind.CALL, Kind.STAGE_CHANGE][i % 3], now - timedelta(hours=i), actor=actor)
        Reminder.objects.create(organization=acme.org, recruiter=acme.user, candidate=candidate, due_at=now, note="x")
    with CaptureQueriesContext(connection) as baseline:
        assert acme.client.get(url(few), headers=HTMX).status_code == 200
    with django_assert_num_queries(len(baseline)):
        assert acme.client.get(url(many), headers=HTMX).status_code == 200
    with django_assert_num_queries(len(baseline)):
        acme.client.get(url(many), headers=HTMX)
    assert len(baseline) <= 9


def test_logging_a_call_through_htmx_returns_the_refreshed_panel(acme, candidate):
    response = acme.client.post(
        url(candidate, "timeline_log", "call"),
        {"call-outcome": "connected", "call-duration_minutes": "20", "call-body": "Keen on the platform team"},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Call · Connected · 20 min" in html and "Keen on the platform team" in html
    call = Activity.objects.get(candidate=candidate, kind=Kind.CALL)
    assert call.details == {"outcome": "connected", "duration_minutes": 20}
    assert call.actor == acme.user


def test_logging_a_note_without_javascript_redirects_to_the_timeline_page(acme, candidate):
    response = acme.client.post(url(candidate, "timeline_log", "note"), {"note-body": "Prefers e-mail"})
    assert response.status_code == 302 and response["Location"] == url(candidate)
    assert Activity.objects.get(candidate=candidate, kind=Kind.NOTE).body == "Prefers e-mail"


def test_a_meeting_logs_its_date_and_attendees(acme, candidate):
    when = (timezone.now() + timedelta(days=7)).replace(second=0, microsecond=0)
    acme.client.post(
        url(candidate, "timeline_log", "meeting"),
        {"meeting-occurred_at": when.strftime("%Y-%m-%dT%H:%M"), "meeting-attendees": "Jane Doe, Sam Smith",
         "meeting-body": "Lunch"},
        headers=HTMX,
    )  # fmt: skip
    meeting = Activity.objects.get(candidate=candidate, kind=Kind.MEETING)
    assert meeting.occurred_at == when
    assert meeting.summary == "Meeting with Jane Doe, Sam Smith"
    assert meeting.details == {"attendees": ["Jane Doe", "Sam Smith"]}


def test_a_meeting_more_than_a_year_away_needs_a_confirmation(acme, candidate):
    data = {"meeting-occurred_at": "2205-06-12T14:00", "meeting-attendees": "Jane"}
    response = acme.client.post(url(candidate, "timeline_log", "meeting"), data)
    assert response.status_code == 400
    assert "more than a year from now" in response.content.decode()
    assert not Activity.objects.filter(kind=Kind.MEETING).exists()
    htmx = acme.client.post(url(candidate, "timeline_log", "meeting"), data, headers=HTMX)
    assert htmx.status_code == 200 and "more than a year from now" in htmx.content.decode()
    assert "<details open>" in htmx.content.decode()
    acme.client.post(url(candidate, "timeline_log", "meeting"), {**data, "meeting-confirm_far_date": "on"})
    assert Activity.objects.filter(kind=Kind.MEETING).count() == 1


def test_bad_log_input_gets_field_errors_and_writes_nothing(acme, candidate):
    before = Activity.objects.count()
    assert acme.client.post(url(candidate, "timeline_log", "note"), {"note-body": "  "}).status_code == 400
    bad_call = acme.client.post(
        url(candidate, "timeline_log", "call"), {"call-outcome": "great", "call-duration_minutes": "-3"}
    )
    assert bad_call.status_code == 400
    future_call = acme.client.post(
        url(candidate, "timeline_log", "call"), {"call-outcome": "connected", "call-occurred_at": "2999-01-01T10:00"}
    )
    assert "cannot be in the future" in future_call.content.decode()
    assert acme.client.post(url(candidate, "timeline_log", "stage_change"), {}).status_code == 404
    assert Activity.objects.count() == before


def test_recruiters_edit_and_delete_their_own_notes(acme, candidate):
    note = activity_log(candidate=candidate, actor=acme.user, kind=Kind.NOTE, body="First thought")
    edit_url = url(candidate, "timeline_activity_edit", note.pk)
    form = acme.client.get(edit_url, headers=HTMX).content.decode()
    assert "First thought" in form and f'name="edit-{note.pk}-body"' in form
    response = acme.client.post(edit_url, {f"edit-{note.pk}-body": "Second thought"}, headers=HTMX)
    assert response.status_code == 200 and "Second thought" in response.content.decode()
    note.refresh_from_db()
    assert (note.body, note.summary) == ("Second thought", "Second thought") and note.edited_at
    assert acme.client.get(url(candidate, "timeline_activity", note.pk), headers=HTMX).status_code == 200

    response = acme.client.post(url(candidate, "timeline_activity_delete", note.pk), headers=HTMX)
    assert "Note deleted." in response.content.decode()
    assert not Activity.objects.filter(pk=note.pk).exists()


def test_editing_a_meeting_keeps_a_confirmed_far_date(acme, candidate):
    far = timezone.now() + timedelta(days=800)
    meeting = activity_log(
        candidate=candidate, actor=acme.user, kind=Kind.MEETING, occurred_at=far, confirm_far_date=True
    )
    prefix = f"edit-{meeting.pk}"
    response = acme.client.post(
        url(candidate, "timeline_activity_edit", meeting.pk),
        {f"{prefix}-occurred_at": timezone.localtime(far).strftime("%Y-%m-%dT%H:%M"), f"{prefix}-body": "Moved"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.body == "Moved"


def test_someone_elses_note_and_non_logged_activities_cannot_be_edited_or_deleted(acme, candidate, colleague, record):
    theirs = activity_log(candidate=candidate, actor=colleague.user, kind=Kind.NOTE, body="Mine, says the colleague")
    created = Activity.objects.get(candidate=candidate, kind=Kind.CREATED)  # acme.user is its actor, but immutable
    for activity in (theirs, created):
        assert acme.client.get(url(candidate, "timeline_activity_edit", activity.pk)).status_code == 404
        edit = acme.client.post(
            url(candidate, "timeline_activity_edit", activity.pk), {f"edit-{activity.pk}-body": "x"}
        )
        assert edit.status_code == 404
        assert acme.client.post(url(candidate, "timeline_activity_delete", activity.pk)).status_code == 404
    theirs.refresh_from_db()
    assert theirs.body == "Mine, says the colleague" and Activity.objects.filter(pk=created.pk).exists()
    html = acme.client.get(url(candidate), headers=HTMX).content.decode()
    assert url(candidate, "timeline_activity_edit", theirs.pk) not in html


def test_the_header_shows_time_in_stage_and_relationship_strength_with_reasons(acme, candidate, record):
    from engagement.timeline.relationships import relationships_refresh

    Candidate.objects.filter(pk=candidate.pk).update(
        stage="engaged", stage_changed_at=timezone.now() - timedelta(days=12)
    )
    record(candidate, Kind.MESSAGE_OUT, timezone.now() - timedelta(days=64))
    record(candidate, Kind.REPLY_IN, timezone.now() - timedelta(days=63, hours=1))
    html = acme.client.get(url(candidate), headers=HTMX).content.decode()
    assert "Not measured yet" in html
    relationships_refresh(candidate_ids=[candidate.pk])
    html = acme.client.get(url(candidate), headers=HTMX).content.decode()
    assert "Engaged</span>" in html and "for 1\xa0week, 5\xa0days" in html
    assert "Last reply 63 days ago" in html and "1 of 1 message answered" in html


def test_the_stage_form_changes_the_stage_with_a_reason(acme, candidate):
    response = acme.client.post(
        url(candidate, "timeline_stage"),
        {"stage-stage": "interested", "stage-reason": "Asked for the JD"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "Stage: New → Interested" in response.content.decode()
    assert "Reason: Asked for the JD" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.stage == "interested"
    bad = acme.client.post(url(candidate, "timeline_stage"), {"stage-stage": "keen"})
    assert bad.status_code == 400


def test_a_reminder_added_from_the_timeline_uses_the_quick_choice_or_a_chosen_date(acme, candidate):
    before = timezone.now()
    acme.client.post(url(candidate, "timeline_reminder"), {"reminder-when": "14", "reminder-note": ""}, headers=HTMX)
    quick = Reminder.objects.get()
    assert quick.note == "Follow up" and quick.recruiter == acme.user and quick.created_by == acme.user
    assert timedelta(days=14) <= quick.due_at - before < timedelta(days=14, minutes=1)

    response = acme.client.post(
        url(candidate, "timeline_reminder"),
        {"reminder-when": "custom", "reminder-due_at": "2030-01-02T09:30", "reminder-note": "Ask about the offer"},
    )
    assert response.status_code == 302
    chosen = Reminder.objects.get(note="Ask about the offer")
    assert timezone.localtime(chosen.due_at).strftime("%Y-%m-%d %H:%M") == "2030-01-02 09:30"
    html = acme.client.get(url(candidate), headers=HTMX).content.decode()
    assert "Ask about the offer" in html


def test_a_custom_reminder_needs_its_date(acme, candidate):
    response = acme.client.post(url(candidate, "timeline_reminder"), {"reminder-when": "custom"})
    assert response.status_code == 400
    assert "Choose the date and time" in response.content.decode()
    assert not Reminder.objects.exists()


def test_times_are_shown_in_the_recruiters_time_zone(acme, candidate, record):
    acme.user.time_zone = "Asia/Tokyo"
    acme.user.save()
    when = timezone.now().replace(hour=1, minute=15, second=0, microsecond=0) - timedelta(days=2)
    record(candidate, Kind.CALL, when, summary="Late call")
    html = acme.client.get(url(candidate), headers=HTMX).content.decode()
    assert ">10:15</time>" in html


def test_a_batch_of_timeline_rows_as_an_import_writes_is_stored_whole_with_its_ids(acme, candidate):
    # Enough rows for the COPY path on PostgreSQL.
    now = timezone.now()
    built = [
        activity_build(
            org=acme.org, candidate_id=candidate.pk, kind=Kind.IMPORT, summary=f"Row {n}", actor_id=acme.user.pk,
            occurred_at=now - timedelta(minutes=n), details={"outcome": "updated", "fields": ["city", f"n{n}"]},
        )
        for n in range(COPY_FROM_ROWS + 5)
    ]  # fmt: skip
    saved = activities_record(built)
    stored = {a.pk: a for a in Activity.objects.filter(candidate=candidate, kind=Kind.IMPORT)}
    assert sorted(stored) == sorted(a.pk for a in saved) and len(stored) == len(built)
    fields = ["organization_id", "actor_id", "summary", "body", "details", "occurred_at", "created_at", "circle_id"]
    for activity in saved:
        assert [getattr(stored[activity.pk], f) for f in fields] == [getattr(activity, f) for f in fields]
    # The sequence moved past the drawn ids: the next row gets a fresh one.
    later = activity_log(candidate=candidate, actor=acme.user, kind=Kind.NOTE, body="After the import")
    assert later.pk > max(stored)
