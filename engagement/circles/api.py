"""Circles API: `/api/v1/circles/` (CRUD), `…/{id}/members/` (list, add, remove), `…/{id}/posts/` (CRUD, publish).

Scoped to the caller's organisation: another organisation's circle, post or candidate is 404
(candidate ids in a members request that are not the organisation's are a 400 naming them).
Reads go through `engagement.circle_selectors`, writes through `engagement.circles`.
"""

from __future__ import annotations

from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from candidates.models import Candidate
from engagement.circles import selectors as circle_selectors
from engagement.circles import services as circles
from engagement.circles.models import Circle, CircleMembership, Post
from talentcircles.api import OrgScopedModelViewSet
from talentcircles.api_schema import MAX_ID, NOT_FOUND, VALIDATION, path_id
from talentcircles.permissions import Capability
from talentcircles.tenancy import OrgApiRequest

_CIRCLE_ID = path_id("circle", "circle_pk")


class CircleSerializer(serializers.ModelSerializer):
    member_count = serializers.IntegerField(read_only=True, default=0)
    post_count = serializers.IntegerField(read_only=True, default=0)
    visibility = serializers.ChoiceField(
        choices=Circle.Visibility.choices,
        default=Circle.Visibility.PRIVATE,
        help_text="`public`: candidates can find and join it in the portal; `private`: a segment only recruiters see.",
    )

    class Meta:
        model = Circle
        fields = ["id", "name", "slug", "description", "visibility", "member_count", "post_count", "created_at"]
        read_only_fields = ["id", "slug", "member_count", "post_count", "created_at"]
        extra_kwargs = {"description": {"required": False}}


@extend_schema_view(
    list=extend_schema(summary="List circles with member and post counts"),
    create=extend_schema(
        summary="Create a circle",
        responses={201: CircleSerializer, **VALIDATION},
        examples=[
            OpenApiExample(
                "A public circle",
                request_only=True,
                value={
                    "name": "Open Source Maintainers",
                    "visibility": "public",
                    "description": "People who look after open source projects.",
                },
            )
        ],
    ),
    retrieve=extend_schema(summary="Read a circle", responses={200: CircleSerializer, **NOT_FOUND}),
    update=extend_schema(summary="Update a circle", responses={200: CircleSerializer, **VALIDATION}),
    partial_update=extend_schema(summary="Update some fields of a circle"),
    destroy=extend_schema(summary="Delete a circle with its memberships and posts", responses={204: None}),
)
class CircleViewSet(OrgScopedModelViewSet):
    capability = Capability.MANAGE_CIRCLES
    queryset = Circle.objects.all()
    serializer_class = CircleSerializer
    lookup_value_regex = r"\d+"

    def org_queryset(self, org):
        return circle_selectors.circle_list(org=org)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = circles.circle_create(
            org=self.request.org,
            actor=self.request.user,
            name=data["name"],
            description=data.get("description", ""),
            visibility=data.get("visibility", Circle.Visibility.PRIVATE),
        )

    def perform_update(self, serializer):
        data = serializer.validated_data
        circles.circle_update(
            circle=serializer.instance,
            name=data.get("name"),
            description=data.get("description"),
            visibility=data.get("visibility"),
        )

    def perform_destroy(self, instance: Circle) -> None:
        circles.circle_delete(circle=instance)


# --- Members ----------------------------------------------------------------------------------


class MemberSerializer(serializers.ModelSerializer):
    candidate = serializers.IntegerField(source="candidate_id", read_only=True)
    full_name = serializers.CharField(source="candidate.full_name", read_only=True)
    email = serializers.CharField(source="candidate.email", read_only=True)
    stage = serializers.CharField(source="candidate.stage", read_only=True)
    last_contacted_at = serializers.DateTimeField(source="candidate.last_contacted_at", read_only=True)

    class Meta:
        model = CircleMembership
        fields = ["candidate", "full_name", "email", "stage", "last_contacted_at", "joined_via", "joined_at",
                  "email_posts"]  # fmt: skip
        read_only_fields = fields


class MemberIdsSerializer(serializers.Serializer):
    candidates = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        allow_empty=False,
        max_length=10_000,
        help_text="Candidate ids.",
    )


class MembersResultSerializer(serializers.Serializer):
    added = serializers.IntegerField(required=False)
    already = serializers.IntegerField(required=False, help_text="Already members; left as they were.")
    removed = serializers.IntegerField(required=False)


