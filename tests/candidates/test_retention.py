"""Retention: the clock, the notice 30 days before, the renewal, the anonymisation run and exclusions.

Time travels by passing `now`: the tests' "today" is 10 March 2027 (UTC) and the policy keeps
people 24 months, so a clock that started before 10 March 2025 has run out.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from candidates.consent import consent_record
from candidates.merge import candidate_merge
from candidates.models import Candidate, ConsentRecord
from candidates.privacy import candidate_unsubscribe, candidate_update_by_self
from candidates.retention import clock, notices, selectors, services
from candidates.retention.backfill import clocks_start, upgraded_at
from candidates.retention.models import RetentionExclusion, RetentionNotice, RetentionRun
from candidates.retention.renewal import retention_renew
from candidates.retention.run import _erase_if_still_due, retention_apply
from candidates.tasks import retention_apply_all_task, retention_notices_task
from engagement.timeline.models import Activity
from messaging import outbox
from messaging.models import Message
from messaging.services import message_receive
from tests.candidates.test_portal import Member
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2027, 3, 10, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
BODY = (
    "Hi Ana, your talk on payment reconciliation at Initech stayed with me: the part about idempotent "
    "ledgers is exactly what our platform team is wrestling with. Would you be open to a short call?"
)


def started(candidate: Candidate, moment: datetime) -> Candidate:
    """Set the candidate's clock start (time travel), as if nothing had happened since."""
    Candidate.objects.filter(pk=candidate.pk).update(retention_anchor_at=moment)
    candidate.refresh_from_db()
    return candidate


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def person(org, *, anchor: datetime, consent: bool | None = True, **fields) -> Candidate:
    candidate = CandidateFactory(organization=org, **fields)
    if consent is not None:
        consent_record(
            candidate=candidate, purpose=ConsentRecord.Purpose.MESSAGES, granted=consent,
            source=ConsentRecord.Source.RECRUITER,
        )  # fmt: skip
    return started(candidate, anchor)


# --- The clock ----------------------------------------------------------------------------------------


def test_the_clock_starts_when_the_person_is_added(acme):
    before = timezone.now()
    candidate = CandidateFactory(organization=acme.org)
    assert candidate.retention_anchor_at >= before


def test_a_real_reply_restarts_the_clock_and_an_automatic_one_does_not(acme):
    candidate = person(acme.org, anchor=at(date(2024, 1, 1)))
    message = outbox.thread_start(org=acme.org, candidate=candidate, recruiter=acme.user, subject="Hi", body=BODY)
    replied = timezone.now() - timedelta(hours=1)
    message_receive(thread=message.thread, channel="email", body_text="I'm away", is_auto_reply=True)
    candidate.refresh_from_db()
    assert candidate.retention_anchor_at == at(date(2024, 1, 1))
    message_receive(thread=message.thread, channel="email", body_text="Yes, let's talk", received_at=replied)
    candidate.refresh_from_db()
    assert candidate.retention_anchor_at == replied


def test_a_change_in_the_portal_restarts_the_clock(acme):
    candidate = person(acme.org, anchor=at(date(2024, 1, 1)))
    candidate_update_by_self(candidate=candidate, data={"headline": "Still here"})
    candidate.refresh_from_db()
    assert candidate.retention_anchor_at > timezone.now() - timedelta(minutes=5)


def test_a_portal_visit_restarts_the_clock_at_most_once_a_day(acme, django_assert_num_queries):
    candidate = person(acme.org, anchor=at(date(2024, 1, 1)))
    with django_assert_num_queries(1):
        clock.portal_touch(candidate, now=NOW)
    assert Candidate.objects.get(pk=candidate.pk).retention_anchor_at == NOW
    with django_assert_num_queries(0):
        clock.portal_touch(candidate, now=NOW + timedelta(hours=20))


