"""Weekly roll-ups: each is the sum of its week's daily rows, and reads over them give the daily figures."""

from __future__ import annotations

import importlib
from collections import Counter, defaultdict
from dataclasses import asdict
from datetime import date, timedelta

import pytest
from django.apps import apps

from engagement.analytics import metric as analytics
from engagement.analytics import rates
from engagement.analytics.models import ResponseStat, ResponseStatWeek
from engagement.analytics.rollups.rebuild import rollups_rebuild
from tests.engagement.analytics_support import (
    answer,
    at,
    bounce,
    build_scenario,
    outreach,
    person,
    send,
    snapshot,
    thread,
)

MONDAY = date(2026, 2, 2)


def build_weeks(acme) -> None:
    """The every-rule scenario, plus outreach every few days for seven weeks, answered after 1 hour to 40 days."""
    build_scenario(acme)
    for number, offset in enumerate(range(1, 50, 3)):
        conversation = outreach(acme.org, acme.user, at(offset, seconds=3600 * number))
        if number % 4 == 3:
            continue
        channel, classification = ("click", "interested") if number % 5 == 0 else ("email", "neutral")
        answer(conversation, at(offset, seconds=3600 * number + 3600 * (number * 19 % 960)), channel=channel,
               classification=classification)  # fmt: skip
    bounce(send(thread(acme.org, person(acme.org), acme.user), at(9)))


def _weeks_summed_by_hand(org) -> list[tuple]:
    weeks: dict[tuple, list] = defaultdict(lambda: [0, 0, 0, Counter(), 0, 0, 0])
    for row in ResponseStat.objects.for_org(org):
        if not (row.sent or row.answered or row.bounced):
            continue
        monday = row.day - timedelta(days=row.day.weekday())
        total = weeks[(monday, row.recruiter_id, row.dimension, row.key)]
        for index, value in enumerate((row.sent, row.bounced, row.answered)):
            total[index] += value
        total[3].update(row.answer_hours)
        for index, value in enumerate((row.interested, row.not_interested, row.unsubscribed), start=4):
            total[index] += value
    return sorted(
        (*key, sent, bounced, answered, tuple(sorted((k, v) for k, v in hours.items() if v)), *flags)
        for key, (sent, bounced, answered, hours, *flags) in weeks.items()
    )


def test_each_week_is_the_sum_of_its_days_incrementally_and_after_a_rebuild(acme):
    build_weeks(acme)
    _days, weeks, _ = snapshot(acme.org)
    assert len({row[0] for row in weeks}) >= 4, "the scenario spans several weeks"
    assert all(row[0].weekday() == 0 for row in weeks)
    assert weeks == _weeks_summed_by_hand(acme.org)
    ResponseStatWeek.objects.for_org(acme.org).filter(day=MONDAY - timedelta(days=7)).update(sent=42)
    rollups_rebuild(org=acme.org)
    assert snapshot(acme.org)[1] == weeks


def test_a_rebuild_from_mid_week_keeps_the_days_before_it_in_that_week(acme):
    build_weeks(acme)
    expected = snapshot(acme.org)
    wednesday = MONDAY + timedelta(days=2)
    rollups_rebuild(org=acme.org, since=wednesday)
    assert snapshot(acme.org) == expected


def test_the_migration_fills_the_weeks_from_existing_days(acme):
    build_scenario(acme)
    expected = snapshot(acme.org)
    ResponseStatWeek.objects.all().delete()
    migration = importlib.import_module("engagement.migrations.0008_fill_response_stat_weeks")
    migration.fill_weeks(apps, None)
    assert snapshot(acme.org) == expected


@pytest.mark.parametrize(
    ("date_from", "date_to", "split_after", "weeks", "days"),
    [
        # Whole weeks inside the range, days at both edges.
        (date(2026, 2, 4), date(2026, 2, 25), None, [(date(2026, 2, 9), date(2026, 2, 16))],
         [(date(2026, 2, 4), date(2026, 2, 8)), (date(2026, 2, 23), date(2026, 2, 25))]),
        # Exactly two weeks: nothing by days.
        (MONDAY, date(2026, 2, 15), None, [(MONDAY, date(2026, 2, 9))], []),
        # No whole week in the range.
        (date(2026, 2, 3), date(2026, 2, 8), None, [], [(date(2026, 2, 3), date(2026, 2, 8))]),
        # The settled boundary (after Wednesday 11 Feb) falls inside the second week: that week is read by days.
        (MONDAY, date(2026, 2, 22), date(2026, 2, 11), [(MONDAY, MONDAY), (date(2026, 2, 16), date(2026, 2, 16))],
         [(date(2026, 2, 9), date(2026, 2, 15))]),
        # A boundary on a Sunday splits nothing.
        (MONDAY, date(2026, 2, 15), date(2026, 2, 8), [(MONDAY, date(2026, 2, 9))], []),
    ],
)  # fmt: skip
def test_a_range_splits_into_whole_weeks_and_edge_days(date_from, date_to, split_after, weeks, days):
    assert rates._week_split(date_from, date_to, split_after=split_after) == (weeks, days)


def _daily_only(date_from, date_to, *, split_after):
    return [], [(date_from, date_to)]


RANGES = [
    (date(2026, 2, 1), date(2026, 3, 31)),
    (date(2026, 2, 3), date(2026, 3, 20)),
    (MONDAY, date(2026, 2, 8)),
    (date(2026, 2, 4), date(2026, 2, 6)),
]


@pytest.mark.parametrize("now_days", [5, 40, 44, 90])
def test_reads_over_weeks_give_exactly_the_figures_of_reads_over_days(acme, monkeypatch, now_days):
    """With `now` moving the settled boundary into and out of the weeks read, every figure stays the same."""
    build_weeks(acme)
    now = at(now_days)

    def figures() -> list:
        result = []
        for date_from, date_to in RANGES:
            span = {"org": acme.org, "date_from": date_from, "date_to": date_to, "now": now}
            for group_by in analytics.GROUP_BY:
                result.append([asdict(row) for row in analytics.response_rates(group_by=group_by, **span)])
            result.append([asdict(row) for row in analytics.rate_over_time(bucket="week", **span)])
            result.append([asdict(row) for row in analytics.reply_time_distribution(window_days=3, **span)])
        return result

    over_weeks = figures()
    monkeypatch.setattr(rates, "_week_split", _daily_only)
    assert figures() == over_weeks
    assert any(row for row in over_weeks if row and row[0].get("answered"))


def test_several_cuts_read_at_once_give_each_cut_s_own_figures(acme):
    build_weeks(acme)
    span = {"org": acme.org, "date_from": date(2026, 1, 20), "date_to": date(2026, 4, 1), "now": at(40)}
    together = analytics.response_rates_by(group_bys=analytics.GROUP_BY, **span)
    assert together == {
        group_by: analytics.response_rates(group_by=group_by, **span) for group_by in analytics.GROUP_BY
    }
    assert together["recruiter"] and together["template"]
    mine = analytics.response_rates_by(group_bys=["template", "recruiter"], recruiter_id=acme.user.pk, **span)
    assert mine["recruiter"] == analytics.response_rates(group_by="recruiter", recruiter_id=acme.user.pk, **span)
    assert mine["template"] == analytics.response_rates(group_by="template", recruiter_id=acme.user.pk, **span)
