"""One-click unsubscribe from community e-mail (RFC 8058): the headers of every community e-mail, the
sign-in-free pages (a GET asks, a POST stops), per circle and for all community e-mail, and the next
digest honouring it."""

from __future__ import annotations

import re
from datetime import timedelta
from email import message_from_bytes
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import resolve
from django.utils import timezone

from candidates.models import Candidate, ConsentRecord, DigestFrequency
from candidates.privacy import candidate_erase
from engagement.circles import services as circles
from engagement.circles import unsubscribe
from engagement.circles.community import community_join
from engagement.circles.digests import community_digests_send
from engagement.circles.invitations import community_invitations_send
from engagement.circles.models import CircleMembership, CommunityInvitation
from engagement.timeline.models import Activity
from messaging import links
from tests.factories import CandidateFactory, UserFactory

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)
ONE_CLICK = "List-Unsubscribe=One-Click"
OPT_OUT = Activity.Kind.COMMUNITY_OPT_OUT


@pytest.fixture
def backend(acme):
    return circles.circle_create(org=acme.org, actor=acme.user, name="Backend Engineers", visibility="public")


@pytest.fixture
def data(acme):
    return circles.circle_create(org=acme.org, actor=acme.user, name="Data & ML", visibility="public")


@pytest.fixture
def ada(acme, backend, data):
    """A signed-in portal member in both circles, with weekly digests and consent to messages: (candidate, client)."""
    user = UserFactory(email="ada@example.com")
    candidate = community_join(
        org=acme.org, user=user, profile={"first_name": "Ada"}, messages_consent=True, ip_address="10.0.0.1"
    )
    for circle in (backend, data):
        circles.circle_join(candidate=candidate, circle=circle)
    CircleMembership.objects.filter(candidate=candidate).update(joined_at=T0 - timedelta(days=1))
    client = Client()
    client.force_login(user)
    candidate.refresh_from_db()
    return candidate, client


@pytest.fixture
def visitor() -> Client:
    """A mail client or a browser with no session and CSRF checks on, as a real one-click POST arrives."""
    return Client(enforce_csrf_checks=True)


def publish(acme, circle, title: str, at):
    post = circles.post_create(org=acme.org, circle=circle, author=acme.user, data={"title": title})
    return circles.post_publish(post=post, now=at)


@pytest.fixture
def digest(django_capture_on_commit_callbacks):
    """`digest(now)`: run the digests at `now`; the e-mails sent."""

    def run(now):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            community_digests_send(now=now)
        return mail.outbox[before:]

    return run


def path(url: str) -> str:
    return urlsplit(url).path


def one_click(client: Client, url: str):
    """What a mail client sends for RFC 8058: a POST with this body, no cookies, no CSRF token."""
    return client.post(path(url), data=ONE_CLICK, content_type="application/x-www-form-urlencoded")


def opt_outs(candidate) -> list[Activity]:
    return list(Activity.objects.filter(candidate=candidate, kind=OPT_OUT).order_by("id"))


def _tamper(token: str) -> str:
    value, signature = token.rsplit(".", 1)
    return f"{value}.{'0' if signature[0] != '0' else '1'}{signature[1:]}"


# --- Headers of every community e-mail -----------------------------------------------------------


def _digest_email(acme, backend, ada, digest):
    publish(acme, backend, "Hello world", T0 + timedelta(hours=1))
    (sent,) = digest(T0 + timedelta(days=8))
    return sent


def _invitation_email(acme, backend, ada, digest):
    jane = CandidateFactory(organization=acme.org, first_name="Jane", email="jane@example.com")
    invitation = CommunityInvitation.objects.create(organization=acme.org, candidate=jane, invited_by=acme.user)
    assert community_invitations_send([invitation.pk]) == 1
    return mail.outbox[-1]


EMAIL_TYPES = {"digest": _digest_email, "invitation": _invitation_email}
URI = re.compile(r"<([^<>\s,]+)>")


@pytest.mark.parametrize("kind", list(EMAIL_TYPES))
def test_every_community_email_carries_well_formed_one_click_headers(kind, acme, backend, ada, digest):
    email = EMAIL_TYPES[kind](acme, backend, ada, digest)
    # As the receiving mail server sees them, once serialised.
    parsed = message_from_bytes(email.message().as_bytes())
    header = parsed["List-Unsubscribe"]
    assert parsed["List-Unsubscribe-Post"] == ONE_CLICK
    uris = URI.findall(header)
    # RFC 2369: a comma-separated list of <URI>s and nothing else; RFC 8058: one of them is http(s).
    assert ", ".join(f"<{uri}>" for uri in uris) == " ".join(header.split())
    web = [uri for uri in uris if uri.startswith(("https://", "http://"))]
    assert len(web) == 1 and web[0].startswith(settings.SITE_URL)
    assert resolve(path(web[0])).url_name == {"digest": "community_unsubscribe", "invitation": "unsubscribe"}[kind]


