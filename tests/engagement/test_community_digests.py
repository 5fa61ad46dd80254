"""Community digests with frozen time (`now` passed explicitly): frequencies, never twice, never to the wrong people."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from candidates.consent import consent_record
from candidates.models import Candidate, Suppression
from candidates.privacy import candidate_erase, candidate_unsubscribe, suppression_hash
from engagement.circles import services as circles
from engagement.circles.digests import community_digests_send, digest_send
from engagement.circles.models import CircleMembership, DigestDelivery
from engagement.circles.tasks import send_community_digests
from engagement.circles.unsubscribe import community_unsubscribe_url

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


@pytest.fixture
def circle(acme):
    return circles.circle_create(org=acme.org, actor=acme.user, name="Backend Engineers", visibility="public")


@pytest.fixture
def member(acme, circle, make_candidate):
    """`member(name, frequency="weekly", consent=True, **fields)`: a candidate in the circle who consented."""

    def make(name: str, frequency: str = "weekly", consent: bool | None = True, **fields) -> Candidate:
        candidate = make_candidate(acme, name, email=f"{name.lower()}@example.com", **fields)
        Candidate.objects.filter(pk=candidate.pk).update(digest_frequency=frequency)
        candidate.refresh_from_db()
        if consent is not None:
            consent_record(candidate=candidate, purpose="messages", granted=consent, source="portal")
        circles.circle_join(candidate=candidate, circle=circle)
        CircleMembership.objects.filter(candidate=candidate).update(joined_at=T0 - timedelta(days=1))
        return candidate

    return make


def publish(acme, circle, title: str, at, **data):
    post = circles.post_create(org=acme.org, circle=circle, author=acme.user, data={"title": title, **data})
    return circles.post_publish(post=post, now=at)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """`send(now, frequency=None)`: run the digests at `now` and deliver the e-mails queued on commit."""

    def run(now, frequency=None) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return community_digests_send(now=now, frequency=frequency)

    return run


def recipients() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_member_gets_one_e_mail_with_the_new_posts_and_never_the_same_post_twice(acme, circle, member, send):
    ada = member("Ada")
    publish(acme, circle, "Hello world", T0 + timedelta(hours=1), body="**Welcome** to the circle.")
    publish(acme, circle, "Second news", T0 + timedelta(hours=2))
    assert send(T0 + timedelta(hours=3)) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.com"] and message.subject == "2 new posts in the Acme Inc community"
    assert "Hello world" in message.body and "Welcome to the circle." in message.body and "**" not in message.body
    html = message.alternatives[0][0]
    assert "Second news" in html and "/c/acme/preferences/" in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{community_unsubscribe_url(ada)}>"
    assert set(DigestDelivery.objects.filter(candidate=ada).values_list("post__title", flat=True)) == {
        "Hello world",
        "Second news",
    }
    assert send(T0 + timedelta(days=9)) == 0  # due again, but nothing new
    assert len(mail.outbox) == 1


def test_weekly_members_wait_a_week_monthly_a_month_and_immediately_get_each_post(acme, circle, member, send):
    member("Weekly", "weekly")
    member("Monthly", "monthly")
    member("Instant", "immediately")
    member("Never", "never")
    publish(acme, circle, "First", T0 + timedelta(hours=1))
    send(T0 + timedelta(hours=2))
    assert recipients() == ["instant@example.com", "monthly@example.com", "weekly@example.com"]

    mail.outbox.clear()
    publish(acme, circle, "Second", T0 + timedelta(days=1))
    send(T0 + timedelta(days=1, minutes=5))
    assert recipients() == ["instant@example.com"]

    mail.outbox.clear()
    send(T0 + timedelta(days=7, hours=3))
    assert recipients() == ["weekly@example.com"] and "Second" in mail.outbox[0].subject

    mail.outbox.clear()
    publish(acme, circle, "Third", T0 + timedelta(days=20))
    send(T0 + timedelta(days=20, minutes=5))
    assert recipients() == ["instant@example.com", "weekly@example.com"]  # a week and more since the last one

    mail.outbox.clear()
    send(T0 + timedelta(days=29))
    assert recipients() == []  # the monthly member's month is not over
    send(T0 + timedelta(days=30, hours=3))
    assert recipients() == ["monthly@example.com"] and mail.outbox[0].subject.startswith("2 new posts")


def test_the_frequency_option_limits_the_run(acme, circle, member, send):
    member("Weekly", "weekly")
    member("Instant", "immediately")
    publish(acme, circle, "News", T0 + timedelta(hours=1))
    send(T0 + timedelta(hours=2), frequency="weekly")
    assert recipients() == ["weekly@example.com"]
    with pytest.raises(ValueError):
        community_digests_send(now=T0, frequency="never")


def test_no_digest_for_the_unsubscribed_erased_blocked_or_non_consenting(acme, circle, member, send):
    member("Fine")
    candidate_unsubscribe(candidate=member("Unsubscribed"), source="portal")
    candidate_erase(candidate=member("Erased"), source="portal")
    member("Blocked", do_not_contact=True)
    member("Bounced", email_undeliverable=True)
    member("Withdrew", consent=False)
    member("Never_asked", consent=None)
    muted = member("Muted")
    circles.circle_set_email_posts(candidate=muted, circle=circle, enabled=False)
    suppressed = member("Suppressed")
    Suppression.objects.create(organization=acme.org, email_hash=suppression_hash(suppressed.email), reason="bounced")
    publish(acme, circle, "News", T0 + timedelta(hours=1))
    send(T0 + timedelta(hours=2))
    assert recipients() == ["fine@example.com"]


def test_drafts_private_circles_and_posts_from_before_joining_are_left_out(acme, circle, member, send):
    ada = member("Ada")
    private = circles.circle_create(org=acme.org, actor=acme.user, name="Segment", visibility="private")
    CircleMembership.objects.create(circle=private, candidate=ada, joined_via="recruiter")
    publish(acme, private, "Segment memo", T0 + timedelta(hours=1))
    circles.post_create(org=acme.org, circle=circle, author=acme.user, data={"title": "Draft"})
    publish(acme, circle, "Before joining", T0 - timedelta(days=2))
    assert send(T0 + timedelta(hours=2)) == 0
    publish(acme, circle, "After joining", T0 + timedelta(hours=3))
    send(T0 + timedelta(hours=4))
    assert mail.outbox[0].subject == "Acme Inc community: After joining"


def test_a_claimed_post_is_never_sent_again_even_by_a_parallel_run(acme, circle, member):
    ada = member("Ada")
    post = publish(acme, circle, "News", T0)
    assert digest_send(candidate=ada, post_ids=[post.pk], now=T0) is True
    assert digest_send(candidate=ada, post_ids=[post.pk], now=T0) is False
    assert DigestDelivery.objects.filter(candidate=ada, post=post).count() == 1


def test_the_management_command_and_the_task_run_the_digests(acme, circle, member, django_capture_on_commit_callbacks):
    member("Ada", "immediately")
    member("Bob", "weekly")
    publish(acme, circle, "News", timezone.now() - timedelta(minutes=5))
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_digests", "--frequency", "immediately", stdout=out)
    assert out.getvalue().strip() == "Sent 1 digest." and recipients() == ["ada@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        assert send_community_digests.delay().get() == 1
    assert recipients() == ["ada@example.com", "bob@example.com"]


def test_a_live_conversation_and_the_cooldown_do_not_hold_back_community_mail(acme, circle, member, send):
    """The contact policy for community mail is consent and unsubscribe only (messaging/policy.py)."""
    from messaging import outbox
    from messaging.services import message_receive

    talking = member("Talking")
    message = outbox.thread_start(
        org=acme.org, candidate=talking, recruiter=acme.user, subject="Hi",
        body="Hi Talking, your work on payment ledgers caught my eye; would you be open to a short call?",
    )  # fmt: skip
    message_receive(thread=message.thread, channel="email", body_text="Sure, tell me more.")
    publish(acme, circle, "News", T0 + timedelta(hours=1))
    assert send(T0 + timedelta(hours=2)) == 1
    assert recipients() == ["talking@example.com"]
