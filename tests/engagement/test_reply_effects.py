"""What a written reply does (opt-out, not interested, later) and what a recruiter's correction redoes."""

from __future__ import annotations

import pytest

from candidates.models import Candidate, Suppression
from engagement.sequences.models import Enrollment
from engagement.timeline.models import Activity, Reminder
from messaging.inbound.ingest import ingest_raw
from messaging.models import ClassificationCorrection, Message
from messaging.replies.corrections import message_reclassify
from messaging.replies.effects import OPT_OUT_CANCELLED
from messaging.services import MessagingError
from tests.engagement.sequence_support import enrol, make_sequence
from tests.messaging.inbound_support import Sent, configure_inbound, start_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(acme, settings) -> Sent:
    configure_inbound(settings)
    return start_conversation(acme, owner=acme.user, email="sam@example.net")


def reply(sent: Sent, text: str, number: int = 1) -> Message:
    raw = (
        f"From: Sam <sam@example.net>\r\nTo: reply+{sent.thread.reply_token}@reply.test\r\n"
        f"Subject: Re: A platform role at Acme\r\nMessage-ID: <reply{number}@example.net>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
    ).encode()
    inbound = ingest_raw(raw)
    assert inbound.message is not None, inbound.error
    return inbound.message


def running_enrollment(acme, sent: Sent) -> Enrollment:
    result = enrol(acme, make_sequence(acme), [sent.candidate])
    return Enrollment.objects.get(pk=result.enrolled[0].pk)


def test_an_opt_out_reply_has_the_force_of_an_unsubscribe(acme, sent):
    enrollment = running_enrollment(acme, sent)

    message = reply(sent, "Hi,\n\nplease stop emailing me and remove me from your list\n\nSam")

    assert message.classification == "opt_out"
    assert message.classification_reason == "“stop emailing me” (en)"
    candidate = Candidate.objects.get(pk=sent.candidate.pk)
    assert candidate.unsubscribed_at is not None
    assert Suppression.objects.filter(organization=acme.org, reason=Suppression.Reason.UNSUBSCRIBED).exists()
    queued = Message.objects.get(pk=sent.message.pk)
    assert (queued.status, queued.last_error) == (Message.Status.CANCELLED, OPT_OUT_CANCELLED)
    enrollment.refresh_from_db()
    assert enrollment.state not in Enrollment.RUNNING_STATES
    assert enrollment.stop_reason == "The candidate asked in their reply to receive no more messages."
    unsubscribe = Activity.objects.get(candidate=candidate, kind=Activity.Kind.UNSUBSCRIBE)
    assert unsubscribe.message_id == message.pk
    assert unsubscribe.summary == "Unsubscribed from all messages: asked in their reply “stop emailing me” (en)"
    notice = Reminder.objects.get(candidate=candidate, recruiter=acme.user, origin=Reminder.Origin.REPLY)
    assert notice.message_id == message.pk and "only they can undo it" in notice.note


def test_bitte_keine_e_mails_mehr_is_an_opt_out(acme, sent):
    assert reply(sent, "Bitte keine E-Mails mehr").classification == "opt_out"
    assert Candidate.objects.get(pk=sent.candidate.pk).unsubscribed_at is not None


def test_a_not_interested_reply_moves_the_stage_to_not_interested(acme, sent):
    message = reply(sent, "Kein Interesse, danke.")

    assert message.classification == "not_interested"
    assert Candidate.objects.get(pk=sent.candidate.pk).stage == Candidate.Stage.NOT_INTERESTED
    assert Candidate.objects.get(pk=sent.candidate.pk).unsubscribed_at is None


def test_a_later_reply_stops_sequences_and_reminds_the_owner_in_the_month_named(acme, sent):
    enrollment = running_enrollment(acme, sent)

    message = reply(sent, "Not right now, we're mid-launch. Ask me again in March?")

    assert message.classification == "later"
    enrollment.refresh_from_db()
    assert enrollment.stop_reason == "The candidate asked to be contacted again later."
    reminder = Reminder.objects.get(candidate=sent.candidate, origin=Reminder.Origin.LATER)
    assert reminder.recruiter == acme.user and reminder.message_id == message.pk
    assert reminder.due_at.month == 3 and reminder.due_at.day == 1
    assert "(March)" in reminder.note


