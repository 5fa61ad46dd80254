"""A job's figures on its page (an htmx panel, /o/<org_slug>/jobs/<pk>/analytics/) and in the API
(`GET /api/v1/jobs/<pk>/analytics/`). The job page lives with the jobs, below analytics, so it loads
this panel by its URL rather than importing it. Another organisation's job is a 404 on both.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.analytics import svg
from engagement.analytics.jobs import JobFigures, job_figures
from engagement.circles.jobs.models import Job
from talentcircles.api_schema import NOT_FOUND
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.tenancy import OrgApiRequest


def interest_chart(figures: JobFigures, *, chart_id: str) -> str:
    """Interested → shortlisted → handed over, as bars on one count axis."""
    bars = [
        svg.Bar(label="Interested", value=figures.interested, caption=f"{figures.interested:,}"),
        svg.Bar(label="Shortlisted", value=figures.shortlisted, caption=f"{figures.shortlisted:,}"),
        svg.Bar(label="Handed over", value=figures.handed_over, caption=f"{figures.handed_over:,}"),
    ]
    return svg.horizontal_bars(
        bars,
        chart_id=chart_id,
        title="Interest in the job",
        description=(
            f"{figures.interested} interested, {figures.shortlisted} shortlisted, {figures.handed_over} handed over."
        ),
        ticks=svg.count_ticks(max(figures.interested, 1)),
    )


class JobAnalyticsPanelView(OrgMemberRequiredMixin, TemplateView):
    """The job page's "Figures" panel."""

    template_name = "engagement/jobs/_analytics.html"

    def get_context_data(self, **kwargs):
        job = get_object_or_404(Job.objects.for_org(self.org).select_related("organization"), pk=self.kwargs["pk"])
        figures = job_figures(job=job)
        return super().get_context_data(
            job=job, figures=figures, chart=interest_chart(figures, chart_id=f"job-{job.pk}-interest"), **kwargs
        )


class OutreachFiguresSerializer(serializers.Serializer):
    sent = serializers.IntegerField(help_text="Conversations started about the job and sent (bounced included).")
    answered = serializers.IntegerField(help_text="Answered within the response window.")
    unanswered = serializers.IntegerField(help_text="Not answered, window passed.")
    pending = serializers.IntegerField(help_text="Not answered yet, window still running.")
    bounced = serializers.IntegerField()
    window_days = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True, help_text="Settled: answered ÷ (answered + unanswered).")
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    small_sample = serializers.BooleanField(help_text="Fewer than 10 settled conversations: too few to judge.")


class JobFiguresSerializer(serializers.Serializer):
    interested = serializers.IntegerField(help_text="Live interest: interested, shortlisted or handed over.")
    shortlisted = serializers.IntegerField(help_text="Shortlisted or handed over.")
    handed_over = serializers.IntegerField(help_text="Handed to the ATS.")
    not_a_fit = serializers.IntegerField()
    withdrawn = serializers.IntegerField()
    first_interest_at = serializers.DateTimeField(allow_null=True)
    time_to_first_interest_hours = serializers.FloatField(
        allow_null=True, help_text="From the job's (last) opening to the first interest since."
    )
    outreach = OutreachFiguresSerializer()


class JobAnalyticsApiView(APIView):
    @extend_schema(
        summary="A job's figures: interest and the response rate of outreach about it",
        responses={200: JobFiguresSerializer, **NOT_FOUND},
    )
    def get(self, request: OrgApiRequest, pk: int) -> Response:
        job = get_object_or_404(Job.objects.for_org(request.org).select_related("organization"), pk=pk)
        return Response(JobFiguresSerializer(job_figures(job=job).as_dict()).data)
