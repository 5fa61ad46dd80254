"""Each promise the erase pages make (portal and recruiter) is checked here, one test per promise."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates import privacy
from candidates.models import Candidate
from engagement.circles import services as circles
from engagement.circles.community import community_join
from engagement.circles.models import CircleMembership, Rsvp
from engagement.circles.selectors import circle_list, circle_posts
from engagement.timeline.models import Activity, Reminder
from engagement.timeline.services import activity_log, reminder_create
from messaging.models import Message, Thread
from messaging.services import message_receive
from talentcircles.models import User
from tests.factories import CandidateFactory, UserFactory

pytestmark = pytest.mark.django_db


def _event(acme, circle, *, days: float, capacity: int | None = None):
    starts = timezone.now() + timedelta(days=days)
    data = {"title": f"Meetup {days}", "kind": "event", "starts_at": starts, "ends_at": starts + timedelta(hours=2)}
    post = circles.post_create(org=acme.org, circle=circle, author=acme.user, data={**data, "capacity": capacity})
    return circles.post_publish(post=post, now=min(timezone.now(), starts - timedelta(days=1)))


@pytest.fixture
def world(acme):
    """A portal member in a circle, going to an upcoming and a past event, with conversations and notes."""
    user = UserFactory(email="mia@example.com")
    mia = community_join(
        org=acme.org,
        user=user,
        profile={"first_name": "Mia", "last_name": "Wallace", "city": "Leeds", "country_code": "GB"},
        messages_consent=True,
        ip_address="10.0.0.1",
    )
    circle = circles.circle_create(org=acme.org, actor=acme.user, name="Backend", visibility="public")
    circles.circle_join(candidate=mia, circle=circle)
    upcoming = _event(acme, circle, days=7, capacity=2)
    past = _event(acme, circle, days=-3)
    circles.rsvp(candidate=mia, post=upcoming, response="yes")
    Rsvp.objects.create(post=past, candidate=mia, response="yes", responded_at=timezone.now() - timedelta(days=5))
    theirs = Thread.objects.create(
        organization=acme.org, candidate=mia, subject="A question from Mia", started_by="candidate", origin="portal"
    )
    message_receive(thread=theirs, channel="portal", body_text="Hello, it's Mia Wallace")
    ours = Thread.objects.create(organization=acme.org, candidate=mia, recruiter=acme.user, subject="Hi Mia")
    Message.objects.create(
        organization=acme.org, thread=ours, candidate=mia, direction="out", status="sent", subject="Hi Mia",
        body_text="Dear Mia Wallace", sent_at=timezone.now(),
    )  # fmt: skip
    message_receive(thread=ours, channel="portal", body_text="Thanks, Mia here")
    activity_log(candidate=mia, actor=acme.user, kind="note", body="Mia Wallace knows Go.")
    reminder_create(org=acme.org, candidate_id=mia.pk, recruiter=acme.user, due_at=timezone.now(), note="Call Mia")
    CandidateFactory(organization=acme.org, first_name="Bystander", last_name="Wallace")
    return {
        "mia": mia, "user": user, "circle": circle, "upcoming": upcoming, "past": past, "theirs": theirs, "ours": ours,
    }  # fmt: skip


def _erase(world) -> Candidate:
    return privacy.candidate_erase(candidate=world["mia"], source="portal", actor=world["user"])


def test_both_erase_pages_list_every_promise(acme, world):
    member = Client()
    member.force_login(world["user"])
    portal = member.get(reverse("portal_erase", args=[acme.org.slug])).content.decode()
    recruiter = acme.client.get(reverse("candidate_erase", args=[acme.org.slug, world["mia"].pk])).content.decode()
    for page in (portal, recruiter):
        promises = page.split('id="erase-promises"')[1].split("</ul>")[0]
        assert promises.count("<li>") == 7
        for words in ("résumé files", "circle", "event", "seat", "conversations", "reminders", "list", "account"):
            assert words in promises
        after = page.split('id="erase-promises"')[1].split("</ul>")[1].casefold()
        assert "anonymous counts" in after and "never messaged again" in after


def test_the_profile_skills_and_details_go(world):
    erased = _erase(world)
    erased.refresh_from_db()
    assert (erased.first_name, erased.last_name, erased.email, erased.city, erased.country_code) == (
        privacy.ERASED_NAME, "", "", "", "",
    )  # fmt: skip


def test_circle_memberships_go_and_the_member_count_drops(acme, world):
    _erase(world)
    assert not CircleMembership.objects.filter(candidate=world["mia"]).exists()
    assert circle_list(org=acme.org).get(pk=world["circle"].pk).member_count == 0
    page = acme.client.get(reverse("circle_detail", args=[acme.org.slug, world["circle"].pk])).content.decode()
    assert privacy.ERASED_NAME not in page


def test_event_replies_go_and_the_seat_of_an_upcoming_event_is_freed(world):
    assert circles.seats_left(world["upcoming"]) == 1
    _erase(world)
    assert not Rsvp.objects.filter(candidate=world["mia"]).exists()
    assert circles.seats_left(world["upcoming"]) == 2


def test_a_past_events_attendance_count_stays_anonymously(world):
    _erase(world)
    counts = {post.pk: post.going_count for post in circle_posts(circle=world["circle"])}
    assert counts == {world["past"].pk: 1, world["upcoming"].pk: 0}


def test_conversations_they_started_go_and_ours_stay_without_a_word(world):
    _erase(world)
    assert not Thread.objects.filter(pk=world["theirs"].pk).exists()
    assert not Message.objects.filter(thread_id=world["theirs"].pk).exists()
    ours = Thread.objects.get(pk=world["ours"].pk)  # the response rate still counts it, answered
    assert ours.subject == "(erased)"
    kept = list(ours.messages.order_by("pk").values_list("direction", "body_text"))
    assert kept == [("out", ""), ("in", "")]


def test_notes_reminders_and_timeline_details_go(world):
    _erase(world)
    assert not Reminder.objects.filter(candidate=world["mia"]).exists()
    assert not Activity.objects.filter(candidate=world["mia"], body__icontains="mia").exists()
    assert not Activity.objects.filter(candidate=world["mia"], summary__icontains="mia").exists()
    assert Activity.objects.filter(candidate=world["mia"]).exists()  # anonymous: when contact happened


def test_the_row_leaves_the_candidate_list_search_pipeline_and_api_list(acme, world):
    _erase(world)
    slug = acme.org.slug
    listed = acme.client.get(reverse("candidate_list", args=[slug])).content.decode()
    searched = acme.client.get(reverse("candidate_list", args=[slug]), {"q": "erased"}).content.decode()
    pipeline = acme.client.get(reverse("pipeline", args=[slug])).content.decode()
    for page in (listed, searched, pipeline):
        assert f"/candidates/{world['mia'].pk}/" not in page
    assert "Bystander" in listed
    api = acme.client.get("/api/v1/candidates/").json()
    assert [row["first_name"] for row in api["results"]] == ["Bystander"] and api["count"] == 1
    assert Candidate.objects.for_org(acme.org).count() == 2  # the anonymous row stays for the counts


def test_the_portal_account_goes(world):
    _erase(world)
    assert not User.objects.filter(pk=world["user"].pk).exists()
