"""`/api/v1/imports/`: start an import from an uploaded file, and follow its progress.

POST takes multipart form data (`file`, `format`, optional `mapping` and `owner`) and
answers 201 with the queued job; a file that cannot be imported is a 400 naming the
field. GET `/api/v1/imports/{id}/` reports status, progress, counts, failed rows and rows
with warnings (imported without an unreadable value, or skipped for having no name).
Scoped to the caller's organisation; another organisation's job is 404.
"""

from __future__ import annotations

from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from candidates.importing.jobs import FORMAT_CHOICES, import_job_create
from candidates.importing.mapping import FIELDS
from candidates.importing.readers import MAX_BYTES
from candidates.models import ImportJob
from candidates.upload_rate import RATE_LIMITED, upload_rate_check_or_throttle
from talentcircles.api import OrgScopedViewSet
from talentcircles.api_schema import NOT_FOUND, VALIDATION, path_id
from talentcircles.models import User
from talentcircles.permissions import Capability


@extend_schema_field({"type": "string", "format": "binary"})
class _UploadField(serializers.FileField):
    """A file part of a multipart body (documented as binary, not as the URL DRF returns for stored files)."""


class ImportJobCreateSerializer(serializers.Serializer):
    file = _UploadField(
        help_text=f"The CSV, LinkedIn Connections.csv or JSON Resume file, at most {MAX_BYTES // 2**20} MB."
    )
    format = serializers.ChoiceField(
        choices=FORMAT_CHOICES,
        error_messages={
            "invalid_choice": "“{input}” is not a format we import. Choose one of: "
            + ", ".join(value for value, _label in FORMAT_CHOICES)
            + "."
        },
        help_text="`csv`, `linkedin`, `jsonresume`, or `auto` to decide from the file (.json → JSON Resume; "
        "LinkedIn's header → linkedin; else csv).",
    )
    mapping = serializers.JSONField(
        required=False,
        binary=True,  # arrives as a JSON string inside the multipart body
        help_text='CSV only: a JSON object of column header → field, `""` to ignore a column. Fields: '
        + ", ".join(f"`{name}`" for name in FIELDS)
        + ". Left out, the fields are guessed from the column names.",
    )
    owner = serializers.EmailField(
        required=False, help_text="E-mail of a member of the organisation who will own the new candidates."
    )

    def validate_owner(self, email: str) -> User:
        org = self.context["request"].org
        owner = User.objects.filter(memberships__organization=org, email__iexact=email).first()
        if owner is None:
            raise serializers.ValidationError(f"No member of this organisation has the e-mail {email}.")
        return owner


class ImportJobSerializer(serializers.ModelSerializer):
    owner: serializers.SlugRelatedField[User] = serializers.SlugRelatedField(slug_field="email", read_only=True)
    percent = serializers.IntegerField(read_only=True, help_text="Rows processed, in percent of `total`.")
    is_done = serializers.BooleanField(read_only=True, help_text="Finished or failed: polling can stop.")
    # DRF's serializer metaclass takes declared fields off the class, so this does not replace the
    # serializer's own `errors`; the stubs cannot know that.
    errors = serializers.ListField(  # type: ignore[assignment]
        child=serializers.DictField(),
        read_only=True,
        help_text="One entry per failed row: `row` (line in the CSV, position in a JSON array), `reason`, "
        "and `data` (the row as it came).",
    )
    warnings = serializers.ListField(
        child=serializers.DictField(),
        read_only=True,
        help_text="One entry per row imported with a value left out (a phone such as “Upon request”, an e-mail "
        "that is not one, a date such as “Present”), or skipped for having no name: `row`, `outcome` (`created`, "
        "`updated` or `skipped`), `messages` (what was left out and why) and `data` (the row as it came).",
    )

    class Meta:
        model = ImportJob
        fields = [
            "id", "format", "status", "is_done", "original_name", "owner", "mapping", "total", "processed",
            "percent", "created", "updated", "skipped", "failed", "errors", "warnings", "message", "created_at",
            "started_at", "finished_at",
        ]  # fmt: skip
        read_only_fields = fields


