"""Relationship strength as a pure function: explicit inputs and an explicit `now` (frozen time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from engagement.timeline.strength import StrengthInputs, relationship_strength

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def test_nothing_yet_scores_zero_and_says_why():
    strength = relationship_strength(StrengthInputs(), now=NOW)
    assert strength.score == 0
    assert strength.reasons == [
        "no two-way contact yet",
        "no messages sent yet",
        "no calls or meetings yet",
        "no touches in the last 90 days",
    ]


def test_the_reasons_name_the_last_reply_and_the_answered_share():
    inputs = StrengthInputs(
        last_two_way_at=NOW - timedelta(days=63, hours=2),
        last_two_way_kind="reply_in",
        messages_out=4,
        replies_in=3,
        recent_touches=7,
    )
    strength = relationship_strength(inputs, now=NOW)
    assert strength.reasons[:2] == ["last reply 63 days ago", "3 of 4 messages answered"]
    assert strength.reasons[3] == "7 touches in the last 90 days"
    # recency 40 * (180 - 63.08) / 173 = 27.0, reciprocity 25 * 3/4 = 18.75, frequency capped at 15
    assert strength.score == 61


def test_a_recent_call_and_meeting_make_a_strong_relationship():
    inputs = StrengthInputs(
        last_two_way_at=NOW - timedelta(days=2),
        last_two_way_kind="meeting",
        messages_out=2,
        replies_in=2,
        calls=1,
        meetings=1,
        recent_touches=6,
    )
    strength = relationship_strength(inputs, now=NOW)
    assert strength.score == 100
    assert strength.reasons[0] == "last meeting 2 days ago"
    assert strength.reasons[2] == "1 call and 1 meeting"


def test_recency_fades_to_nothing_after_180_days():
    def score(days: float) -> int:
        return relationship_strength(
            StrengthInputs(last_two_way_at=NOW - timedelta(days=days), last_two_way_kind="call"), now=NOW
        ).score

    assert score(0) == score(7) == 40
    assert 40 > score(30) > score(90) > score(170) > 0
    assert score(180) == score(400) == 0


def test_wording_for_today_yesterday_and_single_items():
    today = relationship_strength(
        StrengthInputs(last_two_way_at=NOW - timedelta(hours=3), last_two_way_kind="call", calls=1, recent_touches=1),
        now=NOW,
    )
    assert today.reasons == ["last call today", "no messages sent yet", "1 call", "1 touch in the last 90 days"]
    yesterday = relationship_strength(
        StrengthInputs(last_two_way_at=NOW - timedelta(days=1, hours=1), last_two_way_kind="reply_in", messages_out=1),
        now=NOW,
    )
    assert yesterday.reasons[:2] == ["last reply yesterday", "0 of 1 message answered"]


def test_replies_without_our_messages_count_as_full_reciprocity_and_extra_replies_are_capped():
    unprompted = relationship_strength(StrengthInputs(replies_in=2), now=NOW)
    assert unprompted.reasons[1] == "wrote to us 2 times unprompted"
    assert unprompted.score == 25
    chatty = relationship_strength(StrengthInputs(messages_out=1, replies_in=5), now=NOW)
    assert chatty.reasons[1] == "1 of 1 message answered"
    assert chatty.score == 25


def test_a_contact_time_after_now_counts_as_today():
    strength = relationship_strength(
        StrengthInputs(last_two_way_at=NOW + timedelta(hours=1), last_two_way_kind="meeting"), now=NOW
    )
    assert strength.reasons[0] == "last meeting today"
    assert strength.score == 40
