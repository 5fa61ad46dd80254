"""The response-rate metric: every figure the dashboard, the API, the home card and the guard show.

Pure reads of the roll-ups (`ResponseStat`, see engagement/analytics_models.py); the definition is
in docs/analytics.md. Days are UTC dates of an outreach's first send. An outreach sent
on day D settles when its window has passed for the whole day: from D + window_days + 1 (00:00 UTC).
"""

from engagement.analytics.bounds import (
    MAX_RANGE_DAYS,
    MAX_WINDOW_DAYS,
    MAX_YEAR,
    MIN_YEAR,
    AnalyticsError,
    validate_range,
)
from engagement.analytics.funnel import FUNNEL_STAGES, FunnelRow, stage_funnel
from engagement.analytics.labels import key_labels
from engagement.analytics.rates import (
    GROUP_BY,
    GUARD_THRESHOLD,
    LIVE_DAYS,
    ORG_SETTING_DEFAULTS,
    REPLY_TIME_BUCKETS,
    DistributionRow,
    LiveRate,
    PeriodRow,
    RateRow,
    live_rate,
    org_setting,
    rate_over_time,
    reply_time_distribution,
    response_rates,
    response_rates_by,
    wilson_interval,
)

__all__ = [
    "FUNNEL_STAGES",
    "GROUP_BY",
    "GUARD_THRESHOLD",
    "LIVE_DAYS",
    "MAX_RANGE_DAYS",
    "MAX_WINDOW_DAYS",
    "MAX_YEAR",
    "MIN_YEAR",
    "ORG_SETTING_DEFAULTS",
    "REPLY_TIME_BUCKETS",
    "AnalyticsError",
    "DistributionRow",
    "FunnelRow",
    "LiveRate",
    "PeriodRow",
    "RateRow",
    "key_labels",
    "live_rate",
    "org_setting",
    "rate_over_time",
    "reply_time_distribution",
    "response_rates",
    "response_rates_by",
    "stage_funnel",
    "validate_range",
    "wilson_interval",
]
