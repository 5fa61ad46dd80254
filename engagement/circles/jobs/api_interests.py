"""Interest in a job over the API: `/api/v1/jobs/{job_pk}/interests/` (list by status, add someone) and
`…/interests/{id}/` (read; move it: shortlisted, handed to the ATS, not a fit with a reason, back).

Scoped to the caller's organisation: another organisation's job or interest is 404, another
organisation's candidate a 400. Withdrawing is the candidate's alone (the portal), so it is a 400 here.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from candidates.models import Candidate
from engagement.circles.jobs import interest as interests
from engagement.circles.jobs import selectors
from engagement.circles.jobs.models import Job, JobInterest
from talentcircles.api import OrgScopedViewSet
from talentcircles.api_schema import MAX_ID, NOT_FOUND, VALIDATION, path_id
from talentcircles.permissions import Capability

_JOB_ID = path_id("job", "job_pk")
_INTEREST_ID = [*_JOB_ID, *path_id("interest")]


class JobInterestSerializer(serializers.ModelSerializer):
    job = serializers.IntegerField(source="job_id", read_only=True)
    candidate = serializers.IntegerField(source="candidate_id", read_only=True)
    candidate_name = serializers.CharField(source="candidate.full_name", read_only=True)
    resume = serializers.IntegerField(
        source="resume_id", read_only=True, allow_null=True, help_text="The résumé the person chose to share."
    )

    class Meta:
        model = JobInterest
        fields = [
            "id", "job", "candidate", "candidate_name", "source", "status", "note", "resume", "reason", "reason_note",
            "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class JobInterestAddSerializer(serializers.Serializer):
    candidate = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The candidate's id.")
    # The model's choices (one enum in the schema); "portal" is the candidate's own and a 400 here.
    source = serializers.ChoiceField(  # type: ignore[assignment]  # a field, popped by the metaclass
        choices=JobInterest.Source.choices,
        default=JobInterest.Source.RECRUITER,
        help_text="recruiter (they told you) or reply (they said so in a reply).",
    )


class JobInterestMoveSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=JobInterest.Status.choices,
        help_text="interested → shortlisted, handed_to_ats or not_a_fit; shortlisted → interested, handed_to_ats "
        "or not_a_fit; handed_to_ats → shortlisted or not_a_fit; not_a_fit → interested or shortlisted. "
        "Only the candidate withdraws (a 400 here).",
    )
    reason = serializers.ChoiceField(
        choices=JobInterest.Reason.choices, required=False, allow_blank=True, default="",
        help_text="Needed with not_a_fit.",
    )  # fmt: skip
    reason_note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


_STATUS_FILTER = OpenApiParameter(
    "status", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False, enum=JobInterest.Status.values,
    description="Only interests in this status.",
)  # fmt: skip
_MOVE = extend_schema(
    summary="Move an interest to another status",
    parameters=_INTEREST_ID,
    request=JobInterestMoveSerializer,
    responses={200: JobInterestSerializer, **VALIDATION, **NOT_FOUND},
    examples=[
        OpenApiExample(
            "Not a fit",
            request_only=True,
            value={"status": "not_a_fit", "reason": "salary", "reason_note": "Wants 30% more"},
        )
    ],
)


@extend_schema_view(
    list=extend_schema(
        summary="List the people interested in a job, newest first",
        parameters=[*_JOB_ID, _STATUS_FILTER],
        responses={200: JobInterestSerializer(many=True), **VALIDATION, **NOT_FOUND},
    ),
    create=extend_schema(
        summary="Add a candidate's interest in a job (they told you, or said so in a reply)",
        parameters=_JOB_ID,
        request=JobInterestAddSerializer,
        responses={200: JobInterestSerializer, 201: JobInterestSerializer, **VALIDATION, **NOT_FOUND},
    ),
    retrieve=extend_schema(
        summary="Read an interest", parameters=_INTEREST_ID, responses={200: JobInterestSerializer, **NOT_FOUND}
    ),
    update=_MOVE,
    partial_update=_MOVE,
)
class JobInterestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrgScopedViewSet):
    queryset = JobInterest.objects.all()
    serializer_class = JobInterestSerializer
    capability = Capability.MANAGE_JOBS  # adding someone's interest; moving it is like a stage move
    capabilities = {"update": Capability.MOVE_STAGE, "partial_update": Capability.MOVE_STAGE}
    lookup_value_regex = r"\d+"

    def job(self) -> Job:
        if not hasattr(self, "_job"):
            self._job = get_object_or_404(Job.objects.for_org(self.request.org), pk=self.kwargs["job_pk"])
        return self._job

    def org_queryset(self, org):
        wanted = self.request.query_params.get("status", "") if self.action == "list" else ""
        if wanted and wanted not in JobInterest.Status.values:
            choices = ", ".join(JobInterest.Status.values)
            raise serializers.ValidationError({"status": [f"Choose one of: {choices}."]})
        return selectors.job_interests(job=self.job(), status=wanted or None)

    def create(self, request, job_pk=None):
        data = JobInterestAddSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidate = Candidate.objects.for_org(request.org).filter(pk=data.validated_data["candidate"]).first()
        if candidate is None:
            raise serializers.ValidationError({"candidate": ["No candidate of your organisation has this id."]})
        interest, created = interests.job_interest_add(
            job=self.job(), candidate=candidate, actor=request.user, source=data.validated_data["source"]
        )
        answer = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(JobInterestSerializer(interest).data, status=answer)

    def update(self, request, job_pk=None, pk=None):
        move = JobInterestMoveSerializer(data=request.data)
        move.is_valid(raise_exception=True)
        interest = interests.job_interest_move(interest=self.get_object(), actor=request.user, **move.validated_data)
        return Response(JobInterestSerializer(interest).data)

    def partial_update(self, request, job_pk=None, pk=None):
        return self.update(request, job_pk=job_pk, pk=pk)
