"""The public community: landing, join (allauth, e-mail verification), invitations, and the portal's
circles, feed and events pages, with their privacy and tenancy rules."""

from __future__ import annotations

import json
import re
import time
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.consent import WORDING_VERSIONS, consent_record
from candidates.models import Candidate, ConsentRecord
from engagement.circles import services as circles
from engagement.circles.community import community_join
from engagement.circles.invitations import invitation_token
from engagement.circles.models import CircleMembership, CommunityInvitation, DigestDelivery, Rsvp
from engagement.circles.privacy import circles_data, community_emails_data, erase_community_data, rsvps_data
from talentcircles.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-and-unusual-passphrase"


def url(name, tenant, *args):
    return reverse(name, args=[tenant.org.slug, *args])


def make_circle(tenant, name="Backend Engineers", visibility="public"):
    return circles.circle_create(org=tenant.org, actor=tenant.user, name=name, visibility=visibility)


def publish(tenant, circle, title="News", **data):
    post = circles.post_create(org=tenant.org, circle=circle, author=tenant.user, data={"title": title, **data})
    return circles.post_publish(post=post)


def publish_event(tenant, circle, title="Meetup", capacity=None, days=7):
    starts = timezone.now() + timedelta(days=days)
    return publish(
        tenant, circle, title, kind="event", starts_at=starts, ends_at=starts + timedelta(hours=2), capacity=capacity
    )


def join_data(**extra) -> dict:
    return {
        "email": "ada@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "first_name": "Ada",
        "last_name": "Lovelace",
        "headline": "Engine programmer",
        "industry": "Computer Software",
        "city": "London",
        "country_code": "gb",
        "consent_terms": "on",
        "consent_messages": "on",
        **extra,
    }


def confirmation_path(message) -> str:
    return re.search(r"/accounts/confirm-email/[^/\s]+/", message.body).group(0)


@pytest.fixture
def member(acme):
    """A verified portal member of acme's community, signed in: (client, candidate)."""
    user = UserFactory(email="member@example.com")
    candidate = community_join(
        org=acme.org, user=user, profile={"first_name": "Mia"}, messages_consent=True, ip_address="10.0.0.1"
    )
    client = Client()
    client.force_login(user)
    return client, candidate


# --- Landing ------------------------------------------------------------------------------------


def test_the_landing_page_shows_public_circles_and_upcoming_events_to_anyone(acme, client):
    acme.org.tagline = "Build the boring future"
    acme.org.save()
    public, private = make_circle(acme), make_circle(acme, "Silver medallists", "private")
    publish_event(acme, public, "Open meetup")
    publish_event(acme, private, "Secret dinner")
    draft = circles.post_create(
        org=acme.org,
        circle=public,
        author=acme.user,
        data={"kind": "event", "title": "Draft event", "starts_at": timezone.now() + timedelta(days=3)},
    )
    response = client.get(url("community_landing", acme))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Build the boring future" in html and "Backend Engineers" in html and "Open meetup" in html
    assert "Silver medallists" not in html and "Secret dinner" not in html and draft.title not in html
    assert url("community_join", acme) in html
    assert client.get("/c/no-such-org/").status_code == 404


# --- Joining ------------------------------------------------------------------------------------