def test_a_later_reply_naming_no_month_is_asked_again_in_six_months(acme, sent):
    message = reply(sent, "Maybe later, thanks!")

    reminder = Reminder.objects.get(candidate=sent.candidate, origin=Reminder.Origin.LATER)
    months = (reminder.due_at.year - message.received_at.year) * 12 + reminder.due_at.month
    assert months - message.received_at.month == 6


# --- Corrections -----------------------------------------------------------------------------------


def test_correcting_an_opt_out_records_it_and_never_resubscribes(acme, sent):
    message = reply(sent, "Unsubscribe")

    corrected = message_reclassify(org=acme.org, message=message, classification="interested", user=acme.user)

    assert corrected.classification == "interested"
    correction = ClassificationCorrection.objects.get(message=message)
    assert (correction.previous, correction.classification, correction.corrected_by) == (
        "opt_out", "interested", acme.user,
    )  # fmt: skip
    assert Candidate.objects.get(pk=sent.candidate.pk).unsubscribed_at is not None
    line = Activity.objects.get(candidate=sent.candidate, kind=Activity.Kind.RECLASSIFIED)
    assert line.summary == (
        "Reply reclassified: Opt-out → Interested (still unsubscribed: only the candidate can undo it)"
    )
    assert line.actor_id == acme.user.pk


def test_correcting_to_not_interested_moves_the_stage_and_back(acme, sent):
    message = reply(sent, "Thanks, received.")
    assert message.classification == "neutral"

    message_reclassify(org=acme.org, message=message, classification="not_interested", user=acme.user)
    assert Candidate.objects.get(pk=sent.candidate.pk).stage == Candidate.Stage.NOT_INTERESTED

    message_reclassify(org=acme.org, message=message, classification="neutral", user=acme.user)
    assert Candidate.objects.get(pk=sent.candidate.pk).stage == Candidate.Stage.ENGAGED
    assert ClassificationCorrection.objects.filter(message=message).count() == 2


def test_correcting_to_later_makes_the_reminder_and_away_from_it_closes_it(acme, sent):
    message = reply(sent, "I'll think about it, nach dem Sommer vielleicht.")
    message_reclassify(org=acme.org, message=message, classification="neutral", user=acme.user)
    message_reclassify(org=acme.org, message=message, classification="later", user=acme.user)
    reminder = Reminder.objects.open().get(candidate=sent.candidate, origin=Reminder.Origin.LATER)
    assert reminder.due_at.month == 9

    message_reclassify(org=acme.org, message=message, classification="interested", user=acme.user)

    assert not Reminder.objects.open().filter(candidate=sent.candidate, origin=Reminder.Origin.LATER).exists()
    assert Candidate.objects.get(pk=sent.candidate.pk).stage == Candidate.Stage.INTERESTED


def test_correcting_to_opt_out_unsubscribes_as_the_reply_would_have(acme, sent):
    message = reply(sent, "Hmm.")

    message_reclassify(org=acme.org, message=message, classification="opt_out", user=acme.user)

    assert Candidate.objects.get(pk=sent.candidate.pk).unsubscribed_at is not None
    assert Message.objects.get(pk=sent.message.pk).status == Message.Status.CANCELLED


def test_only_a_candidates_own_reply_can_be_corrected(acme, globex, sent):
    with pytest.raises(MessagingError) as outgoing:
        message_reclassify(org=acme.org, message=sent.message, classification="interested", user=acme.user)
    assert outgoing.value.field == "message"
    message = reply(sent, "Yes!")
    with pytest.raises(MessagingError) as unknown:
        message_reclassify(org=acme.org, message=message, classification="maybe", user=acme.user)
    assert unknown.value.field == "classification"
    with pytest.raises(MessagingError):
        message_reclassify(org=globex.org, message=message, classification="neutral", user=globex.user)
    assert not ClassificationCorrection.objects.exists()
