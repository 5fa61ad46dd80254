"""Every e-mail a candidate gets names the organisation and comes from its sender name, with links on
SITE_URL: the community digest, the community invitation and a recruiter's message (allauth's
confirmation and password reset: tests/talentcircles/test_portal_accounts.py)."""

from __future__ import annotations

from datetime import timedelta
from email.utils import parseaddr

import pytest
from django.core import mail
from django.utils import timezone

from candidates.consent import consent_record
from candidates.models import Candidate
from engagement.circles import services as circles
from engagement.circles.community import community_invite
from engagement.circles.digests import community_digests_send
from messaging import delivery, outbox

pytestmark = pytest.mark.django_db

SITE = "https://talent.example.org"


@pytest.fixture
def ada(acme, make_candidate, settings):
    settings.SITE_URL = SITE
    acme.org.sender_name, acme.org.sender_email = "Acme Careers", "careers@acme.example"
    acme.org.save()
    candidate = make_candidate(acme, "Ada", "Lovelace", email="ada@example.com")
    consent_record(candidate=candidate, purpose="messages", granted=True, source="portal")
    return candidate


def assert_from_acme(message, display_name: str = "Acme Careers") -> None:
    sender = message.extra_headers.get("From") or message.from_email
    assert parseaddr(sender) == (display_name, "noreply@localhost")
    assert "Acme Inc" in message.body and "testserver" not in message.body and "127.0.0.1" not in message.body


def test_the_community_digest_comes_from_the_organisation(acme, ada, django_capture_on_commit_callbacks):
    Candidate.objects.filter(pk=ada.pk).update(digest_frequency="immediately")
    circle = circles.circle_create(org=acme.org, actor=acme.user, name="Backend", visibility="public")
    circles.circle_join(candidate=ada, circle=circle)
    joined = timezone.now()  # now, not at import: a post counts only if published after joining
    post = circles.post_create(org=acme.org, circle=circle, author=acme.user, data={"title": "News"})
    circles.post_publish(post=post, now=joined + timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        community_digests_send(now=joined + timedelta(minutes=5))
    (message,) = mail.outbox
    assert_from_acme(message)
    assert message.reply_to == ["careers@acme.example"] and "Acme Inc" in message.subject
    assert f"{SITE}/c/acme/" in message.body


def test_the_community_invitation_comes_from_the_organisation(acme, ada, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        community_invite(org=acme.org, candidates=Candidate.objects.filter(pk=ada.pk), invited_by=acme.user)
    (message,) = mail.outbox
    assert_from_acme(message)
    assert message.reply_to == ["careers@acme.example"] and "Acme Inc" in message.subject
    assert f"{SITE}/c/acme/invitations/" in message.body


def test_a_recruiters_message_comes_from_the_recruiter_via_the_organisations_sender(acme, ada):
    acme.user.first_name, acme.user.last_name = "Grace", "Hopper"
    acme.user.save()
    message = outbox.thread_start(
        org=acme.org, candidate=ada, recruiter=acme.user, subject="Compilers", body="Hi Ada, a call next week?"
    )
    delivery.message_deliver(message.pk)
    (email,) = mail.outbox
    assert_from_acme(email, display_name="Grace Hopper via Acme Careers")
    assert f"{SITE}/u/" in email.body