class TestJoin:
    def test_a_visitor_joins_verifies_the_email_and_reaches_the_portal(self, acme, client):
        circle = make_circle(acme)
        response = client.post(url("community_join", acme), join_data(circles=[circle.pk]), REMOTE_ADDR="203.0.113.9")
        assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")

        user = User.objects.get(email="ada@example.com")
        candidate = Candidate.objects.get(user=user)
        assert (candidate.organization, candidate.source, candidate.headline) == (
            acme.org,
            "portal",
            "Engine programmer",
        )
        assert (candidate.city, candidate.country_code, candidate.industry) == ("London", "GB", "Computer Software")
        consents = {r.purpose: r for r in ConsentRecord.objects.filter(candidate=candidate)}
        for purpose in ("community_terms", "messages"):
            record = consents[purpose]
            assert record.granted and record.source == "portal" and record.ip_address == "203.0.113.9"
            assert record.wording_version == WORDING_VERSIONS[purpose]
        assert CircleMembership.objects.filter(candidate=candidate, circle=circle, joined_via="self").exists()

        # Before the address is confirmed the portal is closed.
        assert client.get(url("portal_circles", acme)).status_code == 302
        assert not EmailAddress.objects.get(user=user).verified

        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.com"]
        link = confirmation_path(mail.outbox[0])
        assert client.get(link).status_code == 200
        confirmed = client.post(link)
        assert confirmed.status_code == 302 and confirmed["Location"] == url("portal_circles", acme)
        page = client.get(url("portal_circles", acme))
        assert page.status_code == 200 and "Backend Engineers" in page.content.decode()

    def test_joining_without_messages_consent_records_the_refusal(self, acme, client):
        data = join_data()
        del data["consent_messages"]
        client.post(url("community_join", acme), data)
        record = ConsentRecord.objects.get(purpose="messages")
        assert record.granted is False and record.wording_version == WORDING_VERSIONS["messages"]

    def test_the_terms_consent_is_mandatory_and_nothing_is_half_saved(self, acme, client):
        data = join_data()
        del data["consent_terms"]
        response = client.post(url("community_join", acme), data)
        assert response.status_code == 400 and "agree to the community terms" in response.content.decode()
        assert not User.objects.filter(email="ada@example.com").exists() and not Candidate.objects.exists()
        assert not mail.outbox

    def test_a_weak_or_mismatched_password_is_refused(self, acme, client):
        weak = client.post(url("community_join", acme), join_data(password1="password", password2="password"))
        assert weak.status_code == 400 and "too common" in weak.content.decode()
        mismatch = client.post(url("community_join", acme), join_data(password2="something-else-entirely"))
        assert mismatch.status_code == 400 and "not the same" in mismatch.content.decode()
        assert not User.objects.filter(email="ada@example.com").exists()

    def test_a_service_error_rolls_back_the_account_too(self, acme, client, make_candidate):
        held = make_candidate(acme, "Ada", "L.", email="ada@example.com")
        Candidate.objects.filter(pk=held.pk).update(user=UserFactory(email="other@example.com"))
        response = client.post(url("community_join", acme), join_data())
        assert response.status_code == 400 and "already linked to another account" in response.content.decode()
        assert not User.objects.filter(email="ada@example.com").exists() and Candidate.objects.count() == 1

    def test_the_country_is_picked_from_the_list_and_a_stray_code_is_refused(self, acme, client):
        page = client.get(url("community_join", acme)).content.decode()
        assert 'list="id_country_code-countries"' in page and '<option value="United Kingdom">GB</option>' in page
        response = client.post(url("community_join", acme), join_data(country_code="UN"))
        assert response.status_code == 400 and "“UN” is not a country in our list" in response.content.decode()
        assert not User.objects.filter(email="ada@example.com").exists()
        client.post(url("community_join", acme), join_data(country_code="United Kingdom"))
        assert Candidate.objects.get(email="ada@example.com").country_code == "GB"

    def test_joining_links_the_candidate_the_organisation_already_holds(self, acme, client, make_candidate):
        known = make_candidate(acme, "Ada", "L.", email="ada@example.com", current_company="Analytical Engines")
        client.post(url("community_join", acme), join_data(email="Ada@Example.com"))
        assert Candidate.objects.for_org(acme.org).count() == 1
        known.refresh_from_db()
        assert known.user.email == "ada@example.com" and known.source == "sourced"
        assert known.headline == "Engine programmer" and known.current_company == "Analytical Engines"
        assert known.last_name == "Lovelace"  # what they typed about themselves wins
        assert known.consents.count() == 2

    def test_a_second_sign_up_with_the_same_address_is_told_to_sign_in(self, acme, client):
        UserFactory(email="ada@example.com")
        response = client.post(url("community_join", acme), join_data(email="ADA@example.com"))
        html = response.content.decode()
        assert response.status_code == 400 and "already an account" in html and 'id="sign-in-instead"' in html
        assert User.objects.filter(email__iexact="ada@example.com").count() == 1 and not Candidate.objects.exists()

    def test_a_signed_in_verified_user_just_completes_the_form(self, acme, globex):
        user = UserFactory(email="grace@example.com", first_name="Grace")
        community_join(org=globex.org, user=user, profile={"first_name": "Grace"}, messages_consent=False)
        client = Client()
        client.force_login(user)
        form = client.get(url("community_join", acme)).content.decode()
        assert 'name="password1"' not in form and 'value="Grace"' in form
        response = client.post(url("community_join", acme), {"first_name": "Grace", "consent_terms": "on"})
        assert response.status_code == 302 and response["Location"] == url("portal_circles", acme)
        assert Candidate.objects.filter(user=user).count() == 2  # one record per community
        # Joining again just leads to the portal.
        assert client.get(url("community_join", acme))["Location"] == url("portal_circles", acme)

    def test_an_unverified_account_is_sent_to_verify_its_address(self, acme):
        user = UserFactory(email="unverified@example.com", verified=False)
        EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
        client = Client()
        client.force_login(user)
        for name in ("community_join", "portal_circles", "portal_feed", "portal_events"):
            response = client.get(url(name, acme))
            assert response.status_code == 302 and response["Location"] == reverse("account_email_verification_sent")

    def test_joining_is_rate_limited(self, acme, client, settings):
        settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "2/m/ip"}
        for n in range(2):
            client.post(url("community_join", acme), join_data(email=f"p{n}@example.com"))
        response = client.post(url("community_join", acme), join_data(email="third@example.com"))
        assert response.status_code == 429 and not User.objects.filter(email="third@example.com").exists()

    def test_only_public_circles_can_be_chosen(self, acme, client):
        private = make_circle(acme, "Silver medallists", "private")
        response = client.post(url("community_join", acme), join_data(circles=[private.pk]))
        assert response.status_code == 400 and not CircleMembership.objects.exists()
        assert "Silver medallists" not in client.get(url("community_join", acme)).content.decode()


