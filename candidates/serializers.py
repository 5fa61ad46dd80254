"""DRF serializers of the candidates API: the profile as read, as written, and the list's query.

Serializers check shape only; `candidates.services` normalises and enforces the rules, and
its `ValidationError` field messages are passed on unchanged as a 400.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from candidates import countries, normalise, services
from candidates.models import Candidate, Resume
from candidates.selectors import ORDERINGS, CandidateFilters
from talentcircles.contact import may_contact_many
from talentcircles.models import Membership, User


class OwnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "email"]
        read_only_fields = fields


class ResumeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resume
        fields = ["id", "original_name", "kind", "size", "created_at", "extraction_status", "extraction_reason"]
        read_only_fields = fields
        extra_kwargs = {
            "extraction_status": {
                "help_text": "`pending` until a worker has read the text (seconds), then `done` or `failed`."
            },
            "extraction_reason": {"help_text": "Why the text was not extracted (the file is kept); empty otherwise."},
        }


@extend_schema_field(OpenApiTypes.STR)
class LabelNameField(serializers.SlugRelatedField):
    """A skill's or tag's name (the schema cannot see through the `listed_*` lists)."""


class _CandidatesWithContact(serializers.ListSerializer):
    """A page of candidates: the contact policy asked once for the whole page, not once per row."""

    def to_representation(self, data):
        items = list(data.all() if hasattr(data, "all") else data)
        request = self.context.get("request")
        if items and request is not None and getattr(request, "org", None) is not None:
            self.context["may_contact"] = may_contact_many(request.org, [c.pk for c in items])
        return super().to_representation(items)


class CandidateSerializer(serializers.ModelSerializer):
    """A candidate as the API returns it."""

    full_name = serializers.CharField(read_only=True)
    linkedin_url = serializers.SerializerMethodField(help_text="https://www.linkedin.com/in/… or empty.")
    # The `listed_*` lists are the relations as a list page prefetches them (see Candidate).
    skills = LabelNameField(many=True, read_only=True, slug_field="name", source="listed_skills")
    tags = LabelNameField(many=True, read_only=True, slug_field="name", source="listed_tags")
    owner = OwnerSerializer(read_only=True, allow_null=True)
    resumes = ResumeSerializer(many=True, read_only=True, source="listed_resumes")
    unsubscribed = serializers.SerializerMethodField(help_text="They chose “stop all messages” (or were erased).")
    may_contact = serializers.SerializerMethodField(
        help_text="Cold outreach (a bulk send, a sequence enrolment) may reach them now, by the contact policy; "
        "`GET /api/v1/candidates/{id}/contact/` gives the reasons when not."
    )

    class Meta:
        model = Candidate
        list_serializer_class = _CandidatesWithContact
        fields = [
            "id", "first_name", "last_name", "full_name", "email", "phone", "headline", "current_title",
            "current_company", "industry", "city", "region", "country_code", "time_zone", "linkedin_url", "links",
            "skills", "tags", "source", "referrer", "owner", "stage", "do_not_contact", "email_undeliverable",
            "last_contacted_at", "created_at", "updated_at", "resumes", "unsubscribed", "may_contact",
        ]  # fmt: skip
        read_only_fields = fields

    def get_unsubscribed(self, candidate: Candidate) -> bool:
        return candidate.unsubscribed_at is not None

    def get_may_contact(self, candidate: Candidate) -> bool:
        known = self.context.get("may_contact")
        if known is None or candidate.pk not in known:
            known = may_contact_many(candidate.organization, [candidate.pk])
        return known.get(candidate.pk, False)

    def get_linkedin_url(self, candidate: Candidate) -> str:
        return candidate.linkedin_href


def _text(max_length: int, **kwargs) -> serializers.CharField:
    # Normalising is the service's job; the length is checked here for a clear 400.
    return serializers.CharField(required=False, allow_blank=True, max_length=max_length, **kwargs)


def _iso_country(value: str) -> str:
    """An ISO 3166-1 alpha-2 code as sent (any case), or a 400 naming the code to use when there is one."""
    code = countries.lookup(value) if value.strip() else ""
    if value.strip() and (not code or code != value.strip().upper()):
        hint = f" {countries.name(code)} is {code}." if code else " Use a two-letter code such as GB or US."
        raise serializers.ValidationError(f"“{value}” is not an ISO 3166 country code.{hint}")
    return code


class CandidateWriteSerializer(serializers.Serializer):
    """What a client may send to create or update a candidate; writes go through the services.

    Only the fields sent are written (also on PUT); `skills` and `tags` replace the lists when sent.
    """

    first_name = serializers.CharField(max_length=100)
    last_name = _text(100)
    email = _text(254, help_text="Normalised to lower case; unique in the organisation.")
    phone = _text(40, help_text="Read in the candidate's country when it has no +country code; stored as E.164.")
    headline = _text(220)
    current_title = _text(200)
    current_company = _text(200)
    industry = _text(80, help_text="One of the industry taxonomy's names (case-insensitive).")
    city = _text(100)
    region = _text(100)
    country_code = _text(2, help_text="ISO 3166-1 alpha-2 code, e.g. GB (case-insensitive); 400 for any other value.")
    time_zone = _text(64, help_text="IANA name; derived from the location when left empty.")
    linkedin_url = _text(300, help_text="Any form of the profile URL; stored normalised.")
    links = serializers.ListField(child=serializers.URLField(max_length=500), required=False, max_length=20)
    skills = serializers.ListField(child=serializers.CharField(max_length=80), required=False, max_length=200)
    tags = serializers.ListField(child=serializers.CharField(max_length=80), required=False, max_length=200)
    # DRF's serializer metaclass takes declared fields off the class, so this does not replace the
    # serializer's own `source` attribute; the stubs cannot know that.
    source = serializers.ChoiceField(choices=Candidate.Source.choices, required=False)  # type: ignore[assignment]
    referrer = _text(200)
    owner = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=2**63 - 1,
        help_text="User id of a member of the organisation, or null.",
    )
    stage = serializers.ChoiceField(choices=Candidate.Stage.choices, required=False)
    do_not_contact = serializers.BooleanField(required=False)
    email_undeliverable = serializers.BooleanField(required=False)

    def validate_country_code(self, value: str) -> str:
        return _iso_country(value)

    def validate_owner(self, value: int | None) -> User | None:
        if value is None:
            return None
        membership = (
            Membership.objects.for_org(self.context["request"].org).select_related("user").filter(user_id=value).first()
        )
        if membership is None:
            raise serializers.ValidationError("The owner must be a member of this organisation.")
        return membership.user

    @staticmethod
    def _split(validated_data: dict) -> tuple[dict, list[str] | None, list[str] | None]:
        data = {name: value for name, value in validated_data.items() if name in services.PROFILE_FIELDS}
        return data, validated_data.get("skills"), validated_data.get("tags")

    def create(self, validated_data: dict) -> Candidate:
        data, skills, tags = self._split(validated_data)
        return services.candidate_create(
            org=self.context["request"].org,
            actor=self.context["request"].user,
            data=data,
            skills=skills or (),
            tags=tags or (),
        )

    def update(self, instance: Candidate, validated_data: dict) -> Candidate:
        data, skills, tags = self._split(validated_data)
        return services.candidate_update(
            candidate=instance, actor=self.context["request"].user, data=data, skills=skills, tags=tags
        )

    def to_representation(self, instance: Candidate) -> dict:
        return CandidateSerializer(instance, context=self.context).data


class ResumeUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF or DOCX, at most 10 MB; the type is read from the content.")


class CandidateListQuerySerializer(serializers.Serializer):
    """The list's query string: every filter of `CandidateFilters`, plus `ordering`.

    Give it `request.query_params.dict()`, not the QueryDict: with form-style input DRF reads
    an absent boolean as false, and an absent `contactable` must mean "either".
    """

    search = _text(200, help_text="Names, e-mail, title, company, headline, skills, résumé text; typos in names ok.")
    skill = _text(80, help_text="Skill name (case-insensitive).")
    tag = _text(80, help_text="Tag name (case-insensitive).")
    industry = _text(80, help_text="Industry from the taxonomy (case-insensitive).")
    location = _text(100, help_text="City, region, or country (two-letter code or name).")
    stage = serializers.ChoiceField(choices=Candidate.Stage.choices, required=False, allow_blank=True)
    owner = _text(18, help_text="Owner's user id, or `none` for candidates without an owner.")
    # A declared field, not the serializer's own `source` attribute (see CandidateWriteSerializer.source).
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=Candidate.Source.choices, required=False, allow_blank=True
    )
    contactable = serializers.BooleanField(required=False, allow_null=True, default=None)
    include_archived = serializers.BooleanField(required=False, default=False)
    last_contacted_before = serializers.DateTimeField(required=False)
    last_contacted_after = serializers.DateTimeField(required=False)
    ordering = serializers.ChoiceField(choices=list(ORDERINGS), required=False, allow_blank=True)

    def validate_industry(self, value: str) -> str:
        try:
            return normalise.industry(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def validate_owner(self, value: str) -> str:
        value = value.strip().lower()
        if value and value != "none" and not value.isdigit():
            raise serializers.ValidationError("Give the owner's user id, or `none` for candidates without an owner.")
        return value

    def filters(self) -> CandidateFilters:
        data = self.validated_data
        owner = data.get("owner", "")
        return CandidateFilters(
            search=data.get("search", ""),
            skill=data.get("skill", ""),
            tag=data.get("tag", ""),
            industry=data.get("industry", ""),
            location=data.get("location", ""),
            stage=data.get("stage", ""),
            owner_id=int(owner) if owner.isdigit() else None,
            unowned=owner == "none",
            source=data.get("source", ""),
            contactable=data.get("contactable"),
            last_contacted_before=data.get("last_contacted_before"),
            last_contacted_after=data.get("last_contacted_after"),
            include_archived=data.get("include_archived", False),
        )

    def chosen_ordering(self) -> str:
        return self.validated_data.get("ordering", "")