def test_consent_given_by_a_recruiter_is_not_a_renewal_but_the_persons_own_is(acme):
    candidate = person(acme.org, anchor=at(date(2024, 1, 1)), consent=None)
    consent_record(
        candidate=candidate, purpose=ConsentRecord.Purpose.MESSAGES, granted=True,
        source=ConsentRecord.Source.RECRUITER,
    )  # fmt: skip
    candidate.refresh_from_db()
    assert candidate.retention_anchor_at == at(date(2024, 1, 1))
    retention_renew(candidate=candidate, now=NOW)
    candidate.refresh_from_db()
    assert candidate.retention_anchor_at == NOW


def test_a_renewal_is_recorded_as_consent_and_on_the_timeline(acme):
    candidate = person(acme.org, anchor=at(date(2024, 1, 1)))
    retention_renew(candidate=candidate, ip_address="192.0.2.1", now=NOW)
    retention_renew(candidate=candidate, now=NOW + timedelta(days=800))  # already given: still a line
    records = ConsentRecord.objects.filter(candidate=candidate, source=ConsentRecord.Source.RENEWAL_LINK)
    assert [(r.purpose, r.granted) for r in records] == [("community_terms", True)] * 2
    lines = Activity.objects.filter(candidate=candidate, kind=Activity.Kind.CONSENT_CHANGE)
    assert lines.count() == 3  # the recruiter's messages consent, then two renewals
    assert "renewal e-mail link" in lines.order_by("-pk").first().summary


def test_a_merge_keeps_the_later_clock_and_the_exclusion(acme):
    keep = person(acme.org, anchor=at(date(2024, 1, 1)), first_name="Ada")
    other = person(acme.org, anchor=at(date(2026, 6, 1)), first_name="Ada")
    services.retention_exclusion_set(org=acme.org, candidate_id=other.pk, reason="Legal hold", by=acme.user)
    candidate_merge(org=acme.org, keep=keep, other=other, choices={}, actor=acme.user)
    keep.refresh_from_db()
    assert keep.retention_anchor_at == at(date(2026, 6, 1))
    assert RetentionExclusion.objects.get().candidate == keep


def test_a_signed_in_portal_visit_restarts_the_clock(acme):
    member = Member(acme.org)
    started(member.candidate, at(date(2024, 1, 1)))
    assert member.client.get(reverse("portal_profile", args=[acme.org.slug])).status_code == 200
    assert member.reload().retention_anchor_at > timezone.now() - timedelta(minutes=5)


# --- When: run days and the forecast -----------------------------------------------------------------------


def test_a_clock_runs_out_the_day_after_its_months(acme):
    assert clock.run_day(acme.org, at(date(2025, 3, 3)), today_=date(2026, 1, 1)) == date(2027, 3, 4)
    assert clock.anchor_limit(acme.org, date(2027, 3, 4)) == datetime(2025, 3, 4, tzinfo=UTC)
    assert clock.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)


def test_the_forecast_counts_and_dates(acme):
    person(acme.org, anchor=at(date(2025, 3, 1)))  # overdue: the next run, today
    person(acme.org, anchor=at(date(2025, 3, 14)), consent=None)  # 15 March
    person(acme.org, anchor=at(date(2025, 3, 14), hour=23))  # the same day
    person(acme.org, anchor=at(date(2025, 4, 20)))  # 21 April: 42 days
    person(acme.org, anchor=at(date(2025, 5, 25)))  # 26 May: 77 days
    person(acme.org, anchor=at(date(2025, 7, 1)))  # beyond 90 days
    CandidateFactory(organization=acme.org)  # a new person
    forecast = selectors.retention_forecast(org=acme.org, now=NOW)
    assert forecast.enabled
    assert forecast.by_window == {30: 3, 60: 4, 90: 5}
    assert forecast.by_day == [
        (date(2027, 3, 10), 1), (date(2027, 3, 15), 2), (date(2027, 4, 21), 1), (date(2027, 5, 26), 1),
    ]  # fmt: skip
    due = selectors.retention_due_list(org=acme.org, within_days=30, now=NOW)
    assert [c.retention_anchor_at.date() for c in due] == [date(2025, 3, 1), date(2025, 3, 14), date(2025, 3, 14)]