# --- Invitations --------------------------------------------------------------------------------


class TestInvitations:
    def test_a_recruiter_invites_a_selection_and_the_link_links_their_record(
        self, acme, make_candidate, django_capture_on_commit_callbacks
    ):
        jane = make_candidate(acme, "Jane", "Doe", email="jane@example.com", headline="Data engineer", city="Leeds")
        no_email = make_candidate(acme, "Nomail")
        with django_capture_on_commit_callbacks(execute=True):
            response = acme.client.post(url("community_invite", acme), {"selected": [jane.pk, no_email.pk]})
        assert response.status_code == 302
        assert CommunityInvitation.objects.get().candidate == jane
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["jane@example.com"]
        path = re.search(r"/c/acme/invitations/[^/\s]+/", mail.outbox[0].body).group(0)

        visitor = Client()
        form = visitor.get(path).content.decode()
        assert "jane@example.com" in form and 'value="Data engineer"' in form and 'value="Leeds"' in form
        assert 'name="email"' not in form  # the invited address is the account's
        data = {k: v for k, v in join_data(first_name="Jane", last_name="Doe").items() if k != "email"}
        response = visitor.post(path, data)
        assert response["Location"] == reverse("account_email_verification_sent")
        jane.refresh_from_db()
        assert jane.user.email == "jane@example.com" and Candidate.objects.for_org(acme.org).count() == 2
        assert CommunityInvitation.objects.get().accepted_at is not None
        used = visitor.get(path)
        assert used.status_code in (302, 400)  # a used link never links again

    def test_no_one_is_invited_twice_in_a_week_or_when_they_must_not_be_contacted(
        self, acme, make_candidate, django_capture_on_commit_callbacks
    ):
        ok = make_candidate(acme, "Ok", email="ok@example.com")
        blocked = make_candidate(acme, "Blocked", email="blocked@example.com", do_not_contact=True)
        withdrew = make_candidate(acme, "Withdrew", email="withdrew@example.com")
        consent_record(candidate=withdrew, purpose="messages", granted=False, source="recruiter")
        with django_capture_on_commit_callbacks(execute=True):
            acme.client.post(url("community_invite", acme), {"selected": [ok.pk, blocked.pk, withdrew.pk]})
            acme.client.post(url("community_invite", acme), {"selected": [ok.pk]})
        assert len(mail.outbox) == 1 and CommunityInvitation.objects.count() == 1

    def _invitation(self, acme, make_candidate):
        jane = make_candidate(acme, "Jane", email="jane@example.com")
        return CommunityInvitation.objects.create(organization=acme.org, candidate=jane, invited_by=acme.user)

    def test_an_expired_link_says_so(self, acme, client, make_candidate, monkeypatch):
        invitation = self._invitation(acme, make_candidate)
        real = time.time
        monkeypatch.setattr("django.core.signing.time.time", lambda: real() - 15 * 24 * 3600)
        token = invitation_token(invitation)
        monkeypatch.undo()
        response = client.get(url("community_invitation", acme, token))
        assert response.status_code == 400 and "expired" in response.content.decode()

    def test_a_tampered_link_says_so_and_another_organisations_path_does_not_work(
        self, acme, globex, client, make_candidate
    ):
        invitation = self._invitation(acme, make_candidate)
        token = invitation_token(invitation)
        tampered = client.get(url("community_invitation", acme, token[:-3] + "abc"))
        assert tampered.status_code == 400 and "not valid" in tampered.content.decode()
        elsewhere = client.get(url("community_invitation", globex, token))
        assert elsewhere.status_code == 400 and "jane@example.com" not in elsewhere.content.decode()
        assert client.get(url("community_invitation", acme, token)).status_code == 200


