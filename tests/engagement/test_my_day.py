"""Reminders and "My day": due and overdue reminders, cold relationships, done and snooze in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from engagement.timeline import selectors, services
from engagement.timeline.models import Reminder
from tests.engagement.conftest import HTMX

pytestmark = pytest.mark.django_db


def my_day(tenant) -> str:
    return reverse("my_day", args=[tenant.org.slug])


def remind(tenant, candidate, *, hours: float = 0, note: str = "Follow up", recruiter=None, origin="recruiter"):
    return services.reminder_create(
        org=tenant.org, candidate_id=candidate.pk, recruiter=recruiter or tenant.user,
        due_at=timezone.now() + timedelta(hours=hours), note=note, origin=origin,
    )  # fmt: skip


def test_my_day_lists_my_due_and_overdue_reminders_and_cold_relationships(acme, candidate, colleague):
    remind(acme, candidate, hours=-30, note="Overdue one")
    remind(acme, candidate, hours=-0.1, note="Due now")
    remind(acme, candidate, hours=24 * 3, note="Later this week")
    remind(acme, candidate, hours=-1, note="Colleague's", recruiter=colleague.user)
    remind(acme, candidate, hours=-2, note="Going cold: no two-way contact for 61 days", origin="going_cold")
    done = remind(acme, candidate, hours=-5, note="Already done")
    services.reminder_complete(reminder=done)

    html = acme.client.get(my_day(acme)).content.decode()
    due = html.split('id="due-reminders"')[1].split("</ul>")[0]
    assert "Overdue one" in due and "Due now" in due
    assert "Overdue · " in due
    assert "Later this week" not in html and "Colleague's" not in html and "Already done" not in html
    assert 'id="due-count">2<' in html
    overdue = Reminder.objects.get(note="Overdue one")
    for name in ("reminder_done", "reminder_snooze"):  # the rows build these on one URL: they must agree
        assert f'="{reverse(name, args=[acme.org.slug, overdue.pk])}"' in due
    assert f'href="{reverse("candidate_detail", args=[acme.org.slug, candidate.pk])}"' in due
    cold = html.split('id="cold-reminders"')[1].split("</ul>")[0]
    assert "no two-way contact for 61 days" in cold and 'id="cold-count">1<' in html


def test_an_empty_day_says_so(acme):
    html = acme.client.get(my_day(acme)).content.decode()
    assert "Nothing due today." in html and "No relationship is going cold." in html


def test_a_reminder_is_ticked_off_in_place(acme, candidate):
    reminder = remind(acme, candidate, note="Send the JD")
    response = acme.client.post(reverse("reminder_done", args=[acme.org.slug, reminder.pk]), headers=HTMX)
    assert response.status_code == 200
    assert 'role="status">Done: Send the JD (Jane Doe).</li>' in response.content.decode()
    reminder.refresh_from_db()
    assert reminder.done_at is not None
    first_done = reminder.done_at
    acme.client.post(reverse("reminder_done", args=[acme.org.slug, reminder.pk]))  # twice: harmless
    reminder.refresh_from_db()
    assert reminder.done_at == first_done


def test_snoozing_moves_a_reminder_a_day_or_a_week_on(acme, candidate):
    reminder = remind(acme, candidate, hours=-3)
    snooze = reverse("reminder_snooze", args=[acme.org.slug, reminder.pk])
    before = timezone.now()
    response = acme.client.post(snooze, {"days": "7"}, headers=HTMX)
    assert "Snoozed until" in response.content.decode()
    reminder.refresh_from_db()
    assert timedelta(days=7) <= reminder.due_at - before < timedelta(days=7, minutes=1)
    assert "Follow up" not in acme.client.get(my_day(acme)).content.decode()
    plain = acme.client.post(snooze, {"days": "1"})
    assert plain.status_code == 302 and plain["Location"] == my_day(acme)
    bad = acme.client.post(snooze, {"days": "3"}, headers=HTMX)
    assert bad.status_code == 400


def test_someone_elses_reminder_cannot_be_ticked_off_or_snoozed(acme, candidate, colleague):
    theirs = remind(acme, candidate, recruiter=colleague.user)
    assert acme.client.post(reverse("reminder_done", args=[acme.org.slug, theirs.pk])).status_code == 404
    assert acme.client.post(reverse("reminder_snooze", args=[acme.org.slug, theirs.pk]), {"days": 1}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.done_at is None


def test_my_day_runs_the_same_queries_for_few_or_many_reminders(acme, make_candidate, django_assert_num_queries):
    people = [make_candidate(acme, f"P{i}", email=f"p{i}@example.com") for i in range(12)]
    remind(acme, people[0], hours=-1)
    remind(acme, people[0], hours=-1, origin="going_cold")
    with CaptureQueriesContext(connection) as few:
        acme.client.get(my_day(acme))
    for person in people:
        remind(acme, person, hours=-2)
        remind(acme, person, hours=-2, origin="going_cold")
    with django_assert_num_queries(len(few)):
        response = acme.client.get(my_day(acme))
    assert response.content.decode().count('class="list-group-item tc-reminder"') == 26
    assert len(few) <= 8


def test_today_is_the_recruiters_own_day(acme, candidate, colleague):
    now = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)  # 02:00 on 2 June in Kiritimati (UTC+14)
    colleague.user.time_zone = "Pacific/Kiritimati"
    colleague.user.save()
    for user in (acme.user, colleague.user):
        services.reminder_create(
            org=acme.org, candidate_id=candidate.pk, recruiter=user, due_at=datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
        )
    assert not selectors.reminders_due(org=acme.org, recruiter=acme.user, now=now).exists()  # tomorrow in UTC
    assert selectors.reminders_due(org=acme.org, recruiter=colleague.user, now=now).count() == 1  # today for them


def test_reminder_services_check_the_organisation_and_the_recruiter(acme, globex, candidate, make_candidate):
    their_candidate = make_candidate(globex, "Other", email="other@example.com")
    with pytest.raises(ValidationError) as error:
        remind(acme, their_candidate)
    assert error.value.message_dict == {"candidate": ["No such candidate in this organisation."]}
    with pytest.raises(ValidationError) as error:
        remind(acme, candidate, recruiter=globex.user)
    assert "recruiter" in error.value.message_dict
    with pytest.raises(ValidationError):
        remind(acme, candidate, note="x" * 301)
    assert not Reminder.objects.exists()