_LINKEDIN_MAPPING = {
    "First Name": "first_name", "Last Name": "last_name", "URL": "linkedin_url", "Email Address": "email",
    "Company": "current_company", "Position": "current_title", "Connected On": "",
}  # fmt: skip
_JOB_EXAMPLE = {
    "id": 12,
    "format": "linkedin",
    "status": "finished",
    "is_done": True,
    "original_name": "Connections.csv",
    "owner": "recruiter@example.com",
    "mapping": _LINKEDIN_MAPPING,
    "total": 4,
    "processed": 4,
    "percent": 100,
    "created": 2,
    "updated": 0,
    "skipped": 1,
    "failed": 1,
    "errors": [
        {
            "row": 7,
            "reason": "linkedin_url: Jane Doe (#31) already has this LinkedIn URL.",
            "data": {"First Name": "Janet", "Last Name": "Doe", "URL": "https://www.linkedin.com/in/jane-doe"},
        }
    ],
    "warnings": [
        {
            "row": 8,
            "outcome": "created",
            "messages": ["email: “urn:li:member:1234” is not a valid e-mail address. Left out."],
            "data": {"First Name": "Pat", "Last Name": "Roe", "Email Address": "urn:li:member:1234"},
        },
        {
            "row": 9,
            "outcome": "skipped",
            "messages": ["No name: skipped (a new candidate needs a first or last name)."],
            "data": {"First Name": "", "Last Name": "", "Connected On": "02 Jun 2022"},
        },
    ],
    "message": "",
    "created_at": "2025-05-02T09:30:00Z",
    "started_at": "2025-05-02T09:30:01Z",
    "finished_at": "2025-05-02T09:30:02Z",
}
CREATE_EXAMPLE = OpenApiExample(
    "A CSV with a mapping",
    request_only=True,
    media_type="multipart/form-data",
    description="`file` is the uploaded file; `mapping` is a JSON string.",
    value={
        "file": "people.csv",
        "format": "csv",
        "mapping": '{"Name": "full_name", "E-mail": "email", "Employer": "current_company", "Notes": ""}',
        "owner": "recruiter@example.com",
    },
)
CREATED_EXAMPLE = OpenApiExample(
    "Queued",
    response_only=True,
    status_codes=["201"],
    value=_JOB_EXAMPLE
    | {"status": "queued", "is_done": False, "processed": 0, "percent": 0, "created": 0, "skipped": 0, "failed": 0}
    | {"errors": [], "warnings": [], "started_at": None, "finished_at": None},
)
FILE_ERROR_EXAMPLE = OpenApiExample(
    "A file that cannot be imported",
    response_only=True,
    status_codes=["400"],
    value={"file": ["The file has a header but no rows."]},
)
FORMAT_ERROR_EXAMPLE = OpenApiExample(
    "An unknown format",
    response_only=True,
    status_codes=["400"],
    value={"format": ["“xml” is not a format we import. Choose one of: auto, csv, linkedin, jsonresume."]},
)
FINISHED_EXAMPLE = OpenApiExample(
    "Finished: one row failed, one imported without its e-mail, one skipped", response_only=True, value=_JOB_EXAMPLE
)
_ID = path_id("import job")


@extend_schema_view(
    list=extend_schema(summary="List imports, newest first", responses=ImportJobSerializer(many=True)),
    create=extend_schema(
        summary="Start an import from a file",
        description="Multipart upload. The job is queued and runs in the background; poll "
        "`GET /api/v1/imports/{id}/` until `is_done`. Candidates who already exist (same e-mail, "
        "then same LinkedIn URL) only get their empty fields filled, so importing a file twice adds nothing.",
        request={"multipart/form-data": ImportJobCreateSerializer},
        responses={201: ImportJobSerializer, **VALIDATION, **RATE_LIMITED},
        examples=[CREATE_EXAMPLE, CREATED_EXAMPLE, FILE_ERROR_EXAMPLE, FORMAT_ERROR_EXAMPLE],
    ),
    retrieve=extend_schema(
        summary="An import's status, progress, counts, failed rows and rows with warnings",
        parameters=_ID,
        responses={200: ImportJobSerializer, **NOT_FOUND},
        examples=[FINISHED_EXAMPLE],
    ),
)
class ImportJobViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.ListModelMixin, OrgScopedViewSet):
    capability = Capability.IMPORT
    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]
    lookup_value_regex = r"\d+"

    def org_queryset(self, org):
        return super().org_queryset(org).select_related("owner").order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return ImportJobCreateSerializer if self.action == "create" else ImportJobSerializer

    def create(self, request, *args, **kwargs):
        incoming = self.get_serializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        upload_rate_check_or_throttle(request.user)
        job = import_job_create(
            org=request.org,
            actor=request.user,
            upload=incoming.validated_data["file"],
            format=incoming.validated_data["format"],
            owner=incoming.validated_data.get("owner"),
            mapping=incoming.validated_data.get("mapping"),
        )
        return Response(ImportJobSerializer(job).data, status=status.HTTP_201_CREATED)
