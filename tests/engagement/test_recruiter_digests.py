"""The daily "My day" e-mail: after 07:00 local time, once per local day, never for an empty day."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command

from engagement.timeline import services
from engagement.timeline.digests import recruiter_digests_send
from engagement.timeline.models import RecruiterDigestLog
from engagement.timeline.tasks import recruiter_digests_send_task

pytestmark = pytest.mark.django_db
MORNING = datetime(2025, 6, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def due(acme, candidate):
    services.reminder_create(
        org=acme.org, candidate_id=candidate.pk, recruiter=acme.user, due_at=MORNING - timedelta(days=1),
        note="Send the offer letter",
    )  # fmt: skip
    services.reminder_create(
        org=acme.org, candidate_id=candidate.pk, recruiter=acme.user, due_at=MORNING - timedelta(hours=2),
        note="Going cold: no two-way contact for 70 days", origin="going_cold",
    )  # fmt: skip


def test_two_runs_send_one_email_with_the_days_list(acme, due):
    assert recruiter_digests_send(now=MORNING) == 1
    assert recruiter_digests_send(now=MORNING + timedelta(hours=1)) == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [acme.user.email]
    assert message.subject == "Your day at Acme Inc: one reminder, one going cold"
    assert "Jane Doe: Send the offer letter" in message.body and "overdue" in message.body
    assert "no two-way contact for 70 days" in message.body
    assert f"/o/{acme.org.slug}/today/" in message.body
    html = message.alternatives[0][0]
    assert "<strong>Jane Doe</strong>: Send the offer letter" in html
    assert RecruiterDigestLog.objects.get().local_date == MORNING.date()


def test_nothing_is_sent_before_seven_in_the_recruiters_time_zone(acme, due):
    acme.user.time_zone = "America/New_York"  # 04:00 there at 08:00 UTC
    acme.user.save()
    assert recruiter_digests_send(now=MORNING) == 0
    assert recruiter_digests_send(now=MORNING + timedelta(hours=3)) == 1  # 07:00 in New York
    assert RecruiterDigestLog.objects.get().local_date == MORNING.date()


def test_the_local_date_is_the_recruiters(acme, due):
    acme.user.time_zone = "Asia/Tokyo"  # 23:30 UTC on 1 June is 08:30 on 2 June in Tokyo
    acme.user.save()
    assert recruiter_digests_send(now=datetime(2025, 6, 1, 23, 30, tzinfo=UTC)) == 1
    assert RecruiterDigestLog.objects.get().local_date == datetime(2025, 6, 2).date()
    assert recruiter_digests_send(now=datetime(2025, 6, 2, 5, 0, tzinfo=UTC)) == 0  # still 2 June there


def test_an_empty_day_sends_nothing_and_the_next_day_sends_again(acme, due, colleague):
    assert recruiter_digests_send(now=MORNING) == 1  # acme's admin has reminders; the colleague has none
    assert [m.to for m in mail.outbox] == [[acme.user.email]]
    assert RecruiterDigestLog.objects.filter(recruiter=colleague.user).exists()  # the day is claimed quietly
    assert recruiter_digests_send(now=MORNING + timedelta(days=1)) == 1  # the overdue reminder is still there
    assert len(mail.outbox) == 2


def test_a_failed_send_leaves_the_day_unclaimed(acme, due, monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionRefusedError("SMTP is down")

    monkeypatch.setattr("engagement.timeline.digests.send_mail", broken)
    with pytest.raises(ConnectionRefusedError):
        recruiter_digests_send(now=MORNING)
    assert not RecruiterDigestLog.objects.exists()


def test_the_command_and_the_task_run_it_once(acme, candidate):
    services.reminder_create(
        org=acme.org, candidate_id=candidate.pk, recruiter=acme.user, due_at=datetime(2000, 1, 1, tzinfo=UTC)
    )
    acme.user.time_zone = "Pacific/Kiritimati"  # its local time has passed 07:00 on most UTC hours
    acme.user.save()
    out = io.StringIO()
    call_command("send_recruiter_digests", stdout=out)
    sent = len(mail.outbox)
    assert out.getvalue().startswith(f"Sent {sent} recruiter digest")
    assert recruiter_digests_send_task.delay().get() == 0  # already claimed (or not yet morning there)
    assert len(mail.outbox) == sent


def test_beat_runs_the_digest_hourly_and_the_relationships_nightly(settings):
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["engagement.timeline.tasks.recruiter_digests_send_task"] == 3600
    assert "engagement.timeline.tasks.relationships_refresh_all_task" in schedule
