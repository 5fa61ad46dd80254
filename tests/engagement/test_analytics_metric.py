"""The response-rate metric, hand-computed (see docs/analytics.md).

Scenario ("every rule"), now = 31 March 2026 12:00 UTC, outreach first sent 1 February 10:00 unless said:
  T1  answered by e-mail after 24 h                              answered (24 h)
  T2  only an automatic reply; the candidate later unsubscribes  unanswered, unsubscribed
  T3  answered exactly 30 days after the send                    answered (window edge, inside)
  T4  answered 30 days and 1 second after the send               unanswered at 30 days, answered at 90
  T5  bounced                                                    bounced, out of the denominator
  T6  "Not interested" clicked after 4 days                      answered (declines count)
  T7  a sequence: step 1, step 2 three days later, reply day 5   answered once, credited to step 2
  T8  queued, never sent                                         not outreach
  T9  started by the candidate in the portal, answered           not outreach
  T10 sent 20 March, unanswered                                  pending
  T11 sent 25 March (colleague), "Interested" after a day        answered, interested
  T12 failed, never sent                                         not outreach
  T13 two replies                                                counted once
"""

from __future__ import annotations

from datetime import date

import pytest

from engagement.analytics import metric as analytics
from engagement.analytics.models import answer_bucket_hours
from tests.engagement.analytics_support import NOW, answer, at, build_scenario, outreach, person

FEB_1, MAR_31 = date(2026, 2, 1), date(2026, 3, 31)


@pytest.fixture
def scenario(acme):
    return build_scenario(acme)


def rates(org, group_by="all", window_days=30, **kwargs):
    rows = analytics.response_rates(
        org=org, group_by=group_by, date_from=FEB_1, date_to=MAR_31, window_days=window_days, now=NOW, **kwargs
    )
    return {row.key: row for row in rows}


def test_it_counts_every_rule_once(acme, scenario):
    row = rates(acme.org)[""]
    assert (row.sent, row.answered, row.unanswered, row.pending, row.bounced) == (10, 6, 2, 1, 1)
    assert row.settled_rate == pytest.approx(6 / 8)
    # Answers within the window took 24, 24, 24, 96, 120 and 720 hours.
    assert row.median_hours_to_reply == 60.0
    assert row.interested_rate == pytest.approx(1 / 9)
    assert row.unsubscribe_rate == pytest.approx(1 / 9)
    assert row.not_interested == 1
    assert row.ci_low < 0.75 < row.ci_high


def test_the_90_day_view_credits_the_late_answer_and_keeps_everything_pending(acme, scenario):
    row = rates(acme.org, window_days=90)[""]
    # 1 February + 91 days is after 31 March: nothing has settled, so the late answer is answered.
    assert (row.answered, row.unanswered, row.pending, row.bounced) == (7, 0, 2, 1)
    assert row.settled_rate == 1.0


def test_the_window_edge_is_inclusive():
    assert answer_bucket_hours(30 * 86400) <= 24 * 30
    assert answer_bucket_hours(30 * 86400 + 1) > 24 * 30
    assert answer_bucket_hours(0) == 0
    assert answer_bucket_hours(3600.5) == 2
    assert answer_bucket_hours(48 * 3600) == 48
    assert answer_bucket_hours(48 * 3600 + 1) == 72


def test_the_live_rate_is_a_small_sample_under_100_sends(acme, scenario):
    row = rates(acme.org)[""]
    assert (row.live_14d_sent, row.live_14d_rate, row.small_sample) == (2, 0.5, True)
    live = analytics.live_rate(org=acme.org, recruiter_id=scenario["colleague"].pk, now=NOW)
    assert (live.sent, live.answered, live.rate, live.small_sample, live.below_threshold) == (1, 1, 1.0, True, False)


def test_it_cuts_by_recruiter_template_sequence_step_circle_source_and_industry(acme, scenario):
    me, colleague = str(scenario["me"].pk), str(scenario["colleague"].pk)
    by_recruiter = rates(acme.org, "recruiter")
    assert (by_recruiter[me].sent, by_recruiter[me].answered, by_recruiter[me].pending) == (9, 5, 1)
    assert (by_recruiter[colleague].sent, by_recruiter[colleague].answered) == (1, 1)
    assert by_recruiter[colleague].label == "Col League"
    by_template = rates(acme.org, "template")
    warm = by_template[str(scenario["template"].pk)]
    assert (warm.label, warm.sent, warm.answered) == ("Warm intro", 2, 2)
    by_sequence = rates(acme.org, "sequence")
    assert by_sequence[str(scenario["sequence"].pk)].answered == 1
    step_1, step_2 = scenario["steps"]
    by_step = rates(acme.org, "step")
    assert (by_step[str(step_1.pk)].sent, by_step[str(step_1.pk)].answered) == (1, 0)
    assert (by_step[str(step_2.pk)].sent, by_step[str(step_2.pk)].answered) == (1, 1)
    assert by_step[str(step_2.pk)].label.endswith("step 2")
    assert rates(acme.org, "circle")[str(scenario["circle"].pk)].sent == 1
    assert rates(acme.org, "source")["sourced"].sent == 10
    assert rates(acme.org, "industry")["Software"].sent == 10