def test_the_digest_header_stops_all_community_email_with_one_click(acme, backend, ada, digest, visitor):
    candidate, _ = ada
    sent = _digest_email(acme, backend, ada, digest)
    url = URI.findall(sent.extra_headers["List-Unsubscribe"])[0]

    response = one_click(visitor, url)

    assert response.status_code == 200 and "Community e-mails stopped" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.digest_frequency == DigestFrequency.NEVER
    assert candidate.unsubscribed_at is None  # recruiting messages are another matter
    assert [a.details["scope"] for a in opt_outs(candidate)] == ["community"]


def test_an_invitation_carries_the_recruiting_unsubscribe_which_stops_the_next_invitation(acme, backend, ada, visitor):
    sent = _invitation_email(acme, backend, ada, None)
    jane = Candidate.objects.get(email="jane@example.com")
    web, mailto = URI.findall(sent.extra_headers["List-Unsubscribe"])
    assert web == links.unsubscribe_url(jane) and mailto == links.unsubscribe_mailto(jane)
    assert web in sent.body and web in sent.alternatives[0][0]

    assert one_click(visitor, web).status_code == 200

    jane.refresh_from_db()
    assert jane.unsubscribed_at is not None
    again = CommunityInvitation.objects.create(organization=acme.org, candidate=jane, invited_by=acme.user)
    assert community_invitations_send([again.pk]) == 0


def test_the_digest_footer_links_each_circle_and_all_community_email(acme, backend, data, ada, digest):
    candidate, _ = ada
    publish(acme, backend, "Backend news", T0 + timedelta(hours=1))
    publish(acme, data, "Data news", T0 + timedelta(hours=2))
    (sent,) = digest(T0 + timedelta(days=8))
    html = sent.alternatives[0][0]
    for circle in (backend, data):
        url = unsubscribe.circle_unsubscribe_url(candidate, circle.pk)
        assert f"Stop e-mails about {circle.name}: {url}" in sent.body
        assert f'<a href="{url}">Stop e-mails about {circle.name.replace("&", "&amp;")}</a>' in html
    everything = unsubscribe.community_unsubscribe_url(candidate)
    assert f"Stop all community e-mails: {everything}" in sent.body
    assert f'<a href="{everything}">Stop all community e-mails</a>' in html


# --- The pages: a GET asks, a POST stops ----------------------------------------------------------


def test_a_get_only_asks_in_the_organisations_branding(acme, backend, ada, visitor):
    candidate, _ = ada
    acme.org.brand_color = "#123456"
    acme.org.save()
    everything = visitor.get(path(unsubscribe.community_unsubscribe_url(candidate)))
    one = visitor.get(path(unsubscribe.circle_unsubscribe_url(candidate, backend.pk)))

    assert everything.status_code == one.status_code == 200
    assert "Stop all community e-mails from Acme Inc?" in everything.content.decode()
    assert "Stop e-mails about “Backend Engineers”?" in one.content.decode()
    for response in (everything, one):
        page = response.content.decode()
        assert "--tc-brand: #123456" in page and 'method="post"' in page and "Ada" not in page
        assert "no-cache" in response["Cache-Control"]
    candidate.refresh_from_db()
    assert candidate.digest_frequency == DigestFrequency.WEEKLY
    assert CircleMembership.objects.filter(candidate=candidate, email_posts=False).count() == 0
    assert opt_outs(candidate) == []


def test_a_circle_link_stops_only_that_circle_and_is_recorded_once(acme, backend, data, ada, visitor):
    candidate, _ = ada
    url = unsubscribe.circle_unsubscribe_url(candidate, backend.pk)

    first, second = one_click(visitor, url), visitor.post(path(url))

    assert first.status_code == second.status_code == 200
    assert "No more e-mails about “Backend Engineers”" in second.content.decode()
    muted = dict(CircleMembership.objects.filter(candidate=candidate).values_list("circle_id", "email_posts"))
    assert muted == {backend.pk: False, data.pk: True}
    candidate.refresh_from_db()
    assert candidate.digest_frequency == DigestFrequency.WEEKLY
    (activity,) = opt_outs(candidate)
    assert activity.circle_id == backend.pk and activity.details == {"scope": "circle"}
    assert activity.summary == "Stopped e-mails about the circle “Backend Engineers” (one-click link)"
    assert "No more e-mails about" in visitor.get(path(url)).content.decode()  # nothing left to ask


