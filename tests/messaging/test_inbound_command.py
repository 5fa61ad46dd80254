"""`manage.py ingest_email` with .eml and mbox files, and the IMAP polling task."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from messaging.inbound import tasks
from messaging.models import InboundEmail, Message
from tests.messaging.inbound_support import FIXTURES, Sent, configure_inbound, start_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbound_settings(settings):
    return configure_inbound(settings)


@pytest.fixture
def sent(acme, inbound_settings) -> Sent:
    return start_conversation(acme)


def run(*paths) -> str:
    out = io.StringIO()
    call_command("ingest_email", *[str(path) for path in paths], stdout=out)
    return out.getvalue()


def test_it_ingests_eml_files(sent, tmp_path):
    gmail = tmp_path / "gmail.eml"
    gmail.write_bytes(sent.mail("gmail_reply.eml"))
    ooo = tmp_path / "ooo.eml"
    ooo.write_bytes(sent.mail("ooo_subject_only.eml"))

    output = run(gmail, ooo)

    assert f"{gmail}: matched #" in output
    assert "2 message(s): 2 matched; 0 already stored before." in output
    assert Message.objects.incoming().count() == 2
    assert Message.objects.answers().count() == 1


def test_it_ingests_an_mbox_and_tells_what_was_already_there(sent, tmp_path):
    mbox = tmp_path / "replies.mbox"
    mbox.write_bytes((FIXTURES / "replies.mbox").read_bytes().replace(b"{{TOKEN}}", sent.thread.reply_token.encode()))

    first = run(mbox)
    again = run(mbox)

    assert f"{mbox}#1: matched" in first and f"{mbox}#3: unmatched" in first
    assert "3 message(s): 2 matched, 1 unmatched; 0 already stored before." in first
    assert "3 already stored before." in again
    assert InboundEmail.objects.count() == 3
    bodies = list(Message.objects.incoming().order_by("id").values_list("body_text", flat=True))
    assert bodies == ["Yes, I'm interested.", "One more thing:\nFrom my side, Thursday works best."]


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "nope.eml")


class FakeImap:
    """Stands in for the IMAP server (it leaves the process): two unseen mails."""

    instances: list[FakeImap] = []

    def __init__(self, host, port, timeout=None):
        self.host, self.port = host, port
        self.seen: list[bytes] = []
        self.logged_in = None
        self.mails = {}
        FakeImap.instances.append(self)

    def login(self, user, password):
        self.logged_in = (user, password)

    def select(self, mailbox):
        self.mailbox = mailbox
        return "OK", [b"2"]

    def uid(self, command, *args):
        if command == "SEARCH":
            return "OK", [b" ".join(self.mails)]
        if command == "FETCH":
            return "OK", [(b"1 (UID 1 BODY[] {10}", self.mails[args[0]]), b")"]
        if command == "STORE":
            self.seen.append(args[0])
            return "OK", [b""]
        raise AssertionError(command)

    def logout(self):
        pass


def test_the_imap_task_does_nothing_without_imap_url(settings):
    settings.IMAP_URL = ""

    assert tasks.poll_imap_mailbox.delay().get() == 0


def test_the_imap_task_ingests_unseen_mail_and_marks_it_seen(sent, settings, monkeypatch):
    settings.IMAP_URL = "imaps://replies%40acme.test:s%3Acret@imap.acme.test:993/Replies"
    FakeImap.instances = []

    def connect(host, port, timeout=None):
        fake = FakeImap(host, port, timeout)
        fake.mails = {b"7": sent.mail("gmail_reply.eml"), b"8": sent.mail("x_autoreply.eml")}
        return fake

    monkeypatch.setattr(tasks.imaplib, "IMAP4_SSL", connect)

    assert tasks.poll_imap_mailbox.delay().get() == 2

    fake = FakeImap.instances[0]
    assert (fake.host, fake.port, fake.logged_in) == ("imap.acme.test", 993, ("replies@acme.test", "s:cret"))
    assert fake.mailbox == '"Replies"'
    assert fake.seen == [b"7", b"8"]
    assert Message.objects.incoming().count() == 2
