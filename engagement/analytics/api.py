"""Response-rate API: `GET /api/v1/stats/response-rate/` and `GET /api/v1/stats/funnel/`.

Thin: the query string is checked here (shape and clear messages), every figure comes from
`engagement.analytics`, which reads the roll-ups only. Scoped to the caller's organisation; a
recruiter sees colleagues' figures only when the organisation shares them
(`share_team_analytics`), otherwise only their own, and naming another recruiter is 404.
Rates are fractions (0.131 is 13.1%).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.analytics import metric as analytics
from engagement.analytics.forms import default_range, sees_team_figures
from engagement.analytics.metric import MAX_WINDOW_DAYS, AnalyticsError, org_setting
from talentcircles.api_schema import MAX_ID, NOT_FOUND, VALIDATION
from talentcircles.models import Membership
from talentcircles.tenancy import OrgApiRequest

GROUP_BY_CHOICES = [choice for choice in analytics.GROUP_BY]
_WINDOW_MESSAGE = f"The response window is 1 to {MAX_WINDOW_DAYS} days."
_ERRORS = {**VALIDATION, **NOT_FOUND}
_RANGE_RULE = (
    f"Years {analytics.MIN_YEAR} to {analytics.MAX_YEAR}; `to` at most {analytics.MAX_RANGE_DAYS:,} days "
    "(five years) after `from`, else a 400."
)


class StatsQuerySerializer(serializers.Serializer):
    """`from`/`to` (both or neither: the last 90 days) and `recruiter` (a user id)."""

    date_from = serializers.DateField(
        required=False, help_text=f"First UTC day of first sends (YYYY-MM-DD). {_RANGE_RULE}"
    )
    date_to = serializers.DateField(
        required=False, help_text=f"Last UTC day of first sends, inclusive (YYYY-MM-DD). {_RANGE_RULE}"
    )
    recruiter = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text="Only this recruiter's outreach (a user id). Recruiters of organisations that do not share "
        "team figures always get their own.",
    )

    def get_fields(self):
        # `from` is a Python keyword, so the fields are declared under other names and renamed here.
        fields = super().get_fields()
        fields["from"] = fields.pop("date_from")
        fields["to"] = fields.pop("date_to")
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given_from, given_to = attrs.get("from"), attrs.get("to")
        if given_from is None and given_to is None:
            attrs["from"], attrs["to"] = default_range()
        try:
            analytics.validate_range(date_from=attrs.get("from"), date_to=attrs.get("to"))
        except AnalyticsError as error:
            raise serializers.ValidationError({error.field: [error.message]}) from None
        return attrs


class ResponseRateQuerySerializer(StatsQuerySerializer):
    group_by = serializers.ChoiceField(
        choices=GROUP_BY_CHOICES,
        default="recruiter",
        help_text="The cut: one row per recruiter, template, sequence, step, circle, source or industry "
        "(`all`: one row for everything).",
        error_messages={"invalid_choice": f'Unknown group_by "{{input}}"; use one of {", ".join(GROUP_BY_CHOICES)}.'},
    )
    window_days = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_WINDOW_DAYS,
        help_text="Days after the first message within which an answer counts (default: the organisation's, 30).",
        error_messages={"min_value": _WINDOW_MESSAGE, "max_value": _WINDOW_MESSAGE},
    )


class RateRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text='The group\'s id or value ("" for none).')
    # DRF's serializer metaclass takes declared fields off the class, so this does not replace the
    # serializer's own `label` attribute; the stubs cannot know that.
    label = serializers.CharField()  # type: ignore[assignment]
    sent = serializers.IntegerField(help_text="Outreach first sent in the range, bounced included.")
    answered = serializers.IntegerField(help_text="Answered within the window (declines count; auto-replies do not).")
    unanswered = serializers.IntegerField(help_text="Not answered and past the window.")
    pending = serializers.IntegerField(help_text="Not answered and still inside the window.")
    bounced = serializers.IntegerField(help_text="Bounced: left out of every rate.")
    settled_rate = serializers.FloatField(allow_null=True, help_text="answered ÷ (answered + unanswered).")
    ci_low = serializers.FloatField(allow_null=True, help_text="Wilson 95% interval of the settled rate, low end.")
    ci_high = serializers.FloatField(allow_null=True, help_text="Wilson 95% interval of the settled rate, high end.")
    live_14d_rate = serializers.FloatField(
        allow_null=True, help_text="Answered so far ÷ outreach sent (not bounced) in the last 14 days."
    )
    live_14d_sent = serializers.IntegerField()
    small_sample = serializers.BooleanField(help_text="Fewer sends in 14 days than the assessment needs (100).")
    median_hours_to_reply = serializers.FloatField(allow_null=True)
    interested_rate = serializers.FloatField(allow_null=True)
    unsubscribe_rate = serializers.FloatField(allow_null=True)


class ResponseRateSerializer(serializers.Serializer):
    group_by = serializers.CharField()
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    window_days = serializers.IntegerField()
    recruiter = serializers.IntegerField(allow_null=True, help_text="The recruiter the figures cover, or null.")
    results = RateRowSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("date_from")
        fields["to"] = fields.pop("date_to")
        return fields


class FunnelStageSerializer(serializers.Serializer):
    stage = serializers.CharField()
    # A declared field, not the serializer's own `label` attribute (see RateRowSerializer.label).
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField(help_text="Candidates who reached this stage (or a later one) in the range.")
    conversion_from_previous = serializers.FloatField(allow_null=True)
    median_hours_in_stage = serializers.FloatField(allow_null=True)


class FunnelSerializer(serializers.Serializer):
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    recruiter = serializers.IntegerField(allow_null=True)
    stages = FunnelStageSerializer(many=True)

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("date_from")
        fields["to"] = fields.pop("date_to")
        return fields


def _recruiter_scope(request: OrgApiRequest, asked: int | None) -> int | None:
    """The recruiter whose figures the caller may see: the one asked for, or only their own."""
    membership: Membership = request.membership
    if not sees_team_figures(request.org, membership):
        if asked not in (None, membership.user_id):
            raise exceptions.NotFound("No such recruiter.")
        return membership.user_id
    if asked is not None and not Membership.objects.for_org(request.org).filter(user_id=asked).exists():
        raise exceptions.NotFound("No such recruiter.")
    return asked


class ResponseRateView(APIView):
    @extend_schema(
        summary="Response rates, cut by one dimension",
        description=(
            "Outreach (a conversation a recruiter or a sequence started) first sent between `from` and `to`, "
            "answered within `window_days`. Read from daily roll-ups. Rates are fractions."
        ),
        parameters=[ResponseRateQuerySerializer],
        responses={200: ResponseRateSerializer, **_ERRORS},
        examples=[
            OpenApiExample(
                "By template",
                response_only=True,
                status_codes=["200"],
                value={
                    "group_by": "template",
                    "from": "2026-01-01",
                    "to": "2026-03-31",
                    "window_days": 30,
                    "recruiter": None,
                    "results": [
                        {
                            "key": "12",
                            "label": "Backend first touch",
                            "sent": 240,
                            "answered": 41,
                            "unanswered": 160,
                            "pending": 35,
                            "bounced": 4,
                            "settled_rate": 0.204,
                            "ci_low": 0.153,
                            "ci_high": 0.266,
                            "live_14d_rate": 0.18,
                            "live_14d_sent": 50,
                            "small_sample": True,
                            "median_hours_to_reply": 20.0,
                            "interested_rate": 0.08,
                            "unsubscribe_rate": 0.01,
                        }
                    ],
                },
            ),
            OpenApiExample(
                "Bad input", response_only=True, status_codes=["400"], value={"window_days": [_WINDOW_MESSAGE]}
            ),
        ],
    )
    def get(self, request: OrgApiRequest) -> Response:
        query = ResponseRateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        recruiter_id = _recruiter_scope(request, params.get("recruiter"))
        window_days = params.get("window_days") or int(org_setting(request.org, "response_window_days"))
        date_from: date = params["from"]
        date_to: date = params["to"]
        rows = analytics.response_rates(
            org=request.org,
            group_by=params["group_by"],
            date_from=date_from,
            date_to=date_to,
            window_days=window_days,
            recruiter_id=recruiter_id,
        )
        body = {
            "group_by": params["group_by"],
            "from": date_from,
            "to": date_to,
            "window_days": window_days,
            "recruiter": recruiter_id,
            "results": [vars(row) for row in rows],
        }
        return Response(ResponseRateSerializer(body).data)


class FunnelView(APIView):
    @extend_schema(
        summary="Stage funnel: contacted → engaged → interested → applied → hired",
        description="Candidates reaching each stage between `from` and `to`, with the median time spent in it.",
        parameters=[StatsQuerySerializer],
        responses={200: FunnelSerializer, **_ERRORS},
    )
    def get(self, request: OrgApiRequest) -> Response:
        query = StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        recruiter_id = _recruiter_scope(request, params.get("recruiter"))
        rows = analytics.stage_funnel(
            org=request.org, date_from=params["from"], date_to=params["to"], recruiter_id=recruiter_id
        )
        body = {
            "from": params["from"],
            "to": params["to"],
            "recruiter": recruiter_id,
            "stages": [vars(r) for r in rows],
        }
        return Response(FunnelSerializer(body).data)