def test_stopping_all_community_email_twice_is_harmless(acme, ada, visitor):
    candidate, _ = ada
    url = unsubscribe.community_unsubscribe_url(candidate)

    assert one_click(visitor, url).status_code == one_click(visitor, url).status_code == 200

    assert len(opt_outs(candidate)) == 1
    assert "Community e-mails stopped" in visitor.get(path(url)).content.decode()


def test_a_circle_page_offers_to_stop_all_community_email_instead(acme, backend, ada, visitor):
    candidate, _ = ada
    page = visitor.get(path(unsubscribe.circle_unsubscribe_url(candidate, backend.pk))).content.decode()
    everything = re.search(r'<form method="post" action="([^"]+)" class="mt-2">', page).group(1)
    assert everything == path(unsubscribe.community_unsubscribe_url(candidate))

    assert visitor.post(everything).status_code == 200

    candidate.refresh_from_db()
    assert candidate.digest_frequency == DigestFrequency.NEVER
    assert not CircleMembership.objects.filter(candidate=candidate, email_posts=False).exists()


def test_the_portal_reflects_what_the_links_stopped(acme, backend, ada, visitor):
    candidate, client = ada
    one_click(visitor, unsubscribe.circle_unsubscribe_url(candidate, backend.pk))
    one_click(visitor, unsubscribe.community_unsubscribe_url(candidate))

    preferences = client.get(f"/c/{acme.org.slug}/preferences/").content.decode()
    assert re.search(r'<input[^>]*value="never"[^>]*checked', preferences)
    my_circles = client.get(f"/c/{acme.org.slug}/circles/").content.decode()
    assert my_circles.count("E-mail me posts: off") == 1


def test_the_timeline_shows_the_stop(acme, backend, ada, visitor):
    candidate, _ = ada
    one_click(visitor, unsubscribe.community_unsubscribe_url(candidate))

    page = acme.client.get(f"/o/{acme.org.slug}/candidates/{candidate.pk}/timeline/").content.decode()
    assert "Stopped community e-mails" in page  # the kind, in the filter and on the row
    assert "Stopped all community e-mails (one-click link)" in page


# --- Links that are not valid here --------------------------------------------------------------


def test_a_tampered_or_truncated_link_is_a_clear_404_and_changes_nothing(acme, backend, ada, visitor):
    candidate, _ = ada
    tokens = [unsubscribe.community_unsubscribe_token(candidate), unsubscribe.circle_unsubscribe_token(candidate, 1)]
    for name, token in zip(("unsubscribe", "unsubscribe/circle"), tokens, strict=True):
        for bad in (_tamper(token), token[:-4], "not-a-token"):
            url = f"/c/{acme.org.slug}/{name}/{bad}/"
            for response in (visitor.get(url), visitor.post(url, data=ONE_CLICK, content_type="text/plain")):
                assert response.status_code == 404
                assert "This link is not valid" in response.content.decode()
    candidate.refresh_from_db()
    assert candidate.digest_frequency == DigestFrequency.WEEKLY and opt_outs(candidate) == []