def test_switching_the_policy_on_gives_everyone_30_days(acme):
    acme.org.retention_enabled = False
    acme.org.save(update_fields=["retention_enabled"])
    long_ago = person(acme.org, anchor=at(date(2020, 1, 1)))
    forecast = selectors.retention_forecast(org=acme.org, now=timezone.now())
    assert not forecast.enabled and forecast.by_window == {30: 0, 60: 1, 90: 1}  # what switching on would do
    services.retention_policy_update(org=acme.org, enabled=True, months=24)
    grace = clock.grace_day(acme.org)
    assert grace == clock.today() + timedelta(days=31)
    assert not clock.due_on(acme.org, grace - timedelta(days=1)).exists()
    assert list(clock.due_on(acme.org, grace)) == [long_ago]
    assert notices.notices_plan(org=acme.org) == 0  # 31 days ahead: told tomorrow, 30 days before
    assert notices.notices_plan(org=acme.org, now=timezone.now() + timedelta(days=1)) == 1


def test_shortening_the_period_gives_notice_and_lengthening_does_not(acme):
    services.retention_policy_update(org=acme.org, enabled=True, months=36)
    assert acme.org.retention_notice_from is None
    services.retention_policy_update(org=acme.org, enabled=True, months=12)
    assert acme.org.retention_notice_from is not None


# --- The notice ------------------------------------------------------------------------------------------


def test_the_notice_goes_once_30_days_before_to_people_who_consented(acme):
    told = person(acme.org, anchor=at(date(2025, 3, 25)), first_name="Told")  # runs out on 26 March
    later = person(acme.org, anchor=at(date(2025, 4, 25)))  # 26 April: not yet
    person(acme.org, anchor=at(date(2025, 3, 25)), consent=None)  # never asked: not consent
    person(acme.org, anchor=at(date(2025, 3, 25)), consent=False)
    person(acme.org, anchor=at(date(2025, 3, 25)), email="")
    unsubscribed = person(acme.org, anchor=at(date(2025, 3, 25)))
    candidate_unsubscribe(candidate=unsubscribed, source=ConsentRecord.Source.PORTAL)
    started(unsubscribed, at(date(2025, 3, 25)))

    assert notices.notices_plan(org=acme.org, now=NOW) == 1
    assert notices.notices_plan(org=acme.org, now=NOW + timedelta(hours=1)) == 0  # once per cycle
    assert notices.notices_send(now=NOW) == {"sent": 1}
    assert notices.notices_send(now=NOW) == {}
    (sent,) = mail.outbox
    assert sent.to == [told.email] and "stay" in sent.subject
    assert f"/c/{acme.org.slug}/stay/" in sent.body and "26 March 2027" in sent.body
    notice = RetentionNotice.objects.get()
    assert (notice.candidate, notice.status, notice.sent_at) == (told, "sent", NOW)

    # A month on, the second person's turn.
    assert notices.notices_plan(org=acme.org, now=NOW + timedelta(days=30)) == 1
    assert RetentionNotice.objects.filter(candidate=later).exists()


def test_a_new_cycle_gets_a_new_notice(acme):
    candidate = person(acme.org, anchor=at(date(2025, 3, 25)))
    notices.notices_plan(org=acme.org, now=NOW)
    notices.notices_send(now=NOW)
    started(candidate, at(date(2025, 3, 28)))  # they answered back then (time travel)
    assert notices.notices_plan(org=acme.org, now=NOW) == 1
    assert RetentionNotice.objects.filter(candidate=candidate).count() == 2


def test_a_pending_notice_is_skipped_when_the_person_is_no_longer_due(acme):
    renewed = person(acme.org, anchor=at(date(2025, 3, 25)))
    excluded = person(acme.org, anchor=at(date(2025, 3, 25)))
    notices.notices_plan(org=acme.org, now=NOW)
    retention_renew(candidate=renewed, now=NOW)
    services.retention_exclusion_set(org=acme.org, candidate_id=excluded.pk, reason="Legal hold", by=acme.user)
    assert notices.notices_send(now=NOW) == {"skipped": 2}
    assert mail.outbox == []