class CircleMembersView(GenericAPIView):
    """The circle's members: list them, add candidates by id, remove them."""

    capability = Capability.MANAGE_CIRCLES

    request: OrgApiRequest
    serializer_class = MemberSerializer

    def circle(self) -> Circle:
        return get_object_or_404(Circle.objects.for_org(self.request.org), pk=self.kwargs["circle_pk"])

    def _ids(self) -> list[int]:
        ids = MemberIdsSerializer(data=self.request.data)
        ids.is_valid(raise_exception=True)
        wanted = sorted(set(ids.validated_data["candidates"]))
        found = set(Candidate.objects.for_org(self.request.org).filter(pk__in=wanted).values_list("pk", flat=True))
        unknown = [pk for pk in wanted if pk not in found]
        if unknown:
            raise serializers.ValidationError(
                {"candidates": [f"No candidate with id {', '.join(map(str, unknown))} in this organisation."]}
            )
        return wanted

    @extend_schema(summary="List a circle's members", parameters=_CIRCLE_ID, responses=MemberSerializer(many=True))
    def get(self, request, circle_pk: int):
        page = self.paginate_queryset(circle_selectors.circle_members(circle=self.circle()))
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    @extend_schema(
        summary="Add candidates to a circle",
        parameters=_CIRCLE_ID,
        request=MemberIdsSerializer,
        responses={200: MembersResultSerializer, **VALIDATION, **NOT_FOUND},
        examples=[OpenApiExample("Add two candidates", request_only=True, value={"candidates": [42, 43]})],
    )
    def post(self, request, circle_pk: int):
        circle = self.circle()
        ids = self._ids()
        with transaction.atomic():
            result = circles.circle_add_members(
                org=request.org, circle=circle, candidates=Candidate.objects.for_org(request.org).filter(pk__in=ids)
            )
        return Response({"added": result.added, "already": result.already})

    @extend_schema(
        summary="Remove candidates from a circle",
        parameters=_CIRCLE_ID,
        request=MemberIdsSerializer,
        responses={200: MembersResultSerializer, **VALIDATION, **NOT_FOUND},
    )
    def delete(self, request, circle_pk: int):
        circle = self.circle()
        removed = circles.circle_remove_members(org=request.org, circle=circle, candidate_ids=self._ids())
        return Response({"removed": removed})


# --- Posts ------------------------------------------------------------------------------------


class PostSerializer(serializers.ModelSerializer):
    circle = serializers.IntegerField(source="circle_id", read_only=True)
    author = serializers.IntegerField(source="author_id", read_only=True, allow_null=True)
    kind = serializers.ChoiceField(choices=Post.Kind.choices, default=Post.Kind.ANNOUNCEMENT)
    body = serializers.CharField(required=False, allow_blank=True, default="", help_text="Markdown.")
    starts_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Events: ISO 8601; without an offset it is read as UTC."
    )
    capacity = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Events: seats; null for unlimited."
    )

    class Meta:
        model = Post
        fields = [
            "id", "circle", "kind", "title", "body", "body_html", "job_url", "starts_at", "ends_at",
            "location", "online_url", "capacity", "status", "published_at", "author", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["id", "circle", "body_html", "status", "published_at", "author", "created_at", "updated_at"]


_POST_ID = [*_CIRCLE_ID, *path_id("post")]


@extend_schema_view(
    list=extend_schema(summary="List a circle's posts (drafts first)", parameters=_CIRCLE_ID),
    create=extend_schema(
        summary="Write a draft post in a circle",
        parameters=_CIRCLE_ID,
        responses={201: PostSerializer, **VALIDATION, **NOT_FOUND},
        examples=[
            OpenApiExample(
                "A meetup with 40 seats",
                request_only=True,
                value={
                    "kind": "event",
                    "title": "Maintainers' meetup",
                    "body": "Talks and pizza. **Bring a friend.**",
                    "starts_at": "2026-12-03T18:00:00+00:00",
                    "ends_at": "2026-12-03T21:00:00+00:00",
                    "location": "1 Main Street, London",
                    "capacity": 40,
                },
            )
        ],
    ),
    retrieve=extend_schema(summary="Read a post", parameters=_POST_ID),
    update=extend_schema(summary="Update a post", parameters=_POST_ID),
    partial_update=extend_schema(summary="Update some fields of a post", parameters=_POST_ID),
    destroy=extend_schema(summary="Delete a post", parameters=_POST_ID, responses={204: None}),
)
class PostViewSet(OrgScopedModelViewSet):
    capability = Capability.MANAGE_CIRCLES
    queryset = Post.objects.all()
    serializer_class = PostSerializer
    lookup_value_regex = r"\d+"

    def circle(self) -> Circle:
        if not hasattr(self, "_circle"):
            self._circle = get_object_or_404(Circle.objects.for_org(self.request.org), pk=self.kwargs["circle_pk"])
        return self._circle

    def org_queryset(self, org):
        return circle_selectors.circle_posts(circle=self.circle())

    def perform_create(self, serializer):
        serializer.instance = circles.post_create(
            org=self.request.org, circle=self.circle(), author=self.request.user, data=serializer.validated_data
        )

    def perform_update(self, serializer):
        circles.post_update(post=serializer.instance, data=serializer.validated_data)

    def perform_destroy(self, instance: Post) -> None:
        circles.post_delete(post=instance)

    @extend_schema(
        summary="Publish a post: it shows in members' feeds and goes into their next e-mail",
        parameters=_POST_ID,
        request=None,
        responses={200: PostSerializer, **VALIDATION, **NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, circle_pk=None, pk=None):
        post = self.get_object()
        post = circles.post_publish(post=post)
        return Response(PostSerializer(post).data, status=status.HTTP_200_OK)
