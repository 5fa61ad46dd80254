"""Answers, out-of-office mail and bounces arriving for the demo's conversations, through the real paths.

E-mail answers, automatic replies and bounce reports are raw RFC 5322 mail handed to the inbound
pipeline (`messaging.inbound.ingest`): matched by the thread's reply token or the message's VERP
token, cleaned, recognised and classified there, so the intents, the opt-out's unsubscribe, the
stopped enrolments, the timeline and the live roll-ups are what the product itself makes of them.
One-click "Interested" / "Not interested" answers go through `message_receive`, as the click does.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

from django.conf import settings

from engagement.demo.outreach import Conversation
from messaging.envelope import verp_token
from messaging.inbound.ingest import ingest
from messaging.models import Message
from messaging.services import message_receive

ANSWERS = {
    "interested": (
        "Hi {me}, thanks for reaching out. Yes, I'd be interested in hearing more about the role. "
        "I'm free Tuesday or Thursday afternoon if a call suits you.",
        "Sounds interesting! I'd love to learn more. Could we talk next week?",
    ),
    "decline": (
        "Thanks for thinking of me, but I'm not interested in a move right now; I'm happy where I am.",
        "Thank you, but I'm not looking for a new role at the moment.",
    ),
    "question": ("Thanks for the note. What is the salary range, and is the role remote?",),
    "later": ("Not right now: we ship a big release this quarter. Please ask me again in three months.",),
    "opt_out": ("Please remove me from your list and do not contact me again.",),
}
OUT_OF_OFFICE = "I am out of the office with limited access to e-mail and will reply when I am back on Monday."
CLICKS = {"click_interested": Message.Classification.INTERESTED, "click_decline": Message.Classification.NOT_INTERESTED}


def replies_arrive(plan: list[Conversation], messages: list[Message]) -> int:
    """Deliver every planned answer, automatic reply and bounce in the order they happened; returns how many."""
    first_sent: dict[int, Message] = {}
    for message in messages:  # oldest first: each thread's first send
        first_sent.setdefault(message.thread_id, message)
    arrivals: list[tuple[datetime, int, str, Conversation]] = []
    for index, conversation in enumerate(plan):
        first = conversation.sends[0].at
        if conversation.bounced:
            arrivals.append((first + timedelta(minutes=2), index, "bounce", conversation))
        if conversation.auto_reply_at:
            arrivals.append((conversation.auto_reply_at, index, "auto_reply", conversation))
        if conversation.answer:
            arrivals.append((conversation.answer.at, index, conversation.answer.kind, conversation))
    for at, _index, kind, conversation in sorted(arrivals, key=lambda a: (a[0], a[1])):
        assert conversation.thread is not None
        sent = first_sent[conversation.thread.pk]
        if kind in CLICKS:
            message_receive(thread=conversation.thread, channel=Message.Channel.CLICK, body_text="",
                            classification=CLICKS[kind], received_at=at)  # fmt: skip
        elif kind == "bounce":
            token = verp_token(sent)
            ingest(_bounce(sent, token, at), received_at=at, envelope_recipients=[_verp(token)])
        else:
            ingest(_reply(conversation, sent, kind, at), received_at=at)
    return len(arrivals)


def _verp(token: str) -> str:
    return f"bounce+{token}@{settings.INBOUND_EMAIL_DOMAIN}"


def _reply(conversation: Conversation, sent: Message, kind: str, at: datetime) -> bytes:
    assert conversation.thread is not None
    person = conversation.candidate
    mail = EmailMessage()
    mail["From"] = f"{person.first_name} {person.last_name} <{person.email}>"
    mail["To"] = f"reply+{conversation.thread.reply_token}@{settings.INBOUND_EMAIL_DOMAIN}"
    mail["Date"] = format_datetime(at)
    mail["Message-ID"] = f"<demo-{kind}-{sent.pk}@mail.example.org>"
    mail["In-Reply-To"] = sent.message_id_header
    quoted = "\n".join(f"> {line}" for line in sent.body_text.splitlines())
    if kind == "auto_reply":
        mail["Subject"] = f"Automatic reply: {sent.subject}"
        mail["Auto-Submitted"] = "auto-replied"
        text = OUT_OF_OFFICE
    else:
        mail["Subject"] = f"Re: {sent.subject}"
        choices = ANSWERS[kind]
        text = choices[sent.pk % len(choices)].format(me=conversation.recruiter.first_name)
        text += (
            f"\n\n{person.first_name}\n\nOn {format_datetime(sent.sent_at or at)}, {conversation.recruiter} wrote:\n"
        )
        text += quoted
    mail.set_content(text)
    return mail.as_bytes()


def _bounce(sent: Message, token: str, at: datetime) -> bytes:
    """A delivery status notification (RFC 3464) for `sent`, as a receiving server writes one."""
    boundary = f"demo-dsn-{sent.pk}"
    return (
        f"Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\n"
        f"To: {_verp(token)}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <demo-dsn-{sent.pk}@mx.example.org>\r\nDate: {format_datetime(at)}\r\n"
        f"Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n\r\n'
        f"--{boundary}\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
        f"This is the mail system at host mx.example.org. Your message could not be delivered.\r\n\r\n"
        f"--{boundary}\r\nContent-Type: message/delivery-status\r\n\r\n"
        f"Reporting-MTA: dns; mx.example.org\r\n\r\n"
        f"Final-Recipient: rfc822; {sent.to_email}\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        f"Diagnostic-Code: smtp; 550 5.1.1 <{sent.to_email}>: Recipient address rejected: no such user\r\n\r\n"
        f"--{boundary}\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"To: {sent.to_email}\r\nSubject: {sent.subject}\r\nMessage-ID: {sent.message_id_header}\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()