def test_a_refused_notice_is_tried_again_then_given_up(acme, settings):
    settings.EMAIL_BACKEND = "tests.candidates.test_retention.RefusingBackend"
    person(acme.org, anchor=at(date(2025, 3, 25)))
    notices.notices_plan(org=acme.org, now=NOW)
    assert [notices.notices_send(now=NOW) for _ in range(4)] == [{"retry": 1}, {"retry": 1}, {"failed": 1}, {}]
    assert RetentionNotice.objects.get().last_error.startswith("ConnectionRefusedError")


class RefusingBackend:
    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("relay down")


# --- The run ------------------------------------------------------------------------------------------


def test_the_run_anonymises_exactly_the_due_and_records_itself(acme, globex):
    due = person(acme.org, anchor=at(date(2025, 3, 9)), first_name="Due")
    kept = person(acme.org, anchor=at(date(2025, 1, 1)), first_name="Kept")
    services.retention_exclusion_set(org=acme.org, candidate_id=kept.pk, reason="Legal hold", by=acme.user)
    tomorrow = person(acme.org, anchor=at(date(2025, 3, 10)), first_name="Tomorrow")
    elsewhere = person(globex.org, anchor=at(date(2025, 1, 1)))
    outreach = outbox.thread_start(org=acme.org, candidate=due, recruiter=acme.user, subject="Hi", body=BODY)

    run = retention_apply(org=acme.org, now=NOW)

    assert (run.due, run.anonymised, run.skipped, run.errors, run.dry_run) == (1, 1, 0, 0, False)
    assert run.finished_at is not None and run.cutoff == datetime(2025, 3, 10, tzinfo=UTC)
    due.refresh_from_db()
    assert due.erased_at is not None and due.first_name == "Erased" and due.email == ""
    for other in (kept, tomorrow, elsewhere):
        other.refresh_from_db()
        assert other.erased_at is None
    # Anonymous counts stay: the row, and the outreach a recruiter started (without a word of it).
    assert Candidate.objects.for_org(acme.org).count() == 3
    outreach.refresh_from_db()
    assert outreach.body_text == "" and Message.objects.filter(pk=outreach.pk).exists()
    assert retention_apply(org=acme.org, now=NOW).due == 0  # nothing twice


def test_a_dry_run_changes_nobody(acme):
    due = person(acme.org, anchor=at(date(2025, 1, 1)))
    listed: list[tuple[int, str]] = []
    run = retention_apply(org=acme.org, now=NOW, dry_run=True, progress=lambda pk, what: listed.append((pk, what)))
    assert (run.dry_run, run.due, run.anonymised) == (True, 1, 0)
    assert listed == [(due.pk, "would anonymise")]
    due.refresh_from_db()
    assert due.erased_at is None and due.first_name != "Erased"


def test_someone_who_answered_meanwhile_is_skipped(acme):
    candidate = person(acme.org, anchor=at(date(2025, 1, 1)))
    started(candidate, NOW)  # answered after the run listed them
    assert _erase_if_still_due(acme.org, TODAY, candidate.pk) is False
    candidate.refresh_from_db()
    assert candidate.erased_at is None


def test_a_failure_is_recorded_and_the_others_still_go(acme, monkeypatch):
    """The erasure fails for one person (a fault injected in the service the run calls)."""
    first = person(acme.org, anchor=at(date(2025, 1, 1)))
    second = person(acme.org, anchor=at(date(2025, 1, 1)))
    from candidates.retention import run as run_module

    real_erase = run_module.candidate_erase

    def erase(*, candidate, source):
        if candidate.pk == first.pk:
            raise RuntimeError("storage away")
        return real_erase(candidate=candidate, source=source)

    monkeypatch.setattr(run_module, "candidate_erase", erase)
    run = retention_apply(org=acme.org, now=NOW)
    assert (run.anonymised, run.errors) == (1, 1)
    assert run.error_details == [{"candidate_id": first.pk, "error": "RuntimeError"}]
    assert Candidate.objects.get(pk=second.pk).erased_at is not None
    assert Candidate.objects.get(pk=first.pk).erased_at is None  # its transaction rolled back