def test_a_link_works_only_under_its_own_organisation(acme, globex, backend, ada, visitor):
    candidate, _ = ada
    theirs = circles.circle_create(org=globex.org, actor=globex.user, name="Theirs", visibility="public")
    stranger = CandidateFactory(organization=globex.org, first_name="Bo", email="bo@example.com")
    forged = [
        # Another organisation's path for a good token.
        f"/c/globex/unsubscribe/{unsubscribe.community_unsubscribe_token(candidate)}/",
        f"/c/globex/unsubscribe/circle/{unsubscribe.circle_unsubscribe_token(candidate, backend.pk)}/",
        # Correctly signed, but naming another organisation's candidate or circle.
        f"/c/acme/unsubscribe/{links.ids_token(unsubscribe.COMMUNITY_SALT, acme.org.pk, stranger.pk)}/",
        f"/c/acme/unsubscribe/circle/{links.ids_token(unsubscribe.CIRCLE_SALT, acme.org.pk, stranger.pk, 1)}/",
        # Another kind of link's token.
        f"/c/acme/unsubscribe/{links.unsubscribe_token(candidate)}/",
        f"/c/acme/unsubscribe/{unsubscribe.circle_unsubscribe_token(candidate, backend.pk)}/",
        f"/c/acme/unsubscribe/circle/{unsubscribe.community_unsubscribe_token(candidate)}/",
    ]
    for url in forged:
        for response in (visitor.get(url), visitor.post(url)):
            assert response.status_code == 404 and "This link is not valid" in response.content.decode(), url
    # A link naming another organisation's circle is as good as one whose circle was deleted: nothing to stop.
    theirs_url = f"/c/acme/unsubscribe/circle/{unsubscribe.circle_unsubscribe_token(candidate, theirs.pk)}/"
    assert "This circle no longer exists" in visitor.post(theirs_url).content.decode()
    # And the recruiting unsubscribe does not take a community token.
    assert visitor.post(f"/u/{unsubscribe.community_unsubscribe_token(candidate)}").status_code == 404
    for person in (candidate, stranger):
        person.refresh_from_db()
        assert person.digest_frequency == DigestFrequency.WEEKLY and person.unsubscribed_at is None
    assert not CircleMembership.objects.filter(email_posts=False).exists() and not opt_outs(candidate)


def test_a_deleted_circles_link_says_so(acme, backend, ada, visitor):
    candidate, _ = ada
    url = path(unsubscribe.circle_unsubscribe_url(candidate, backend.pk))
    circles.circle_delete(circle=backend)

    for response in (visitor.get(url), visitor.post(url)):
        assert response.status_code == 200 and "This circle no longer exists" in response.content.decode()
    assert opt_outs(candidate) == []


def test_an_erased_candidates_links_show_a_neutral_page(acme, backend, ada, visitor):
    candidate, _ = ada
    urls = [unsubscribe.community_unsubscribe_url(candidate), unsubscribe.circle_unsubscribe_url(candidate, backend.pk)]
    candidate_erase(candidate=candidate, source=ConsentRecord.Source.ADMIN)

    for url in urls:
        for response in (visitor.get(path(url)), one_click(visitor, url)):
            assert response.status_code == 200 and "No more e-mails" in response.content.decode()
    assert opt_outs(candidate) == []


# --- The next digest honours it -------------------------------------------------------------------


def test_the_next_digest_leaves_out_a_stopped_circle_and_all_of_them_after_stopping_all(
    acme, backend, data, ada, digest, visitor
):
    candidate, _ = ada
    publish(acme, backend, "Backend news", T0 + timedelta(hours=1))
    publish(acme, data, "Data news", T0 + timedelta(hours=2))
    (first,) = digest(T0 + timedelta(days=1))
    assert "Backend news" in first.body and "Data news" in first.body

    one_click(visitor, unsubscribe.circle_unsubscribe_url(candidate, backend.pk))
    publish(acme, backend, "More backend", T0 + timedelta(days=2))
    publish(acme, data, "More data", T0 + timedelta(days=3))
    (second,) = digest(T0 + timedelta(days=9))
    assert "More data" in second.body and "More backend" not in second.body
    assert "Stop e-mails about Backend Engineers" not in second.body  # only the circles it holds

    one_click(visitor, URI.findall(second.extra_headers["List-Unsubscribe"])[0])
    publish(acme, data, "Even more data", T0 + timedelta(days=10))
    assert digest(T0 + timedelta(days=17)) == []


def test_a_member_who_turns_e_mails_back_on_gets_digests_again(acme, backend, ada, digest, visitor):
    candidate, client = ada
    one_click(visitor, unsubscribe.community_unsubscribe_url(candidate))
    client.post(
        f"/c/{acme.org.slug}/preferences/", {"action": "save", "digest_frequency": "weekly", "messages_consent": "on"}
    )
    publish(acme, backend, "Welcome back", T0 + timedelta(hours=1))
    (sent,) = digest(T0 + timedelta(days=1))
    assert "Welcome back" in sent.body


def test_a_digest_is_marked_automated_and_filed_as_the_organisations_list(acme, backend, ada, digest):
    parsed = message_from_bytes(_digest_email(acme, backend, ada, digest).message().as_bytes())
    assert parsed["Auto-Submitted"] == "auto-generated"  # RFC 3834: no out-of-office reply to it
    assert parsed["List-Id"].endswith(f"<community.{acme.org.slug}.{settings.INBOUND_EMAIL_DOMAIN}>")
