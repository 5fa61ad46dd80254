"""Relationship strength: a pure function from what happened with a candidate to a 0-100 score with reasons.

No database and no clock: callers pass the inputs and `now`, so the rules are tested with frozen time.
The score adds four parts, each capped:

- recency (40): the last two-way contact (a reply, a call or a meeting): full within a week, none after 180 days;
- reciprocity (25): the share of our messages the candidate answered, over the last year;
- depth (20): calls and meetings over the last year, a meeting weighing more than a call;
- frequency (15): touches (messages either way, calls, meetings, RSVPs, circle joins) in the last 90 days.

Reciprocity and depth look back one year only, so a relationship that once went well but has
been silent since does fade; the callers count the inputs over `HISTORY_WINDOW`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from engagement.timeline.models import Activity

Kind = Activity.Kind

RECENCY_POINTS, RECIPROCITY_POINTS, DEPTH_POINTS, FREQUENCY_POINTS = 40, 25, 20, 15
RECENCY_FULL_DAYS = 7
RECENCY_ZERO_DAYS = 180
POINTS_PER_CALL, POINTS_PER_MEETING = 8, 12
POINTS_PER_TOUCH = 3
FREQUENCY_WINDOW = timedelta(days=90)
HISTORY_WINDOW = timedelta(days=365)

# What counts as a touch with the candidate for frequency; notes and stage changes are our own bookkeeping.
TOUCH_KINDS = (Kind.MESSAGE_OUT, Kind.REPLY_IN, Kind.CALL, Kind.MEETING, Kind.RSVP, Kind.CIRCLE_JOIN)
# Activities whose arrival can change the score, so they queue a recomputation.
SCORED_KINDS = frozenset({*TOUCH_KINDS, *Activity.TWO_WAY_KINDS})

_TWO_WAY_LABELS: dict[str, str] = {Kind.REPLY_IN: "last reply", Kind.CALL: "last call", Kind.MEETING: "last meeting"}


@dataclass(frozen=True)
class StrengthInputs:
    """What the score is computed from: counts over the last year (`HISTORY_WINDOW`), touches over 90 days."""

    last_two_way_at: datetime | None = None
    last_two_way_kind: str = ""
    messages_out: int = 0
    replies_in: int = 0
    calls: int = 0
    meetings: int = 0
    recent_touches: int = 0  # touches in the last 90 days


@dataclass(frozen=True)
class Strength:
    score: int
    reasons: list[str] = field(default_factory=list)


def _plural(count: int, word: str, plural: str = "") -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def _days_ago(days: int) -> str:
    return "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"


def _recency(inputs: StrengthInputs, now: datetime) -> tuple[float, str]:
    if inputs.last_two_way_at is None:
        return 0.0, "no two-way contact yet"
    elapsed = max(now - inputs.last_two_way_at, timedelta(0))
    days = elapsed / timedelta(days=1)
    if days <= RECENCY_FULL_DAYS:
        points = float(RECENCY_POINTS)
    else:
        points = RECENCY_POINTS * max(0.0, (RECENCY_ZERO_DAYS - days) / (RECENCY_ZERO_DAYS - RECENCY_FULL_DAYS))
    label = _TWO_WAY_LABELS.get(inputs.last_two_way_kind, "last two-way contact")
    return points, f"{label} {_days_ago(elapsed.days)}"


def _reciprocity(inputs: StrengthInputs) -> tuple[float, str]:
    if inputs.messages_out == 0:
        if inputs.replies_in:
            return float(RECIPROCITY_POINTS), f"wrote to us {_plural(inputs.replies_in, 'time')} unprompted"
        return 0.0, "no messages sent yet"
    answered = min(inputs.replies_in, inputs.messages_out)
    noun = "message" if inputs.messages_out == 1 else "messages"
    return RECIPROCITY_POINTS * answered / inputs.messages_out, f"{answered} of {inputs.messages_out} {noun} answered"


def _depth(inputs: StrengthInputs) -> tuple[float, str]:
    points = min(DEPTH_POINTS, POINTS_PER_CALL * inputs.calls + POINTS_PER_MEETING * inputs.meetings)
    parts = [_plural(n, word) for n, word in ((inputs.calls, "call"), (inputs.meetings, "meeting")) if n]
    return float(points), " and ".join(parts) if parts else "no calls or meetings yet"


def _frequency(inputs: StrengthInputs) -> tuple[float, str]:
    points = min(FREQUENCY_POINTS, POINTS_PER_TOUCH * inputs.recent_touches)
    days = FREQUENCY_WINDOW.days
    if not inputs.recent_touches:
        return 0.0, f"no touches in the last {days} days"
    return float(points), f"{_plural(inputs.recent_touches, 'touch', 'touches')} in the last {days} days"


def relationship_strength(inputs: StrengthInputs, *, now: datetime) -> Strength:
    """The score (0-100) and the reasons behind it, strongest signal first."""
    parts = [_recency(inputs, now), _reciprocity(inputs), _depth(inputs), _frequency(inputs)]
    score = round(sum(points for points, _ in parts))
    return Strength(score=max(0, min(100, score)), reasons=[reason for _, reason in parts])