# --- Portal pages -------------------------------------------------------------------------------


class TestPortalCircles:
    def test_a_member_browses_joins_mutes_and_leaves_public_circles(self, acme, member):
        client, candidate = member
        circle = make_circle(acme)
        make_circle(acme, "Silver medallists", "private")
        page = client.get(url("portal_circles", acme)).content.decode()
        assert "Backend Engineers" in page and "Silver medallists" not in page and 'id="no-circles"' in page
        client.post(url("portal_circle_join", acme, circle.pk))
        membership = CircleMembership.objects.get(candidate=candidate, circle=circle)
        client.post(url("portal_circle_email", acme, circle.pk), {"email_posts": "off"})
        membership.refresh_from_db()
        assert membership.email_posts is False
        assert "E-mail me posts: off" in client.get(url("portal_circles", acme)).content.decode()
        client.post(url("portal_circle_leave", acme, circle.pk))
        assert not CircleMembership.objects.filter(candidate=candidate).exists()

    def test_a_private_or_foreign_circle_is_404_whatever_the_url(self, acme, globex, member):
        client, _ = member
        private, foreign = make_circle(acme, "Segment", "private"), make_circle(globex, "Theirs")
        for circle in (private, foreign):
            for name in ("portal_circle_join", "portal_circle_leave", "portal_circle_email"):
                assert client.post(url(name, acme, circle.pk)).status_code == 404
        assert not CircleMembership.objects.exists()

    def test_a_member_of_one_community_cannot_see_anothers_portal(self, acme, globex, member):
        client, _ = member
        theirs = make_circle(globex, "Theirs")
        for name in ("portal_circles", "portal_feed", "portal_events"):
            response = client.get(url(name, globex))
            assert response.status_code == 302 and response["Location"] == url("community_join", globex)
        assert client.post(url("portal_circle_join", globex, theirs.pk)).status_code == 302
        assert not CircleMembership.objects.exists()

    def test_anonymous_visitors_are_sent_to_sign_in(self, acme, client):
        response = client.get(url("portal_feed", acme))
        assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


class TestFeed:
    def test_the_feed_shows_published_posts_of_my_public_circles_newest_first(self, acme, member):
        client, candidate = member
        mine, other = make_circle(acme), make_circle(acme, "Other")
        private = make_circle(acme, "Segment", "private")
        circles.circle_join(candidate=candidate, circle=mine)
        CircleMembership.objects.create(circle=private, candidate=candidate, joined_via="recruiter")
        older = publish(acme, mine, "Older news", body="Hello <script>x()</script>")
        newer = publish(acme, mine, "Newer news")
        newer.published_at = older.published_at + timedelta(hours=1)
        newer.save()
        publish(acme, other, "Other circle's news")
        publish(acme, private, "Segment memo")
        circles.post_create(org=acme.org, circle=mine, author=acme.user, data={"title": "Draft news"})
        html = client.get(url("portal_feed", acme)).content.decode()
        assert html.index("Newer news") < html.index("Older news")
        for hidden in ("Other circle's news", "Segment memo", "Draft news", "<script>x()"):
            assert hidden not in html

    def test_the_feed_is_paginated_and_has_an_empty_state(self, acme, member):
        client, candidate = member
        assert 'id="feed-empty"' in client.get(url("portal_feed", acme)).content.decode()
        circle = make_circle(acme)
        circles.circle_join(candidate=candidate, circle=circle)
        for i in range(12):
            publish(acme, circle, f"Post {i}")
        first = client.get(url("portal_feed", acme)).content.decode()
        assert "12 posts" in first and first.count('class="tc-card mb-3" id="post-') == 10
        second = client.get(url("portal_feed", acme) + "?page=2").content.decode()
        assert second.count('class="tc-card mb-3" id="post-') == 2


