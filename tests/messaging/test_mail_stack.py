"""End to end through a real mail stack: Debian's Postfix and Dovecot on loopback, started by `.ci/mailstack`.

The app sends through Postfix with its VERP envelope sender; a message to an unknown local user
comes back as Postfix's own DSN; the candidate's reply and an out-of-office are real deliveries
through Postfix; the app's IMAP poll fetches all three from Dovecot and files them. Runs when
`MAIL_STACK` (the test domain) and the `MAIL_STACK_*` settings `.ci/mailstack` prints are set:
the PostgreSQL + Redis pass of `.ci/run`.
"""

from __future__ import annotations

import email
import email.policy
import imaplib
import os
import secrets
import smtplib
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

import pytest

from candidates.models import Candidate
from messaging import delivery, outbox
from messaging.envelope import reply_address, verp_token
from messaging.inbound.tasks import poll_imap_mailbox
from messaging.models import InboundEmail, Message
from tests.factories import CandidateFactory
from tests.waiting import wait_until

DOMAIN = os.environ.get("MAIL_STACK", "")
INBOX_URL = os.environ.get("MAIL_STACK_IMAP_URL", "")
CANDIDATE_URL = os.environ.get("MAIL_STACK_CANDIDATE_IMAP_URL", "")
SMTP_HOST, _, SMTP_PORT = os.environ.get("MAIL_STACK_SMTP", "127.0.0.1:25").partition(":")

pytestmark = [
    pytest.mark.mail_stack,
    pytest.mark.skipif(
        not (DOMAIN and INBOX_URL and CANDIDATE_URL),
        reason="needs the Postfix + Dovecot of .ci/mailstack (MAIL_STACK and its MAIL_STACK_* settings): "
        "the PostgreSQL + Redis pass of .ci/run",
    ),
]

# Postfix hands a local delivery to Dovecot's Maildir within milliseconds; the timeout is for a loaded CI machine.
TIMEOUT = 30.0


@contextmanager
def _mailbox(url: str):
    """An IMAP session on the mailbox of `url` (imap://user:password@host:port/MAILBOX), after STARTTLS."""
    parts = urlsplit(url)
    client = imaplib.IMAP4(parts.hostname or "127.0.0.1", parts.port or 143, timeout=TIMEOUT)
    try:
        client.starttls()
        client.login(unquote(parts.username or ""), unquote(parts.password or ""))
        client.select(unquote(parts.path.lstrip("/")) or "INBOX")
        yield client
    finally:
        client.logout()


def _empty(url: str) -> None:
    """Earlier runs' mail out of the way, so the poll sees only this test's."""
    with _mailbox(url) as client:
        _, data = client.search(None, "ALL")
        if data[0]:  # "1:*" is an error in an empty mailbox
            client.store("1:*", "+FLAGS", "(\\Deleted)")
            client.expunge()


def _mails(url: str, criteria: str = "ALL") -> list[email.message.EmailMessage]:
    """The mails in the mailbox matching `criteria`, read without marking them seen."""
    with _mailbox(url) as client:
        _, data = client.uid("SEARCH", criteria)
        found = []
        for uid in (data[0] or b"").split():
            _, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")  # type: ignore[arg-type]
            raw = next(item[1] for item in fetched if isinstance(item, tuple))
            found.append(email.message_from_bytes(raw, policy=email.policy.default))
        return found


def _deliver(mail: EmailMessage, *, envelope_sender: str) -> None:
    """Hand a mail to Postfix as another mail server would: a real delivery into the local mailbox."""
    with smtplib.SMTP(SMTP_HOST, int(SMTP_PORT or 25), timeout=TIMEOUT) as smtp:
        smtp.send_message(mail, from_addr=envelope_sender)


def _answer(original: EmailMessage, *, subject: str, body: str, headers: dict[str, str] | None = None) -> EmailMessage:
    """A mail from the candidate answering `original` as their mail client would: to its Reply-To, threaded."""
    mail = EmailMessage()
    mail["From"] = original["To"]
    mail["To"] = original["Reply-To"]
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain=DOMAIN)
    mail["In-Reply-To"] = original["Message-ID"]
    mail["References"] = original["Message-ID"]
    for name, value in (headers or {}).items():
        mail[name] = value
    mail.set_content(body)
    return mail


