"""Roll-up rows for the analytics page and API tests, written the way `engagement.rollups` keeps them.

The figures' arithmetic is tested against the messages in test_analytics_*.py by the metric's
own tests; the page and the API only present `engagement.analytics`'s answers, so their tests
write `ResponseStat` rows directly, for known days, and pass `now` where it matters.
"""

from __future__ import annotations

from datetime import date

from engagement.analytics.models import ResponseStat, answer_bucket_hours
from engagement.analytics.rollups.store import weeks_rebuild


def outreach(
    org,
    *,
    day: date,
    recruiter=None,
    template=None,
    circle=None,
    source: str = "sourced",
    count: int = 1,
    answered_after_hours: float | None = None,
    bounced: bool = False,
    interested: bool = False,
) -> None:
    """`count` outreach first sent on `day`, counted in every roll-up row they belong to."""
    keys = {
        "all": "",
        "recruiter": str(recruiter.pk) if recruiter else "",
        "template": str(template.pk) if template else "",
        "sequence": "",
        "circle": str(circle.pk) if circle else "",
        "source": source,
        "industry": "",
    }
    targets = [(0, dimension, key) for dimension, key in keys.items()]
    if recruiter is not None:
        targets += [(recruiter.pk, dimension, key) for dimension, key in keys.items() if dimension != "recruiter"]
    for recruiter_id, dimension, key in targets:
        row, _ = ResponseStat.objects.get_or_create(
            organization=org, day=day, recruiter_id=recruiter_id, dimension=dimension, key=key
        )
        row.sent += count
        if bounced:
            row.bounced += count
        if answered_after_hours is not None:
            bucket = str(answer_bucket_hours(answered_after_hours * 3600))
            row.answered += count
            row.answer_hours[bucket] = row.answer_hours.get(bucket, 0) + count
        if interested:
            row.interested += count
        row.save()
    weeks_rebuild(org_id=org.pk, since_day=day)  # the weekly sums, as the handlers keep them
