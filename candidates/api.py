"""`/api/v1/candidates/`: list (search, filters, ordering), create, read, update, delete, résumé upload.

Scoped to the caller's organisation by `OrgScopedViewSet`; another organisation's id is 404.
Reads go through `candidates.selectors`, writes through `candidates.services`.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from candidates.models import Candidate, Resume
from candidates.resumes import resume_attach
from candidates.selectors import ORDERINGS, candidate_detail, candidate_results
from candidates.serializers import (
    CandidateListQuerySerializer,
    CandidateSerializer,
    CandidateWriteSerializer,
    ResumeSerializer,
    ResumeUploadSerializer,
)
from candidates.services import candidate_delete
from candidates.upload_rate import RATE_LIMITED, upload_rate_check_or_throttle
from talentcircles import audit, permissions
from talentcircles.api import OrgScopedModelViewSet
from talentcircles.api_schema import NOT_FOUND, VALIDATION, path_id
from talentcircles.models import ApiToken
from talentcircles.permissions import Capability

# The list shows each candidate's résumés: one more query per page, without their (large) text.
_LISTED_RESUMES = Prefetch(
    "resumes", queryset=Resume.objects.defer("text").order_by("-created_at"), to_attr="listed_resumes"
)

_EXAMPLE_CANDIDATE = {
    "id": 42,
    "first_name": "Jane",
    "last_name": "Doe",
    "full_name": "Jane Doe",
    "email": "jane.doe@example.com",
    "phone": "+442079460958",
    "headline": "Backend engineer who loves boring technology",
    "current_title": "Senior Backend Engineer",
    "current_company": "Initech",
    "industry": "Computer Software",
    "city": "London",
    "region": "England",
    "country_code": "GB",
    "time_zone": "Europe/London",
    "linkedin_url": "https://www.linkedin.com/in/jane-doe",
    "links": ["https://github.com/janedoe"],
    "skills": ["Django", "PostgreSQL"],
    "tags": ["meetup-2025"],
    "source": "referral",
    "referrer": "Sam Smith",
    "owner": {"id": 7, "email": "recruiter@example.com"},
    "stage": "engaged",
    "do_not_contact": False,
    "email_undeliverable": False,
    "last_contacted_at": "2025-05-02T09:30:00Z",
    "created_at": "2025-04-01T12:00:00Z",
    "updated_at": "2025-05-02T09:30:00Z",
    "resumes": [
        {
            "id": 3,
            "original_name": "Jane Doe CV.pdf",
            "kind": "pdf",
            "size": 182344,
            "created_at": "2025-04-01T12:01:00Z",
        }
    ],
}

CREATE_EXAMPLE = OpenApiExample(
    "Create a referred candidate",
    request_only=True,
    value={
        "first_name": "Jane",
        "last_name": "Doe",
        "email": "Jane.Doe@Example.com",
        "phone": "020 7946 0958",
        "country_code": "GB",
        "city": "London",
        "current_title": "Senior Backend Engineer",
        "current_company": "Initech",
        "industry": "computer software",
        "linkedin_url": "https://uk.linkedin.com/in/Jane-Doe/?trk=public_profile",
        "skills": ["Django", "PostgreSQL"],
        "tags": ["meetup-2025"],
        "source": "referral",
        "referrer": "Sam Smith",
        "owner": 7,
    },
)
LIST_EXAMPLE = OpenApiExample(
    "Engineers in London with Django",
    response_only=True,
    description="GET /api/v1/candidates/?search=engineer&skill=django&location=London&contactable=true",
    value=_EXAMPLE_CANDIDATE,  # drf-spectacular wraps it in the paginated list
)
VALIDATION_EXAMPLE = OpenApiExample(
    "Field messages",
    response_only=True,
    status_codes=["400"],
    value={"email": ["“jane@” is not a valid e-mail address."], "first_name": ["This field is required."]},
)


def _query(name: str, description: str, type=OpenApiTypes.STR, **kwargs) -> OpenApiParameter:
    return OpenApiParameter(name, type, OpenApiParameter.QUERY, required=False, description=description, **kwargs)


LIST_PARAMETERS = [
    _query("search", "Words matched against names (typos tolerated), e-mail, title, company, headline, "
           "skills and résumé text; results are ranked when no ordering is given."),
    _query("skill", "Has this skill (case-insensitive)."),
    _query("tag", "Has this tag (case-insensitive)."),
    _query("industry", "In this industry of the taxonomy (case-insensitive)."),
    _query("location", "City, region, or country: a two-letter code or its name (case-insensitive)."),
    _query("stage", "In this relationship stage. Archived candidates are listed only with stage=archived "
           "or include_archived=true.", enum=Candidate.Stage.values),
    _query("owner", "Owner's user id, or `none` for candidates nobody owns."),
    _query("source", "Where the candidate came from.", enum=Candidate.Source.values),
    _query("contactable", "true: may be e-mailed now (has an e-mail, not erased, unsubscribed, do-not-contact, "
           "undeliverable or suppressed, consent not withdrawn, not in a final stage); false: the others.",
           OpenApiTypes.BOOL),
    _query("include_archived", "Also list archived candidates.", OpenApiTypes.BOOL),
    _query("last_contacted_before", "Last contacted before this ISO 8601 time.", OpenApiTypes.DATETIME),
    _query("last_contacted_after", "Last contacted at or after this ISO 8601 time.", OpenApiTypes.DATETIME),
    _query("ordering", "Sort key; `-` reverses. Default: relevance when searching, else name.", enum=list(ORDERINGS)),
]  # fmt: skip
_ID = path_id("candidate")


@extend_schema_view(
    list=extend_schema(
        summary="List and search candidates",
        parameters=LIST_PARAMETERS,
        responses={200: CandidateSerializer(many=True), **VALIDATION},
        examples=[LIST_EXAMPLE],
    ),
    create=extend_schema(
        summary="Create a candidate",
        request=CandidateWriteSerializer,
        responses={201: CandidateSerializer, **VALIDATION},
        examples=[CREATE_EXAMPLE, VALIDATION_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="Read a candidate", parameters=_ID, responses={200: CandidateSerializer, **NOT_FOUND}
    ),
    update=extend_schema(
        summary="Update a candidate (the fields sent)",
        parameters=_ID,
        request=CandidateWriteSerializer,
        responses={200: CandidateSerializer, **VALIDATION, **NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Update some fields of a candidate",
        parameters=_ID,
        request=CandidateWriteSerializer,
        responses={200: CandidateSerializer, **VALIDATION, **NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete a candidate and their files", parameters=_ID, responses={204: None, **NOT_FOUND}
    ),
)
class CandidateViewSet(OrgScopedModelViewSet):
    capability = Capability.EDIT_CANDIDATES
    capabilities = {"destroy": Capability.DELETE_OWN_CANDIDATES}  # and the candidate's owner
    queryset = Candidate.objects.all()
    lookup_value_regex = r"\d+"

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return CandidateWriteSerializer
        if self.action == "upload_resume":
            return ResumeUploadSerializer
        return CandidateSerializer

    def org_queryset(self, org):
        if self.action != "list":
            return super().org_queryset(org)
        # A plain dict (see CandidateListQuerySerializer on booleans); an empty parameter means "any".
        params = {name: value for name, value in self.request.query_params.dict().items() if value != ""}
        query = CandidateListQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        results = candidate_results(org=org, filters=query.filters(), ordering=query.chosen_ordering())
        # A ranked search has counted its matches already; CountedPagination reads this.
        self.known_count = (results.counted, results.count_cap) if results.counted is not None else None
        return results.pages.prefetch_related(_LISTED_RESUMES)  # type: ignore[return-value]  # paginated as a list

    def get_object(self) -> Candidate:
        try:
            candidate = candidate_detail(org=self.request.org, pk=int(self.kwargs["pk"]))
        except Candidate.DoesNotExist:
            raise NotFound("No such candidate.") from None
        self.check_object_permissions(self.request, candidate)
        return candidate

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        target = (audit.TargetType.CANDIDATE, int(kwargs["pk"]))
        audit.record(request._request, request.org, audit.Action.PROFILE_VIEWED, target=target)
        return response

    def perform_destroy(self, instance: Candidate) -> None:
        # A recruiter deletes only the candidates they own (issue #21: a token deleted a colleague's).
        token = self.request.auth if isinstance(self.request.auth, ApiToken) else None
        refused = permissions.candidate_deletion_refusal(self.request.membership, instance, token)
        if refused:
            raise PermissionDenied(refused)
        candidate_delete(candidate=instance, actor=self.request.user)

    @extend_schema(
        summary="Upload a résumé (PDF or DOCX, at most 10 MB); its text is read in the background",
        parameters=_ID,
        request={"multipart/form-data": ResumeUploadSerializer},
        responses={201: ResumeSerializer, **VALIDATION, **NOT_FOUND, **RATE_LIMITED},
        examples=[
            OpenApiExample(
                "Not a PDF or DOCX",
                response_only=True,
                status_codes=["400"],
                value={"file": ["This file is not a PDF or a Word (DOCX) document. Upload the résumé as PDF or DOCX."]},
            )
        ],
    )
    @action(detail=True, methods=["post"], url_path="resume", parser_classes=[MultiPartParser, FormParser])
    def upload_resume(self, request, pk=None):
        candidate = self.get_object()
        upload = ResumeUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        upload_rate_check_or_throttle(request.user)
        resume = resume_attach(candidate=candidate, upload=upload.validated_data["file"], actor=request.user)
        return Response(ResumeSerializer(resume).data, status=status.HTTP_201_CREATED)
