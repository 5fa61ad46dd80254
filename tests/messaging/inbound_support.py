"""Shared by the tests/messaging/test_inbound_*.py files: fixture mails and a sent conversation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from messaging.checks import CheckResult
from messaging.models import Message, Thread
from messaging.outbox import thread_start
from tests.factories import CandidateFactory

FIXTURES = Path(__file__).parent / "fixtures"
DOMAIN = "reply.test"
SECRET = "inbound-test-secret"


def fixture_bytes(
    name: str, *, token: str = "", message_id: str = "<unknown@nowhere.test>", recipient: str = ""
) -> bytes:
    """A fixture mail with the conversation's reply token, Message-ID and address filled in."""
    raw = (FIXTURES / name).read_bytes()
    return (
        raw.replace(b"{{TOKEN}}", (token or "nosuchtoken").encode())
        .replace(b"{{MESSAGE_ID}}", message_id.encode())
        .replace(b"{{RECIPIENT}}", (recipient or "someone@example.net").encode())
    )


@dataclass
class Sent:
    """A conversation with one outgoing message, as if a recruiter had written to the candidate."""

    thread: Thread
    message: Message

    @property
    def candidate(self):
        return self.thread.candidate

    def mail(self, name: str, **overrides) -> bytes:
        values = {
            "token": self.thread.reply_token,
            "message_id": self.message.message_id_header,
            "recipient": self.message.to_email,
        }
        values.update(overrides)
        return fixture_bytes(name, **values)


def start_conversation(tenant, **candidate_fields) -> Sent:
    candidate = CandidateFactory(organization=tenant.org, **candidate_fields)
    message = thread_start(
        org=tenant.org,
        candidate=candidate,
        recruiter=tenant.user,
        subject="A platform role at Acme",
        body=f"Hi {candidate.first_name}, your work at Initech on payments caught my eye. Open to a chat?",
        check=CheckResult(score=90),
    )
    return Sent(thread=message.thread, message=message)


def configure_inbound(settings):
    """What each test module's `inbound_settings` fixture does: our reply domain and webhook secret."""
    settings.INBOUND_EMAIL_DOMAIN = DOMAIN
    settings.INBOUND_EMAIL_SECRET = SECRET
    return settings
