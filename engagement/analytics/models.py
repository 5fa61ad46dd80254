"""Response-rate roll-ups and the response-rate guard's state (issue 8).

`ResponseOutreach` is one row per outreach (a conversation a recruiter or a sequence started and
actually sent), kept by the event handlers in `engagement/rollups.py` and rebuilt from the messages
table by `rollups_rebuild`; its conditional updates make "counted once" hold under concurrency.
`ResponseStat` sums outreach per UTC day of the first send and per dimension, `ResponseStatWeek`
the same per week: the dashboard and the API read only these rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet

# Answer delays are kept in hour buckets: the exact hour (rounded up) for the first two days,
# then whole days (rounded up, in hours). "Answered within W days" is then exactly `bucket <= 24*W`.
HOUR_PRECISION_HOURS = 48


def answer_bucket_hours(delay_seconds: float) -> int:
    """The histogram bucket (in hours, an upper bound) of an answer `delay_seconds` after the first send."""
    seconds = max(0, int(-(-delay_seconds // 1)))
    hours = -(-seconds // 3600)
    if hours <= HOUR_PRECISION_HOURS:
        return hours
    return 24 * -(-seconds // 86400)


class Dimension(models.TextChoices):
    ALL = "all", "Everyone"
    RECRUITER = "recruiter", "Recruiter"
    TEMPLATE = "template", "Template"
    SEQUENCE = "sequence", "Sequence"
    STEP = "step", "Sequence step"
    CIRCLE = "circle", "Circle"
    SOURCE = "source", "Candidate source"
    INDUSTRY = "industry", "Industry"


class ResponseOutreach(models.Model):
    """One outreach: facts the roll-ups are summed from, written once per thread."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    thread = models.OneToOneField("messaging.Thread", on_delete=models.CASCADE, related_name="+")
    candidate_id = models.BigIntegerField()
    first_sent_at = models.DateTimeField()
    day = models.DateField(help_text="UTC date of the first send.")
    recruiter_id = models.BigIntegerField(null=True, blank=True)
    template_id = models.BigIntegerField(null=True, blank=True)
    sequence_id = models.BigIntegerField(null=True, blank=True)
    circle_id = models.BigIntegerField(null=True, blank=True)
    source = models.CharField(max_length=20, blank=True)
    industry = models.CharField(max_length=80, blank=True)
    # Steps whose message went out in this outreach, as ",12,15,": a step counts its send once.
    steps_sent = models.TextField(blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    answer_bucket_hours = models.IntegerField(null=True, blank=True)
    answer_step_id = models.BigIntegerField(null=True, blank=True)
    bounced = models.BooleanField(default=False)
    interested = models.BooleanField(default=False)
    not_interested = models.BooleanField(default=False)
    unsubscribed = models.BooleanField(default=False)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["organization", "day"], name="outreach_org_day"),
            models.Index(fields=["organization", "recruiter_id", "first_sent_at"], name="outreach_org_recruiter"),
            models.Index(fields=["candidate_id", "first_sent_at"], name="outreach_candidate"),
        ]

    def __str__(self) -> str:
        return f"outreach {self.thread_id}"


class ResponseCounts(models.Model):
    """What a roll-up row sums for one value (`key`) of one dimension, from the outreach of its `day`s.

    sent = bounced + answered (any time) + not answered. `answer_hours` maps an answer's delay
    bucket (see `answer_bucket_hours`) to a count; answered within W days = sum of buckets <= 24*W.
    Each row exists once for everyone (recruiter_id 0) and once per recruiter, except the recruiter
    dimension (its per-recruiter copy would repeat the "all" row). For the step dimension, `sent`
    counts outreach in which that step's message went out and
    answers are credited to the step sent last before the answer.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    key = models.CharField(max_length=80, blank=True, default="")
    # 0: every recruiter's outreach; otherwise only this recruiter's (so any cut can be filtered by recruiter).
    recruiter_id = models.BigIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    bounced = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0, help_text="Answered at any time (see answer_hours).")
    answer_hours = models.JSONField(default=dict, blank=True)
    interested = models.PositiveIntegerField(default=0)
    not_interested = models.PositiveIntegerField(default=0)
    unsubscribed = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class ResponseStat(ResponseCounts):
    """Outreach first sent on `day` (UTC), summed for one value of one dimension (see ResponseCounts)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "recruiter_id", "dimension", "key", "day"], name="response_stat_unique"
            )
        ]
        indexes = [
            models.Index(fields=["organization", "recruiter_id", "dimension", "day"], name="response_stat_read"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.dimension}={self.key}"


class ResponseStatWeek(ResponseCounts):
    """The `ResponseStat` rows of the UTC week (Monday to Sunday) that starts on `day`, summed.

    A read over months would otherwise sum thousands of daily histograms; it reads the weeks it
    covers whole from here and only the days at its edges from `ResponseStat`. Kept by the same
    statements as the daily rows (`engagement/rollups.py`) and rebuilt from them.
    """

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "recruiter_id", "dimension", "key", "day"], name="response_stat_week_unique"
            ),
            models.CheckConstraint(condition=models.Q(day__week_day=2), name="response_stat_week_starts_monday"),
        ]
        indexes = [
            models.Index(fields=["organization", "recruiter_id", "dimension", "day"], name="response_stat_week_read"),
        ]

    def __str__(self) -> str:
        return f"week of {self.day} {self.dimension}={self.key}"


class RecruiterGuard(models.Model):
    """The response-rate guard's state for one recruiter in one organisation."""

    class State(models.TextChoices):
        OK = "ok", "In good standing"
        WARNING = "warning", "Warned"
        IMPROVEMENT = "improvement", "Improvement period"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    recruiter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices, default=State.OK)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_rate = models.FloatField(null=True, blank=True)
    last_sent = models.PositiveIntegerField(default=0)
    warned_at = models.DateTimeField(null=True, blank=True)
    warned_rate = models.FloatField(null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True, help_text="What the warning found, in words.")
    period_started_at = models.DateTimeField(null=True, blank=True)
    period_ends_at = models.DateTimeField(null=True, blank=True)
    period_ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "recruiter"], name="recruiter_guard_unique")]
        indexes = [models.Index(fields=["organization", "state"], name="recruiter_guard_state")]

    def __str__(self) -> str:
        return f"{self.recruiter_id}: {self.get_state_display()}"

    def paused_at(self, now) -> bool:
        """Bulk sends and new enrolments wait while an improvement period runs (it ends by itself)."""
        return self.state == self.State.IMPROVEMENT and self.period_ends_at is not None and now < self.period_ends_at
