"""Talent circles: services (membership, posts, Markdown, RSVPs, .ics) and the recruiter pages, tenancy included."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate
from engagement.circles import services as circles
from engagement.circles.models import Circle, CircleMembership, Post, Rsvp
from engagement.circles.services import render_markdown
from engagement.timeline.models import Activity

pytestmark = pytest.mark.django_db


def make_circle(tenant, name="Backend Engineers", visibility="public", **fields) -> Circle:
    return circles.circle_create(org=tenant.org, actor=tenant.user, name=name, visibility=visibility, **fields)


def make_event(tenant, circle, *, capacity=None, starts_in=timedelta(days=7), publish=True, **data) -> Post:
    starts = timezone.now() + starts_in
    data = {
        "kind": "event",
        "title": "Meetup",
        "body": "Talks and **pizza**.",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "capacity": capacity,
        **data,
    }
    post = circles.post_create(org=tenant.org, circle=circle, author=tenant.user, data=data)
    return circles.post_publish(post=post) if publish else post


def members_of(circle) -> set[int]:
    return set(CircleMembership.objects.filter(circle=circle).values_list("candidate_id", flat=True))


# --- Circles and memberships -------------------------------------------------------------------


class TestCircleServices:
    def test_it_creates_a_circle_with_a_unique_slug_and_refuses_a_second_with_the_same_name(self, acme):
        first = make_circle(acme, "Open Source Maintainers")
        assert first.slug == "open-source-maintainers" and first.created_by == acme.user
        with pytest.raises(ValidationError) as error:
            make_circle(acme, "open source maintainers")
        assert "already a circle" in error.value.message_dict["name"][0]
        assert make_circle(acme, "Open-Source Maintainers").slug == "open-source-maintainers-2"

    def test_it_refuses_an_empty_name_and_an_unknown_visibility(self, acme):
        with pytest.raises(ValidationError) as error:
            circles.circle_create(org=acme.org, actor=acme.user, name=" ", visibility="secret")
        assert set(error.value.message_dict) == {"name", "visibility"}
        assert not Circle.objects.exists()

    def test_adding_in_bulk_skips_members_already_in_and_other_organisations(self, acme, globex, make_candidate):
        circle = make_circle(acme)
        ours = [make_candidate(acme, f"P{i}", email=f"p{i}@example.com") for i in range(3)]
        theirs = make_candidate(globex, "G", email="g@example.com")
        circles.circle_add_members(org=acme.org, circle=circle, candidates=Candidate.objects.filter(pk=ours[0].pk))
        result = circles.circle_add_members(org=acme.org, circle=circle, candidates=Candidate.objects.all())
        assert (result.added, result.already) == (2, 1)
        assert members_of(circle) == {c.pk for c in ours}
        assert theirs.pk not in members_of(circle)
        assert set(CircleMembership.objects.values_list("joined_via", flat=True)) == {"recruiter"}

    def test_adding_to_another_organisations_circle_is_refused(self, acme, globex):
        circle = make_circle(globex)
        with pytest.raises(Circle.DoesNotExist):
            circles.circle_add_members(org=acme.org, circle=circle, candidates=Candidate.objects.all())

    def test_a_candidate_joins_and_leaves_a_public_circle_and_the_timeline_says_so(self, acme, candidate):
        circle = make_circle(acme)
        circles.circle_join(candidate=candidate, circle=circle)
        circles.circle_join(candidate=candidate, circle=circle)  # twice is once
        assert CircleMembership.objects.get(circle=circle, candidate=candidate).joined_via == "self"
        assert circles.circle_leave(candidate=candidate, circle=circle) is True
        assert not members_of(circle)
        kinds = list(Activity.objects.filter(candidate=candidate, circle=circle).values_list("kind", flat=True))
        assert sorted(kinds) == ["circle_join", "circle_leave"]

    def test_a_candidate_cannot_join_a_private_circle_or_another_organisations(self, acme, globex, candidate):
        for circle in (make_circle(acme, "Silver medallists", "private"), make_circle(globex, "Theirs")):
            with pytest.raises(Circle.DoesNotExist):
                circles.circle_join(candidate=candidate, circle=circle)
        assert not CircleMembership.objects.exists()

    def test_the_email_posts_switch_needs_a_membership(self, acme, candidate):
        circle = make_circle(acme)
        with pytest.raises(ValidationError):
            circles.circle_set_email_posts(candidate=candidate, circle=circle, enabled=False)
        circles.circle_join(candidate=candidate, circle=circle)
        assert circles.circle_set_email_posts(candidate=candidate, circle=circle, enabled=False).email_posts is False


# --- Posts and Markdown ------------------------------------------------------------------------


class TestMarkdown:
    def test_it_renders_markdown(self):
        html = render_markdown("# Hi\n\n**Bold** and [a link](https://example.com).\n\n- one\n- two")
        assert "<strong>Bold</strong>" in html and "<li>one</li>" in html
        assert 'href="https://example.com"' in html and 'rel="noopener noreferrer nofollow"' in html

    @pytest.mark.parametrize(
        "text, forbidden",
        [
            ("<script>alert('x')</script>Hello", ["<script", "alert("]),
            ("<style>body{display:none}</style>Hello", ["<style", "display:none"]),
            ("[click](javascript:alert(1))", ["javascript:"]),
            ('<a href="javascript:alert(1)">click</a>', ["javascript:"]),
            ('<img src="x" onerror="alert(1)">', ["onerror", "<img"]),
            ('<p onclick="steal()">Hi</p>', ["onclick"]),
            ('<iframe src="https://evil.example"></iframe>', ["<iframe"]),
            ("[x](data:text/html;base64,PHNjcmlwdD4=)", ["data:"]),
        ],
    )
    def test_it_strips_anything_that_could_run(self, text, forbidden):
        html = render_markdown(text).lower()
        for needle in forbidden:
            assert needle not in html

    def test_a_post_stores_the_sanitised_html(self, acme):
        post = circles.post_create(
            org=acme.org,
            circle=make_circle(acme),
            author=acme.user,
            data={"title": "News", "body": "Hi <script>x()</script>[there](javascript:x())"},
        )
        assert post.status == "draft" and "<script" not in post.body_html and "javascript" not in post.body_html


class TestPostServices:
    def test_an_event_needs_a_start_and_an_end_after_it(self, acme):
        circle = make_circle(acme)
        with pytest.raises(ValidationError) as error:
            circles.post_create(org=acme.org, circle=circle, author=acme.user, data={"kind": "event", "title": "M"})
        assert "starts_at" in error.value.message_dict
        now = timezone.now()
        with pytest.raises(ValidationError) as error:
            circles.post_create(
                org=acme.org,
                circle=circle,
                author=acme.user,
                data={"kind": "event", "title": "M", "starts_at": now, "ends_at": now - timedelta(hours=1)},
            )
        assert "ends_at" in error.value.message_dict
        assert not Post.objects.exists()

    def test_a_job_needs_its_link_and_other_kinds_drop_event_fields(self, acme):
        circle = make_circle(acme)
        with pytest.raises(ValidationError) as error:
            circles.post_create(org=acme.org, circle=circle, author=acme.user, data={"kind": "job", "title": "Dev"})
        assert "job_url" in error.value.message_dict
        post = circles.post_create(
            org=acme.org,
            circle=circle,
            author=acme.user,
            data={"title": "News", "starts_at": timezone.now(), "capacity": 5, "job_url": "https://x.example"},
        )
        assert (post.starts_at, post.capacity, post.job_url) == (None, None, "")

    def test_publishing_sets_the_time_once_and_a_past_event_is_refused(self, acme):
        circle = make_circle(acme)
        post = make_event(acme, circle, publish=False)
        published = circles.post_publish(post=post)
        first = published.published_at
        assert published.status == "published" and first
        assert circles.post_publish(post=published).published_at == first
        old = make_event(acme, circle, starts_in=-timedelta(days=2), publish=False)
        with pytest.raises(ValidationError):
            circles.post_publish(post=old)


# --- RSVPs and calendar files ------------------------------------------------------------------


class TestRsvp:
    def test_a_member_answers_and_changes_their_mind(self, acme, candidate):
        circle = make_circle(acme)
        circles.circle_join(candidate=candidate, circle=circle)
        event = make_event(acme, circle, capacity=10)
        circles.rsvp(candidate=candidate, post=event, response="yes")
        circles.rsvp(candidate=candidate, post=event, response="no")
        assert Rsvp.objects.get(post=event, candidate=candidate).response == "no"
        assert Activity.objects.filter(candidate=candidate, kind="rsvp").count() == 2

    def test_the_last_seat_goes_to_one_person_only(self, acme, make_candidate):
        circle = make_circle(acme)
        first, second = make_candidate(acme, "A", email="a@example.com"), make_candidate(acme, "B", email="b@e.com")
        for person in (first, second):
            circles.circle_join(candidate=person, circle=circle)
        event = make_event(acme, circle, capacity=1)
        circles.rsvp(candidate=first, post=event, response="yes")
        with pytest.raises(ValidationError) as error:
            circles.rsvp(candidate=second, post=event, response="yes")
        assert error.value.message_dict["response"] == ["This event is full."]
        circles.rsvp(candidate=first, post=event, response="yes")  # answering yes again keeps the seat
        circles.rsvp(candidate=second, post=event, response="no")  # declining a full event is fine
        assert circles.seats_left(event) == 0

    def test_non_members_drafts_private_circles_and_past_events_cannot_be_answered(self, acme, candidate):
        public, private = make_circle(acme), make_circle(acme, "Segment", "private")
        with pytest.raises(Post.DoesNotExist):
            circles.rsvp(candidate=candidate, post=make_event(acme, public), response="yes")  # not a member
        circles.circle_join(candidate=candidate, circle=public)
        with pytest.raises(Post.DoesNotExist):
            circles.rsvp(candidate=candidate, post=make_event(acme, public, publish=False), response="yes")
        CircleMembership.objects.create(circle=private, candidate=candidate, joined_via="recruiter")
        with pytest.raises(Post.DoesNotExist):
            circles.rsvp(candidate=candidate, post=make_event(acme, private), response="yes")
        running = make_event(acme, public)
        with pytest.raises(ValidationError):
            circles.rsvp(candidate=candidate, post=running, response="maybe")
        with pytest.raises(ValidationError):
            circles.rsvp(candidate=candidate, post=running, response="yes", now=running.ends_at + timedelta(minutes=1))
        assert not Rsvp.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_people_answering_at_once_for_the_last_seat_get_one_seat(acme, make_candidate):
    if connection.vendor != "postgresql":
        pytest.skip("Row locks need PostgreSQL; SQLite serialises writers by itself.")
    circle = make_circle(acme)
    people = [make_candidate(acme, f"P{i}", email=f"race{i}@example.com") for i in range(2)]
    for person in people:
        circles.circle_join(candidate=person, circle=circle)
    event = make_event(acme, circle, capacity=1)
    barrier, outcomes = threading.Barrier(2), []

    def answer(person):
        try:
            barrier.wait()
            circles.rsvp(candidate=person, post=event, response="yes")
            outcomes.append("seat")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["response"][0])
        finally:
            close_old_connections()

    threads = [threading.Thread(target=answer, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["This event is full.", "seat"]
    assert Rsvp.objects.filter(post=event, response="yes").count() == 1


def test_the_ics_file_holds_the_event_in_the_organisations_time_zone(acme):
    acme.org.time_zone = "Europe/London"
    acme.org.save()
    circle = make_circle(acme)
    starts = datetime(2031, 7, 1, 17, 0, tzinfo=ZoneInfo("UTC"))  # 18:00 in London (summer time)
    post = circles.post_create(
        org=acme.org,
        circle=circle,
        author=acme.user,
        data={
            "kind": "event",
            "title": "Summer meetup; drinks, talks",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=3),
            "location": "1 Main Street, London",
            "online_url": "https://meet.example.com/summer",
            "body": "Bring a friend.",
        },
    )
    raw = circles.ics_for(post)
    assert b"DTSTART;TZID=Europe/London:20310701T180000" in raw
    assert b"BEGIN:VTIMEZONE" in raw
    calendar = icalendar.Calendar.from_ical(raw)
    event = next(iter(calendar.walk("VEVENT")))
    assert event["SUMMARY"] == "Summer meetup; drinks, talks"
    assert event.decoded("DTSTART") == starts
    assert event.decoded("DTEND") == starts + timedelta(hours=3)
    assert event["LOCATION"] == "1 Main Street, London"
    assert str(event["UID"]).startswith(f"post-{post.pk}@")


# --- Recruiter pages ---------------------------------------------------------------------------


def page_url(name, tenant, *args):
    return reverse(name, args=[tenant.org.slug, *args])


class TestRecruiterPages:
    def test_the_list_shows_member_and_post_counts_in_constant_queries(self, acme, make_candidate):
        def circles_with_members(n):
            for _ in range(n):
                circle = make_circle(acme, f"Circle {Circle.objects.count()}")
                person = make_candidate(acme, f"M{circle.pk}", email=f"m{circle.pk}@example.com")
                circles.circle_add_members(
                    org=acme.org, circle=circle, candidates=Candidate.objects.filter(pk=person.pk)
                )
                circles.post_create(org=acme.org, circle=circle, author=acme.user, data={"title": "Hi"})

        circles_with_members(2)
        with CaptureQueriesContext(connection) as few:
            acme.client.get(page_url("circle_list", acme))
        circles_with_members(8)
        with CaptureQueriesContext(connection) as many:
            response = acme.client.get(page_url("circle_list", acme))
        assert len(many) == len(few)
        html = response.content.decode()
        assert html.count('data-member-count="1"') == 10 and html.count('data-post-count="1"') == 10

    def test_the_empty_list_invites_to_create_a_circle(self, acme):
        assert 'id="circles-empty"' in acme.client.get(page_url("circle_list", acme)).content.decode()

    def test_a_recruiter_creates_edits_and_deletes_a_circle(self, acme):
        response = acme.client.post(
            page_url("circle_create", acme), {"name": "Data people", "visibility": "public", "description": "Hi"}
        )
        circle = Circle.objects.get()
        assert response.status_code == 302 and circle.visibility == "public"
        duplicate = acme.client.post(page_url("circle_create", acme), {"name": "data people", "visibility": "public"})
        assert duplicate.status_code == 400 and "already a circle" in duplicate.content.decode()
        acme.client.post(page_url("circle_edit", acme, circle.pk), {"name": "Data folk", "visibility": "private"})
        circle.refresh_from_db()
        assert (circle.name, circle.visibility) == ("Data folk", "private")
        assert acme.client.get(page_url("circle_delete", acme, circle.pk)).status_code == 200
        acme.client.post(page_url("circle_delete", acme, circle.pk))
        assert not Circle.objects.exists()

    def test_the_detail_lists_members_with_stage_and_adds_them_by_email(self, acme, make_candidate):
        circle = make_circle(acme)
        jane = make_candidate(acme, "Jane", "Doe", email="jane@example.com", stage="engaged")
        response = acme.client.post(
            page_url("circle_member_add", acme, circle.pk), {"emails": "JANE@example.com, nobody@example.com"}
        )
        assert response.status_code == 302 and members_of(circle) == {jane.pk}
        page = acme.client.get(page_url("circle_detail", acme, circle.pk), follow=True).content.decode()
        assert "Jane Doe" in page and "Engaged" in page and "nobody@example.com" in page
        empty = acme.client.post(page_url("circle_member_add", acme, circle.pk), {"emails": " "})
        assert empty.status_code == 400

    def test_a_recruiter_removes_a_member(self, acme, candidate):
        circle = make_circle(acme)
        circles.circle_add_members(org=acme.org, circle=circle, candidates=Candidate.objects.all())
        acme.client.post(page_url("circle_member_remove", acme, circle.pk, candidate.pk))
        assert not members_of(circle)
        assert acme.client.post(page_url("circle_member_remove", acme, circle.pk, candidate.pk)).status_code == 404

    def test_a_recruiter_writes_publishes_and_deletes_a_post_in_the_org_time_zone(self, acme):
        acme.org.time_zone = "America/New_York"
        acme.org.save()
        circle = make_circle(acme)
        form = {
            "kind": "event", "title": "Meetup", "body": "**Pizza**<script>x()</script>",
            "starts_at": "2031-03-04T18:30", "ends_at": "2031-03-04T20:00", "capacity": "30", "publish": "1",
        }  # fmt: skip
        response = acme.client.post(page_url("circle_post_create", acme, circle.pk), form)
        post = Post.objects.get()
        assert response.status_code == 302
        assert post.status == "published" and post.starts_at == datetime(2031, 3, 4, 23, 30, tzinfo=ZoneInfo("UTC"))
        detail = acme.client.get(page_url("circle_post_detail", acme, circle.pk, post.pk)).content.decode()
        assert "<strong>Pizza</strong>" in detail and "<script>x()" not in detail and "18:30" in detail
        edit = acme.client.get(page_url("circle_post_edit", acme, circle.pk, post.pk)).content.decode()
        assert 'value="2031-03-04T18:30"' in edit
        acme.client.post(page_url("circle_post_unpublish", acme, circle.pk, post.pk))
        post.refresh_from_db()
        assert post.status == "draft"
        acme.client.post(page_url("circle_post_delete", acme, circle.pk, post.pk))
        assert not Post.objects.exists()

    def test_a_bad_post_shows_errors_and_saves_nothing(self, acme):
        circle = make_circle(acme)
        response = acme.client.post(page_url("circle_post_create", acme, circle.pk), {"kind": "event", "title": "M"})
        assert response.status_code == 400 and "start date" in response.content.decode()
        assert not Post.objects.exists()


class TestCandidateListIntegration:
    def test_the_bulk_bar_adds_the_selection_to_a_circle(self, acme, make_candidate):
        circle = make_circle(acme)
        a, b, _c = (make_candidate(acme, n, email=f"{n}@example.com") for n in "abc")
        response = acme.client.post(
            page_url("circle_bulk_add", acme), {"selected": [a.pk, b.pk], "circle": circle.pk, "query": "q=x"}
        )
        assert response.status_code == 302 and response["Location"].endswith("/candidates/?q=x")
        assert members_of(circle) == {a.pk, b.pk}

    def test_all_matching_adds_every_candidate_the_filters_match(self, acme, make_candidate):
        circle = make_circle(acme)
        for i in range(3):
            make_candidate(acme, f"Lon{i}", email=f"lon{i}@example.com", city="London")
        make_candidate(acme, "Par", email="par@example.com", city="Paris")
        acme.client.post(
            page_url("circle_bulk_add", acme), {"all_matching": "on", "circle": circle.pk, "query": "location=London"}
        )
        assert len(members_of(circle)) == 3

    def test_the_list_offers_the_controls_and_filters_by_circle_with_a_removable_chip(self, acme, make_candidate):
        circle = make_circle(acme, "Rustaceans")
        inside, outside = make_candidate(acme, "Inside", email="in@e.com"), make_candidate(acme, "Out", email="o@e.com")
        circles.circle_add_members(org=acme.org, circle=circle, candidates=Candidate.objects.filter(pk=inside.pk))
        page = acme.client.get(page_url("candidate_list", acme)).content.decode()
        assert 'id="bulk-add-to-circle"' in page and "Rustaceans" in page and 'id="bulk-invite"' in page
        filtered = acme.client.get(page_url("candidate_list", acme) + f"?circle={circle.pk}").content.decode()
        assert "Inside" in filtered and outside.full_name not in filtered
        assert 'id="circle-filter-chip"' in filtered and "In circle: Rustaceans" in filtered

    def test_the_circle_page_links_to_the_filtered_list(self, acme):
        circle = make_circle(acme)
        page = acme.client.get(page_url("circle_detail", acme, circle.pk)).content.decode()
        assert f"/candidates/?circle={circle.pk}" in page


# --- Tenancy ------------------------------------------------------------------------------------


def test_another_organisation_gets_404_on_every_circle_page_and_nothing_changes(acme, globex, candidate):
    circle = make_circle(acme)
    circles.circle_add_members(org=acme.org, circle=circle, candidates=Candidate.objects.all())
    post = make_event(acme, circle)
    before = (Circle.objects.count(), members_of(circle), Post.objects.get().status)
    slug = acme.org.slug
    gets = [
        ("circle_list", []), ("circle_create", []), ("circle_detail", [circle.pk]), ("circle_edit", [circle.pk]),
        ("circle_delete", [circle.pk]), ("circle_post_create", [circle.pk]),
        ("circle_post_detail", [circle.pk, post.pk]), ("circle_post_edit", [circle.pk, post.pk]),
    ]  # fmt: skip
    for name, args in gets:
        assert globex.client.get(reverse(name, args=[slug, *args])).status_code == 404, name
    posts = [
        ("circle_create", [], {"name": "X", "visibility": "public"}),
        ("circle_edit", [circle.pk], {"name": "X", "visibility": "public"}),
        ("circle_delete", [circle.pk], {}),
        ("circle_member_add", [circle.pk], {"emails": "jane@example.com"}),
        ("circle_member_remove", [circle.pk, candidate.pk], {}),
        ("circle_post_create", [circle.pk], {"title": "X"}),
        ("circle_post_edit", [circle.pk, post.pk], {"title": "X"}),
        ("circle_post_publish", [circle.pk, post.pk], {}),
        ("circle_post_unpublish", [circle.pk, post.pk], {}),
        ("circle_post_delete", [circle.pk, post.pk], {}),
        ("circle_bulk_add", [], {"selected": [candidate.pk], "circle": circle.pk}),
        ("community_invite", [], {"selected": [candidate.pk]}),
    ]
    for name, args, data in posts:
        assert globex.client.post(reverse(name, args=[slug, *args]), data).status_code == 404, name
    # Through their own organisation's URLs, acme's ids are not found either.
    own = globex.org.slug
    assert globex.client.get(reverse("circle_detail", args=[own, circle.pk])).status_code == 404
    assert globex.client.get(reverse("circle_post_detail", args=[own, circle.pk, post.pk])).status_code == 404
    globex.client.post(reverse("circle_bulk_add", args=[own]), {"selected": [candidate.pk], "circle": circle.pk})
    theirs = make_circle(globex, "Theirs")
    globex.client.post(reverse("circle_bulk_add", args=[own]), {"selected": [candidate.pk], "circle": theirs.pk})
    assert not members_of(theirs)
    assert before == (
        Circle.objects.filter(organization=acme.org).count(),
        members_of(circle),
        Post.objects.get().status,
    )
