"""The candidate's inbox in the portal: their own conversations only, what reached them, answers as replies."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from messaging import outbox, services
from messaging.models import Message
from talentcircles import events
from tests.factories import CandidateFactory, UserFactory

pytestmark = pytest.mark.django_db
BODY = "Hi {name}, your work on ledgers at Initech caught my eye; would you be open to a short call next week?"


class Member:
    """A community member of one organisation, signed in to the portal."""

    def __init__(self, org, *, first_name: str):
        self.user = UserFactory(first_name=first_name)
        self.candidate = CandidateFactory(
            organization=org, user=self.user, email=self.user.email, first_name=first_name, current_company="Initech"
        )
        self.client = Client()
        self.client.force_login(self.user)


@pytest.fixture
def ada(acme) -> Member:
    return Member(acme.org, first_name="Ada")


def sent(tenant, member: Member, subject="Ledgers") -> Message:
    message = outbox.thread_start(
        org=tenant.org,
        candidate=member.candidate,
        recruiter=tenant.user,
        subject=subject,
        body=BODY.format(name=member.candidate.first_name),
    )
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT)
    return message


def inbox(org, *args) -> str:
    return reverse("portal_inbox_thread" if args else "portal_inbox", args=[org.slug, *args])


def test_the_inbox_lists_the_candidates_own_conversations(acme, ada):
    mine = sent(acme, ada, subject="Ledgers")
    bo = Member(acme.org, first_name="Bo")
    sent(acme, bo, subject="Someone else's")

    response = ada.client.get(inbox(acme.org))

    assert response.status_code == 200
    assert [t.pk for t in response.context["page"].object_list] == [mine.thread_id]
    body = response.content.decode()
    assert "Ledgers" in body and "Someone else" not in body
    assert f'href="{inbox(acme.org)}"' in body  # the nav link


def test_the_inbox_has_an_empty_state_and_hides_conversations_not_yet_sent(acme, ada):
    outbox.thread_start(
        org=acme.org, candidate=ada.candidate, recruiter=acme.user, subject="Queued", body=BODY.format(name="Ada")
    )

    response = ada.client.get(inbox(acme.org))

    assert b'id="inbox-empty"' in response.content and b"Queued" not in response.content


def test_a_thread_shows_sent_messages_and_own_replies_never_unsent_ones(acme, ada):
    first = sent(acme, ada)
    thread = first.thread
    services.message_receive(thread=thread, channel=Message.Channel.EMAIL, body_text="Sounds good")
    for status, text in [
        (Message.Status.QUEUED, "still queued"),
        (Message.Status.CANCELLED, "was cancelled"),
        (Message.Status.FAILED, "has failed"),
    ]:
        extra = outbox.message_reply(thread=thread, sender=acme.user, body=f"This one {text}, Ada.")
        Message.objects.filter(pk=extra.pk).update(status=status)

    response = ada.client.get(inbox(acme.org, thread.pk))

    assert response.status_code == 200
    body = response.content.decode()
    assert "your work on ledgers" in body and "Sounds good" in body
    for hidden in ("still queued", "was cancelled", "has failed"):
        assert hidden not in body


def test_an_answer_in_the_portal_counts_as_a_reply(acme, ada, seen_events):
    thread = sent(acme, ada).thread

    response = ada.client.post(inbox(acme.org, thread.pk), {"body": "Yes, I am interested, let's talk."})

    assert response.status_code == 302 and response["Location"] == inbox(acme.org, thread.pk)
    reply = thread.messages.get(direction=Message.Direction.IN)
    assert reply.channel == Message.Channel.PORTAL and reply.body_text == "Yes, I am interested, let's talk."
    assert reply.from_email == ada.candidate.email and reply.classification
    assert events.REPLY_RECEIVED in [e.kind for e in seen_events]
    followed = ada.client.get(response["Location"]).content.decode()
    assert "Yes, I am interested" in followed


def test_an_empty_or_oversized_answer_is_refused(acme, ada):
    thread = sent(acme, ada).thread

    empty = ada.client.post(inbox(acme.org, thread.pk), {"body": ""})
    huge = ada.client.post(inbox(acme.org, thread.pk), {"body": "x" * 50_001})

    assert empty.status_code == huge.status_code == 400
    assert "50,000" in " ".join(huge.context["form"].errors["body"])
    assert not thread.messages.filter(direction=Message.Direction.IN).exists()


def test_another_candidates_thread_is_404(acme, globex, ada):
    bo = Member(acme.org, first_name="Bo")
    theirs = sent(acme, bo).thread
    elsewhere = Member(globex.org, first_name="Cy")
    foreign = sent(globex, elsewhere).thread

    for thread in (theirs, foreign):
        assert ada.client.get(inbox(acme.org, thread.pk)).status_code == 404
        assert ada.client.post(inbox(acme.org, thread.pk), {"body": "hijack"}).status_code == 404
    # Ada is not a member of Globex's community: she is sent to its join page, never shown the thread.
    response = ada.client.get(inbox(globex.org, foreign.pk))
    assert response.status_code == 302 and "hijack" not in str(response.content)
    assert not Message.objects.filter(direction=Message.Direction.IN).exists()


def test_anonymous_visitors_are_sent_to_sign_in(acme):
    response = Client().get(inbox(acme.org))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_a_written_opt_out_in_the_portal_unsubscribes_the_candidate(acme, ada):
    thread = sent(acme, ada).thread

    ada.client.post(inbox(acme.org, thread.pk), {"body": "Merci de ne plus me contacter."})

    reply = thread.messages.get(direction=Message.Direction.IN)
    assert (reply.classification, reply.classification_reason) == ("opt_out", "“ne plus me contacter” (fr)")
    ada.candidate.refresh_from_db()
    assert ada.candidate.unsubscribed_at is not None