class TestEvents:
    def test_a_member_rsvps_and_downloads_the_ics(self, acme, member):
        client, candidate = member
        circle = make_circle(acme)
        circles.circle_join(candidate=candidate, circle=circle)
        event = publish_event(acme, circle, "Pizza night", capacity=5)
        page = client.get(url("portal_events", acme)).content.decode()
        assert "Pizza night" in page and "0 of 5 seats taken" in page
        client.post(url("portal_event_rsvp", acme, event.pk), {"response": "yes"})
        assert Rsvp.objects.get(candidate=candidate, post=event).response == "yes"
        assert "You are going" in client.get(url("portal_events", acme)).content.decode()
        ics = client.get(url("portal_event_ics", acme, event.pk))
        assert ics.status_code == 200 and ics["Content-Type"].startswith("text/calendar")
        assert b"SUMMARY:Pizza night" in ics.content and "pizza-night.ics" in ics["Content-Disposition"]

    def test_a_full_event_says_so(self, acme, member, make_candidate):
        client, candidate = member
        circle = make_circle(acme)
        other = make_candidate(acme, "Other", email="other@example.com")
        for person in (candidate, other):
            circles.circle_join(candidate=person, circle=circle)
        event = publish_event(acme, circle, capacity=1)
        circles.rsvp(candidate=other, post=event, response="yes")
        response = client.post(url("portal_event_rsvp", acme, event.pk), {"response": "yes"}, follow=True)
        assert "This event is full." in response.content.decode()
        assert not Rsvp.objects.filter(candidate=candidate).exists()

    def test_events_of_other_circles_are_not_reachable(self, acme, member):
        client, _ = member
        other = make_circle(acme, "Other")
        event = publish_event(acme, other, "Not mine")
        assert "Not mine" not in client.get(url("portal_events", acme)).content.decode()
        assert client.get(url("portal_event_ics", acme, event.pk)).status_code == 404
        assert client.post(url("portal_event_rsvp", acme, event.pk), {"response": "yes"}).status_code == 404
        assert not Rsvp.objects.exists()


# --- My data and erasure ------------------------------------------------------------------------


class TestPrivacy:
    def test_my_data_lists_circles_rsvps_and_community_emails(self, acme, member):
        _, candidate = member
        circle = make_circle(acme)
        circles.circle_join(candidate=candidate, circle=circle)
        event = publish_event(acme, circle, "Pizza night")
        circles.rsvp(candidate=candidate, post=event, response="yes")
        DigestDelivery.objects.create(candidate=candidate, post=event)
        CommunityInvitation.objects.create(organization=acme.org, candidate=candidate)
        assert circles_data(candidate) == [
            {
                "circle": "Backend Engineers",
                "visibility": "public",
                "joined_via": "self",
                "joined_at": CircleMembership.objects.get().joined_at.isoformat(),
                "email_posts": True,
            }
        ]
        assert [(r["event"], r["response"]) for r in rsvps_data(candidate)] == [("Pizza night", "yes")]
        emails = community_emails_data(candidate)
        assert [d["post"] for d in emails["digest_posts"]] == ["Pizza night"] and len(emails["invitations"]) == 1
        json.dumps([circles_data(candidate), rsvps_data(candidate), emails])  # ready for the JSON download

    def test_erasure_removes_invitations_digest_records_memberships_and_rsvps(self, acme, member):
        _, candidate = member
        circle = make_circle(acme)
        circles.circle_join(candidate=candidate, circle=circle)
        event = publish_event(acme, circle)
        circles.rsvp(candidate=candidate, post=event, response="yes")
        DigestDelivery.objects.create(candidate=candidate, post=event)
        CommunityInvitation.objects.create(organization=acme.org, candidate=candidate)
        erase_community_data(candidate.pk)
        assert not CommunityInvitation.objects.exists() and not DigestDelivery.objects.exists()
        # The erase page promises these go too (tests/engagement/test_erasure_promises.py has each promise).
        assert not CircleMembership.objects.filter(circle=circle).exists()
        assert not Rsvp.objects.filter(post=event).exists()


def test_download_my_data_includes_the_community_sections(acme, member):
    client, candidate = member
    circle = make_circle(acme)
    circles.circle_join(candidate=candidate, circle=circle)
    response = client.get(f"/c/{acme.org.slug}/my-data/download/")
    data = json.loads(b"".join(response.streaming_content) if response.streaming else response.content)
    assert [c["circle"] for c in data["circles"]] == [circle.name]
    assert "rsvps" in data and "community_emails" in data