def test_a_recruiter_filter_reads_only_their_outreach(acme, scenario):
    mine = rates(acme.org, "template", recruiter_id=scenario["colleague"].pk)
    assert list(mine) == [""]
    assert mine[""].sent == 1
    assert rates(acme.org, "recruiter", recruiter_id=scenario["colleague"].pk).keys() == {str(scenario["colleague"].pk)}


def test_rate_over_time_and_distribution(acme, scenario):
    weeks = analytics.rate_over_time(org=acme.org, date_from=FEB_1, date_to=MAR_31, window_days=30, now=NOW)
    assert weeks[0].period_start == date(2026, 1, 26)  # the Monday of 1 February's week
    assert sum(w.sent for w in weeks) == 10
    first = weeks[0]
    assert (first.sent, first.answered, first.unanswered, first.bounced) == (8, 5, 2, 1)
    days = analytics.rate_over_time(org=acme.org, date_from=FEB_1, date_to=MAR_31, now=NOW, bucket="day")
    assert len(days) == 59
    spread = {r.label: r.count for r in analytics.reply_time_distribution(
        org=acme.org, date_from=FEB_1, date_to=MAR_31, window_days=30, now=NOW)}  # fmt: skip
    assert spread["4-24 hours"] == 3 and spread["3-7 days"] == 2 and spread["14-30 days"] == 1
    assert "Over 30 days" not in spread


def test_another_organisation_sees_nothing(acme, globex, scenario):
    assert rates(globex.org) == {}


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"group_by": "planet"}, "group_by"),
        ({"date_from": MAR_31, "date_to": FEB_1}, "from"),
        ({"date_to": None}, "to"),
        ({"window_days": 0}, "window_days"),
        ({"window_days": 366}, "window_days"),
    ],
)
def test_bad_input_names_the_field(acme, kwargs, field):
    arguments = {"org": acme.org, "group_by": "all", "date_from": FEB_1, "date_to": MAR_31, "window_days": 30}
    with pytest.raises(analytics.AnalyticsError) as error:
        analytics.response_rates(**{**arguments, **kwargs})
    assert error.value.field == field


def test_the_live_rate_is_assessed_from_the_minimum_of_sends(acme):
    me = acme.user
    for number in range(100):
        conversation = outreach(acme.org, me, at(50 + number / 100))
        if number < 12:
            answer(conversation, at(51))
    live = analytics.live_rate(org=acme.org, recruiter_id=me.pk, now=NOW)
    assert (live.sent, live.answered, live.small_sample, live.below_threshold) == (100, 12, False, True)
    acme.org.live_rate_min_sends = 101  # the organisation setting, read with a default until it exists
    assert analytics.live_rate(org=acme.org, recruiter_id=me.pk, now=NOW).small_sample is True


def test_stage_funnel_counts_stages_reached_and_time_in_stage(acme, record):
    from engagement.timeline.models import Activity

    people = [person(acme.org) for _ in range(3)]
    moves = [
        (people[0], "new", "contacted", 0), (people[0], "contacted", "engaged", 7200),
        (people[0], "engaged", "hired", 3600), (people[1], "new", "contacted", 0),
        (people[1], "contacted", "interested", 3600 * 4), (people[2], "new", "contacted", 0),
    ]  # fmt: skip
    for candidate, previous, stage, seconds in moves:
        record(candidate, Activity.Kind.STAGE_CHANGE, at(3),
               details={"previous": previous, "stage": stage, "time_in_previous_seconds": seconds})  # fmt: skip
    funnel = {r.stage: r for r in analytics.stage_funnel(org=acme.org, date_from=FEB_1, date_to=MAR_31)}
    assert [funnel[s].count for s in analytics.FUNNEL_STAGES] == [3, 2, 2, 1, 1]
    assert funnel["engaged"].conversion_from_previous == pytest.approx(2 / 3)
    assert funnel["contacted"].median_hours_in_stage == 3.0  # 2 h and 4 h
    assert funnel["engaged"].median_hours_in_stage == 1.0
