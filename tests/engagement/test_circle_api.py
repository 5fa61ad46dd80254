"""`/api/v1/circles/`: CRUD, members and posts, scoped to the caller's organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from candidates.models import Candidate
from engagement.circles import services as circles
from engagement.circles.models import Circle, CircleMembership, Post
from talentcircles.services import api_token_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(acme) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(membership=acme.membership, name='t').key}")
    return client


@pytest.fixture
def globex_api(globex) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_create(membership=globex.membership, name='t').key}")
    return client


def make_circle(tenant, name="Backend Engineers", visibility="public") -> Circle:
    return circles.circle_create(org=tenant.org, actor=tenant.user, name=name, visibility=visibility)


def test_it_creates_a_circle_and_answers_201_with_its_id(api, acme):
    response = api.post(
        "/api/v1/circles/",
        {"name": "Open Source Maintainers", "visibility": "public", "description": "People who maintain things."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    circle = Circle.objects.get(pk=body["id"])
    assert circle.organization == acme.org and circle.created_by == acme.user
    assert body["slug"] == "open-source-maintainers" and body["visibility"] == "public"
    assert (body["member_count"], body["post_count"]) == (0, 0)


def test_it_answers_400_with_field_messages(api, acme):
    make_circle(acme, "Taken")
    response = api.post("/api/v1/circles/", {"name": "taken", "visibility": "secret"}, format="json")
    assert response.status_code == 400 and set(response.json()) == {"visibility"}
    response = api.post("/api/v1/circles/", {"name": "taken"}, format="json")
    assert response.status_code == 400 and "already a circle" in response.json()["name"][0]
    assert Circle.objects.count() == 1


def test_it_lists_reads_updates_and_deletes_circles_with_counts_in_constant_queries(api, acme, make_candidate):
    def add_circle(n):
        circle = make_circle(acme, f"Circle {n}")
        person = make_candidate(acme, f"P{n}", email=f"p{n}@example.com")
        circles.circle_add_members(org=acme.org, circle=circle, candidates=Candidate.objects.filter(pk=person.pk))
        return circle

    first = add_circle(0)
    api.get("/api/v1/circles/")  # the token's first use is recorded once
    with CaptureQueriesContext(connection) as few:
        api.get("/api/v1/circles/")
    for n in range(1, 6):
        add_circle(n)
    with CaptureQueriesContext(connection) as many:
        listed = api.get("/api/v1/circles/").json()
    assert len(many) == len(few)
    assert listed["count"] == 6 and {c["member_count"] for c in listed["results"]} == {1}

    assert api.get(f"/api/v1/circles/{first.pk}/").json()["name"] == "Circle 0"
    patched = api.patch(f"/api/v1/circles/{first.pk}/", {"visibility": "private"}, format="json")
    assert patched.status_code == 200 and patched.json()["visibility"] == "private"
    assert api.delete(f"/api/v1/circles/{first.pk}/").status_code == 204
    assert not Circle.objects.filter(pk=first.pk).exists()


def test_members_are_listed_added_and_removed_by_candidate_id(api, acme, globex, make_candidate):
    circle = make_circle(acme)
    a, b = make_candidate(acme, "A", email="a@example.com"), make_candidate(acme, "B", email="b@example.com")
    theirs = make_candidate(globex, "G", email="g@example.com")
    members = f"/api/v1/circles/{circle.pk}/members/"

    added = api.post(members, {"candidates": [a.pk, b.pk]}, format="json")
    assert added.status_code == 200 and added.json() == {"added": 2, "already": 0}
    assert api.post(members, {"candidates": [a.pk]}, format="json").json() == {"added": 0, "already": 1}
    listed = api.get(members).json()
    assert listed["count"] == 2 and {m["candidate"] for m in listed["results"]} == {a.pk, b.pk}
    assert {"full_name", "stage", "last_contacted_at", "joined_via"} <= set(listed["results"][0])

    refused = api.post(members, {"candidates": [a.pk, theirs.pk, 999999]}, format="json")
    assert refused.status_code == 400
    assert str(theirs.pk) in refused.json()["candidates"][0] and "999999" in refused.json()["candidates"][0]
    assert api.post(members, {"candidates": []}, format="json").status_code == 400

    removed = api.delete(members, {"candidates": [a.pk]}, format="json")
    assert removed.status_code == 200 and removed.json() == {"removed": 1}
    assert set(CircleMembership.objects.values_list("candidate_id", flat=True)) == {b.pk}


def test_posts_are_written_read_published_updated_and_deleted(api, acme):
    circle = make_circle(acme)
    posts = f"/api/v1/circles/{circle.pk}/posts/"
    starts = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    created = api.post(
        posts,
        {
            "kind": "event",
            "title": "Maintainers' meetup",
            "body": "Talks. <script>alert(1)</script>[x](javascript:alert(1))",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=2)).isoformat(),
            "capacity": 40,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["status"] == "draft" and body["circle"] == circle.pk and body["author"] == acme.user.pk
    assert "<script" not in body["body_html"] and "javascript" not in body["body_html"]

    detail = f"{posts}{body['id']}/"
    published = api.post(f"{detail}publish/")
    assert published.status_code == 200 and published.json()["status"] == "published"
    assert api.get(posts).json()["count"] == 1

    bad = api.patch(detail, {"ends_at": (starts - timedelta(hours=1)).isoformat()}, format="json")
    assert bad.status_code == 400 and "ends_at" in bad.json()
    updated = api.patch(detail, {"title": "Meetup, new date"}, format="json")
    assert updated.status_code == 200 and updated.json()["title"] == "Meetup, new date"
    assert updated.json()["capacity"] == 40  # a partial update leaves the rest
    missing = api.post(posts, {"kind": "event", "title": "No date"}, format="json")
    assert missing.status_code == 400 and "starts_at" in missing.json()
    assert api.delete(detail).status_code == 204 and not Post.objects.exists()


def test_another_organisation_gets_404_on_every_endpoint_and_nothing_changes(api, globex_api, acme, make_candidate):
    circle = make_circle(acme)
    person = make_candidate(acme, "A", email="a@example.com")
    circles.circle_add_members(org=acme.org, circle=circle, candidates=Candidate.objects.all())
    post = circles.post_create(org=acme.org, circle=circle, author=acme.user, data={"title": "Draft"})
    base, members = f"/api/v1/circles/{circle.pk}/", f"/api/v1/circles/{circle.pk}/members/"
    posts = f"/api/v1/circles/{circle.pk}/posts/"
    detail = f"{posts}{post.pk}/"
    calls = [
        ("get", base, None), ("patch", base, {"name": "Mine"}), ("put", base, {"name": "Mine"}), ("delete", base, None),
        ("get", members, None), ("post", members, {"candidates": [person.pk]}),
        ("delete", members, {"candidates": [person.pk]}),
        ("get", posts, None), ("post", posts, {"title": "X"}),
        ("get", detail, None), ("patch", detail, {"title": "X"}), ("delete", detail, None),
        ("post", f"{detail}publish/", None),
    ]  # fmt: skip
    for method, path, data in calls:
        response = getattr(globex_api, method)(path, data, format="json")
        assert response.status_code == 404, (method, path)
    assert globex_api.get("/api/v1/circles/").json()["count"] == 0
    circle.refresh_from_db()
    post.refresh_from_db()
    assert circle.name == "Backend Engineers" and post.title == "Draft" and post.status == "draft"
    assert CircleMembership.objects.filter(circle=circle).count() == 1
    # A post id reached through another of acme's circles is not found either.
    other = make_circle(acme, "Other")
    assert api.get(f"/api/v1/circles/{other.pk}/posts/{post.pk}/").status_code == 404
