"""Pure timing of follow-ups: send windows, time zones, weekends, DST and business days."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from engagement.sequences.models import Sequence, SequenceStep
from engagement.sequences.timing import add_delay, local_day_start, next_day_opening, next_opening, schedule_step
from talentcircles.models import Organization

LONDON = ZoneInfo("Europe/London")
LA = ZoneInfo("America/Los_Angeles")


def org(**fields) -> Organization:
    """An unsaved organisation: the timing functions read only its fields."""
    fields = {"time_zone": "Europe/London", "send_window_start": time(9), "send_window_end": time(18), **fields}
    return Organization(**fields)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_time_inside_the_window_is_kept():
    when = utc(2026, 3, 2, 10, 0)  # Monday 10:00 London
    assert next_opening(when, org=org(), tz_name="") == when


def test_before_the_window_moves_to_the_same_days_opening():
    assert next_opening(utc(2026, 3, 2, 7, 30), org=org(), tz_name="") == utc(2026, 3, 2, 9, 0)


def test_after_the_window_moves_to_the_next_days_opening():
    assert next_opening(utc(2026, 3, 2, 18, 0), org=org(), tz_name="") == utc(2026, 3, 3, 9, 0)


@pytest.mark.parametrize("when", [utc(2026, 3, 6, 18, 30), utc(2026, 3, 7, 12, 0), utc(2026, 3, 8, 8, 0)])
def test_friday_evening_and_the_weekend_move_to_monday(when):
    assert next_opening(when, org=org(), tz_name="Europe/London") == utc(2026, 3, 9, 9, 0)


def test_the_organisations_send_weekdays_are_followed():
    saturday = utc(2026, 3, 7, 12, 0)
    assert next_opening(saturday, org=org(send_weekdays="1234567"), tz_name="") == saturday
    assert next_opening(utc(2026, 3, 2, 12), org=org(send_weekdays="3"), tz_name="") == utc(2026, 3, 4, 9, 0)


def test_the_window_is_read_in_the_candidates_time_zone():
    # 10:00 in London is 02:00 in Los Angeles: wait for 09:00 there (PST, UTC-8) = 17:00 UTC.
    opening = next_opening(utc(2026, 3, 2, 10, 0), org=org(), tz_name="America/Los_Angeles")
    assert opening == utc(2026, 3, 2, 17, 0)
    assert opening.astimezone(LA).hour == 9


def test_a_candidate_without_a_time_zone_falls_back_to_the_organisations():
    assert next_opening(utc(2026, 3, 2, 7), org=org(), tz_name="") == utc(2026, 3, 2, 9)
    assert next_opening(utc(2026, 3, 2, 7), org=org(), tz_name="Not/AZone") == utc(2026, 3, 2, 9)


def test_the_window_follows_summer_time():
    # London moves to BST on Sunday 29 March 2026: 09:00 on Monday 30 March is 08:00 UTC.
    assert next_opening(utc(2026, 3, 29, 12), org=org(), tz_name="") == utc(2026, 3, 30, 8, 0)
    # Los Angeles moved on 8 March: 09:00 PDT is 16:00 UTC.
    assert next_opening(utc(2026, 3, 9, 10), org=org(), tz_name="America/Los_Angeles") == utc(2026, 3, 9, 16)


def test_an_opening_inside_the_dst_gap_is_a_real_instant():
    # 01:30 does not exist in London on 29 March 2026; the opening is the instant 01:30 GMT would be.
    early = org(send_weekdays="1234567", send_window_start=time(1, 30), send_window_end=time(18))
    opening = next_opening(utc(2026, 3, 29, 0, 10), org=early, tz_name="")
    assert opening == utc(2026, 3, 29, 1, 30)
    assert opening.astimezone(LONDON).hour == 2  # 02:30 BST


def test_a_sequences_own_window_overrides_the_organisations():
    when = utc(2026, 3, 2, 10, 0)
    assert next_opening(when, org=org(), tz_name="", window_start=time(14), window_end=time(16)) == utc(2026, 3, 2, 14)


def test_hours_are_elapsed_time_across_dst():
    assert add_delay(utc(2026, 3, 28, 12), hours=24) == utc(2026, 3, 29, 12)


def test_business_days_skip_the_weekend_and_keep_the_local_time():
    thursday = utc(2026, 3, 5, 10, 0)
    assert add_delay(thursday, business_days=2, tz_name="Europe/London") == utc(2026, 3, 9, 10, 0)
    saturday = utc(2026, 3, 7, 10, 0)
    assert add_delay(saturday, business_days=1, tz_name="Europe/London") == utc(2026, 3, 9, 10, 0)


def test_business_days_keep_the_wall_clock_time_across_dst():
    friday = utc(2026, 3, 27, 10, 0)  # 10:00 GMT
    monday = add_delay(friday, business_days=1, tz_name="Europe/London")
    assert monday == utc(2026, 3, 30, 9, 0)  # 10:00 BST
    assert monday.astimezone(LONDON).hour == 10


def test_no_delay_is_no_change():
    when = utc(2026, 3, 2, 10)
    assert add_delay(when) == when


def test_a_step_runs_after_its_delay_then_inside_the_window():
    sequence = Sequence(send_window_start=None, send_window_end=None)
    step = SequenceStep(sequence=sequence, order=2, delay_hours=72)
    # Thursday 16:00 + 72 h = Sunday 16:00 → Monday 09:00.
    assert schedule_step(step, after=utc(2026, 3, 5, 16), org=org(), tz_name="") == utc(2026, 3, 9, 9)
    step = SequenceStep(sequence=sequence, order=2, delay_business_days=1)
    assert schedule_step(step, after=utc(2026, 3, 6, 17), org=org(), tz_name="") == utc(2026, 3, 9, 17)


def test_the_next_days_opening_for_the_daily_cap():
    sequence = Sequence()
    # Monday 23:30 London is still Monday there: the next day is Tuesday.
    assert next_day_opening(utc(2026, 3, 2, 23, 30), org=org(), tz_name="", sequence=sequence) == utc(2026, 3, 3, 9)
    # Friday's cap reached: Monday.
    assert next_day_opening(utc(2026, 3, 6, 12), org=org(), tz_name="", sequence=sequence) == utc(2026, 3, 9, 9)
    # The cap counts the organisation's day; the window is the candidate's: London's Tuesday begins
    # at 16:00 on Monday in Los Angeles, inside the window there.
    assert next_day_opening(utc(2026, 3, 2, 12), org=org(), tz_name="America/Los_Angeles", sequence=sequence) == utc(
        2026, 3, 3, 0
    )


def test_the_organisations_day_starts_at_its_local_midnight():
    tokyo = Organization(time_zone="Asia/Tokyo")
    assert local_day_start(utc(2026, 3, 2, 16, 0), org=tokyo) == utc(2026, 3, 2, 15, 0)