def test_an_exclusion_can_be_removed_and_the_policy_applies_again(acme):
    candidate = person(acme.org, anchor=at(date(2025, 1, 1)))
    services.retention_exclusion_set(org=acme.org, candidate_id=candidate.pk, reason="Legal hold", by=acme.user)
    assert retention_apply(org=acme.org, now=NOW).due == 0
    services.retention_exclusion_remove(org=acme.org, candidate_id=candidate.pk)
    assert not RetentionExclusion.objects.exists()
    assert retention_apply(org=acme.org, now=NOW).anonymised == 1


def test_an_exclusion_needs_a_reason_and_a_person_of_the_organisation(acme, globex):
    candidate = person(acme.org, anchor=NOW)
    with pytest.raises(Exception, match="Say why"):
        services.retention_exclusion_set(org=acme.org, candidate_id=candidate.pk, reason="  ", by=acme.user)
    with pytest.raises(Candidate.DoesNotExist):
        services.retention_exclusion_set(org=globex.org, candidate_id=candidate.pk, reason="x", by=globex.user)


def test_an_organisation_whose_policy_is_off_is_left_alone(acme):
    acme.org.retention_enabled = False
    acme.org.save(update_fields=["retention_enabled"])
    candidate = person(acme.org, anchor=at(date(2020, 1, 1)))
    assert retention_apply_all_task() == 0
    assert notices.notices_plan(org=acme.org, now=NOW) == 0
    assert Candidate.objects.get(pk=candidate.pk).erased_at is None


def test_the_tasks_run_the_passes(acme):
    candidate = person(acme.org, anchor=at(date(2020, 1, 1)))
    soon = person(acme.org, anchor=timezone.now() - timedelta(days=365 * 2 - 10))
    assert retention_notices_task() == {"planned": 1, "sent": 1}
    assert mail.outbox[0].to == [soon.email]
    assert retention_apply_all_task() == 1
    assert Candidate.objects.get(pk=candidate.pk).erased_at is not None
    assert RetentionRun.objects.get().triggered_by == "schedule"


# --- The command ------------------------------------------------------------------------------------------


def test_the_command_says_what_it_would_do_then_does_it(acme, capsys):
    candidate = person(acme.org, anchor=at(date(2020, 1, 1)))
    call_command("apply_retention", "--dry-run", "--org", acme.org.slug)
    out = capsys.readouterr().out
    assert f"would anonymise: #{candidate.pk}" in out and "1 would be anonymised (dry run" in out
    assert Candidate.objects.get(pk=candidate.pk).erased_at is None
    call_command("apply_retention")
    assert "1 anonymised of 1 due" in capsys.readouterr().out
    assert Candidate.objects.get(pk=candidate.pk).erased_at is not None
    assert list(RetentionRun.objects.order_by("pk").values_list("dry_run", "triggered_by")) == [
        (True, "command"), (False, "command"),
    ]  # fmt: skip


# --- After the upgrade ------------------------------------------------------------------------------------


def test_the_clocks_the_upgrade_started_are_set_from_history(acme, capsys):
    upgrade = upgraded_at()
    replied = person(acme.org, anchor=upgrade - timedelta(seconds=1), consent=None)
    Candidate.objects.filter(pk=replied.pk).update(
        created_at=at(date(2022, 1, 1)), last_replied_at=at(date(2023, 5, 1))
    )
    joined = person(acme.org, anchor=upgrade - timedelta(seconds=1), consent=None)
    Candidate.objects.filter(pk=joined.pk).update(created_at=at(date(2022, 2, 2)))
    moved = person(acme.org, anchor=upgrade + timedelta(seconds=1), consent=None)  # a reply since the upgrade
    call_command("start_retention_clocks", "--batch", "1")
    assert "2 retention clock(s) started" in capsys.readouterr().out
    anchors = dict(Candidate.objects.values_list("pk", "retention_anchor_at"))
    assert anchors[replied.pk] == at(date(2023, 5, 1))
    assert anchors[joined.pk] == at(date(2022, 2, 2))
    assert anchors[moved.pk] == upgrade + timedelta(seconds=1)
    assert clocks_start() == 0  # done: nothing left at the upgrade's time
