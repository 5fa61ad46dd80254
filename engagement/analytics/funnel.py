"""Stage conversion (contacted → engaged → interested → applied → hired) with the time spent in each stage."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from statistics import median

from engagement.analytics.bounds import validate_range
from engagement.analytics.rates import ratio

FUNNEL_STAGES = ("contacted", "engaged", "interested", "applied", "hired")


@dataclass
class FunnelRow:
    stage: str
    label: str
    count: int
    conversion_from_previous: float | None
    median_hours_in_stage: float | None


def stage_funnel(*, org, date_from: date, date_to: date, recruiter_id: int | None = None) -> list[FunnelRow]:
    """Candidates reaching each stage (contacted → … → hired) in the range, and the median time spent in it.

    Reads the timeline's stage changes (far fewer rows than messages). With a recruiter, only
    candidates that recruiter has reached out to.
    """
    from candidates.models import Candidate
    from engagement.analytics.models import ResponseOutreach
    from engagement.timeline.models import Activity

    validate_range(date_from=date_from, date_to=date_to)
    start = datetime.combine(date_from, datetime.min.time(), tzinfo=UTC)
    end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
    changes = Activity.objects.for_org(org).filter(
        kind=Activity.Kind.STAGE_CHANGE, occurred_at__gte=start, occurred_at__lt=end
    )
    if recruiter_id is not None:
        changes = changes.filter(
            candidate_id__in=ResponseOutreach.objects.for_org(org)
            .filter(recruiter_id=recruiter_id)
            .values("candidate_id")
        )
    reached: dict[str, set[int]] = defaultdict(set)
    time_in: dict[str, list[float]] = defaultdict(list)
    for candidate_id, details in changes.values_list("candidate_id", "details").iterator(chunk_size=5000):
        stage, previous = details.get("stage", ""), details.get("previous", "")
        reached[stage].add(candidate_id)
        seconds = details.get("time_in_previous_seconds")
        if previous in FUNNEL_STAGES and isinstance(seconds, int | float):
            time_in[previous].append(seconds)
    labels = dict(Candidate.Stage.choices)
    rows: list[FunnelRow] = []
    # A stage counts everyone who reached it or any later one (a click can skip "engaged").
    cumulative: set[int] = set()
    counts: dict[str, int] = {}
    for stage in reversed(FUNNEL_STAGES):
        cumulative |= reached[stage]
        counts[stage] = len(cumulative)
    previous_count: int | None = None
    for stage in FUNNEL_STAGES:
        rows.append(
            FunnelRow(
                stage=stage, label=labels.get(stage, stage), count=counts[stage],
                conversion_from_previous=ratio(counts[stage], previous_count) if previous_count is not None else None,
                median_hours_in_stage=round(median(time_in[stage]) / 3600, 1) if time_in[stage] else None,
            )
        )  # fmt: skip
        previous_count = counts[stage]
    return rows