@pytest.fixture
def mail_stack(settings):
    """The app pointed at the stack: SMTP to Postfix, replies and bounces at the test domain, IMAP from Dovecot."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = SMTP_HOST, int(SMTP_PORT or 25)
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = TIMEOUT
    settings.INBOUND_EMAIL_DOMAIN = DOMAIN
    settings.IMAP_URL = INBOX_URL
    settings.SITE_URL = "https://talent.example.com"
    _empty(INBOX_URL)
    _empty(CANDIDATE_URL)


def _send(acme, candidate: Candidate, subject: str) -> Message:
    message = outbox.thread_start(
        org=acme.org,
        candidate=candidate,
        recruiter=acme.user,
        subject=subject,
        body=f"Hi {candidate.first_name},\n\nI loved your Kotlin coroutines talk in Lyon. Could we chat?",
    )
    assert delivery.message_deliver(message.pk) == delivery.SENT  # Postfix took it
    message.refresh_from_db()
    return message


def _answers_from(zoe: Candidate, received: EmailMessage) -> list[tuple[EmailMessage, str]]:
    """What comes back from the candidate's side: (mail, envelope sender) as their servers would send them.

    A reply by hand to the reply address; Exchange's out-of-office (its header pair, no RFC 3834
    header) to the same; a vacation(1)-style RFC 3834 auto-reply to the Return-Path, the VERP address,
    with the null envelope sender RFC 3834 asks for and nothing else that names the conversation.
    """
    reply = _answer(
        received,
        subject="Re: Your Kotlin talk",
        body="Yes, I'm interested! Could we talk on Thursday?\n\nOn Monday, Franklin Stone wrote:\n> Hi Zoë,\n> "
        "I loved your Kotlin coroutines talk in Lyon.\n",
    )
    exchange = _answer(
        received,
        subject="Abwesend: Your Kotlin talk",
        body="Ich bin bis zum 14. Januar nicht im Büro und lese meine E-Mails nur eingeschränkt.",
        headers={"X-Auto-Response-Suppress": "All", "X-MS-Exchange-Inbox-Rules-Loop": zoe.email},
    )
    vacation = _answer(
        received,
        subject="On vacation",
        body="I am on vacation with no access to e-mail. Your mail will be read when I am back.",
        headers={"Auto-Submitted": "auto-replied", "Precedence": "bulk"},
    )
    vacation.replace_header("To", received["Return-Path"].strip("<>"))
    del vacation["In-Reply-To"], vacation["References"]  # the VERP token is its only tie to the conversation
    return [(reply, zoe.email), (exchange, zoe.email), (vacation, "")]


def test_mail_goes_out_bounces_and_comes_back_through_postfix_and_dovecot(acme, mail_stack):
    candidate_user = urlsplit(CANDIDATE_URL).username
    zoe = CandidateFactory(organization=acme.org, first_name="Zoë", email=f"{candidate_user}@{DOMAIN}")
    nobody = f"nobody-{secrets.token_hex(4)}@{DOMAIN}"  # no such local user: Postfix takes it, then bounces it
    ghost = CandidateFactory(organization=acme.org, first_name="Casper", email=nobody)

    sent = _send(acme, zoe, "Your Kotlin talk")
    lost = _send(acme, ghost, "Your Rust talk")

    # The candidate's mailbox has the mail, with the VERP envelope sender Postfix recorded as Return-Path.
    received = wait_until(
        lambda: _mails(CANDIDATE_URL), timeout=TIMEOUT, message="the message in the candidate's mailbox"
    )[0]
    assert received["Message-ID"] == sent.message_id_header
    assert received["Return-Path"] == f"<bounce+{verp_token(sent)}@{DOMAIN}>"
    assert received["Reply-To"] == reply_address(sent)

    # The candidate answers, and is away: real deliveries through Postfix into the polled mailbox.
    for mail, envelope_sender in _answers_from(zoe, received):
        _deliver(mail, envelope_sender=envelope_sender)

    # Postfix's own DSN for the unknown user, at the VERP address, beside the three answers.
    arrived = wait_until(
        lambda: (mails := _mails(INBOX_URL, "UNSEEN")) and len(mails) >= 4 and mails,
        timeout=TIMEOUT,
        message=lambda: f"the DSN and three answers in the polled mailbox: {len(_mails(INBOX_URL))} there",
    )
    dsn = next(mail for mail in arrived if mail.get_content_type() == "multipart/report")
    assert dsn["Return-Path"] == "<>"
    assert dsn["Delivered-To"] == f"bounce+{verp_token(lost)}@{DOMAIN}"

    # The app's IMAP poll (the beat task) fetches and files them all, and marks them seen.
    assert poll_imap_mailbox() == 4
    assert poll_imap_mailbox() == 0

    answers = {m.subject: m for m in Message.objects.incoming().filter(thread=sent.thread)}
    assert set(answers) == {"Re: Your Kotlin talk", "Abwesend: Your Kotlin talk", "On vacation"}
    answer = answers["Re: Your Kotlin talk"]
    assert answer.is_auto_reply is False
    assert answer.classification == Message.Classification.INTERESTED
    assert answer.body_text.startswith("Yes, I'm interested!")
    assert "coroutines" not in answer.body_text  # the quoted history was cut
    assert answers["Abwesend: Your Kotlin talk"].is_auto_reply is True
    assert answers["On vacation"].is_auto_reply is True
    assert InboundEmail.objects.filter(status=InboundEmail.Status.MATCHED).count() == 3

    lost.refresh_from_db()
    assert lost.status == Message.Status.BOUNCED
    assert "unknown user" in lost.last_error
    ghost.refresh_from_db()
    assert ghost.email_undeliverable is True
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT
    bounce = InboundEmail.objects.get(status=InboundEmail.Status.BOUNCE)
    assert bounce.message_id_header == dsn["Message-ID"].strip()
    assert bounce.organization_id == acme.org.pk
    assert bounce.error.startswith(f"Hard bounce of message #{lost.pk} (by VERP token)"), bounce.error
