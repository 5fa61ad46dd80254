"""What inbound mail is: bounces without VERP, delay and success notices, complaints, auto-replies.

The fixtures in fixtures/recognition/ are written for this project in the styles of real servers
and clients (Exchange, Domino, Exim, qmail, Sendmail, Gmail, Yahoo, Outlook.com, Postfix, ARF
feedback loops, Microsoft's JMRP, out-of-office replies in nine languages).
"""

from __future__ import annotations

from datetime import date

import pytest

from messaging.inbound.cleaning import clean_reply
from messaging.inbound.complaints import detect_complaint
from messaging.inbound.detection import Bounce, auto_reply_reason, detect_bounce
from messaging.inbound.lenient import is_mail, parse_email_leniently
from messaging.inbound.parsing import parse_email
from messaging.inbound.return_dates import return_date
from tests.messaging.inbound_support import fixture_bytes

TODAY = date(2026, 1, 5)


def parsed(name: str):
    raw = fixture_bytes(f"recognition/{name}", token="tok1", message_id="<tc.1@reply.test>", recipient="sam@x.test")
    return parse_email(raw)


@pytest.mark.parametrize(
    ("name", "status", "hard"),
    [
        ("bounce_exchange.eml", "5.1.10", True),  # multipart/report, Auto-Submitted: auto-replied
        ("bounce_sendmail.eml", "5.1.1", True),
        ("bounce_gmail.eml", "5.1.1", True),  # text only, no original
        ("bounce_qmail.eml", "5.1.2", True),  # original inline below the notice
        ("bounce_domino.eml", "", True),  # "DELIVERY FAILURE: … not listed in Domino Directory"
        ("bounce_yahoo.eml", "", True),
        ("bounce_exim.eml", "5.2.2", False),  # mailbox full
        ("bounce_outlook_com.eml", "5.2.2", False),
        ("bounce_empty_sender.eml", "5.7.1", False),  # From: <>, blocklisted: soft
        ("dsn_failed_after_retries.eml", "4.4.1", False),  # Action: failed, 4.x.x after the retries
    ],
)
def test_bounces_without_verp_are_recognised_hard_or_soft(name, status, hard):
    mail = parsed(name)

    bounce = detect_bounce(mail)

    assert bounce is not None, name
    assert bounce.is_permanent and not bounce.delayed and not bounce.delivered
    assert bounce.status == status
    assert bounce.is_hard is hard
    assert bounce.failed_recipient in ("sam@x.test", "marta.nowak@example.net")
    assert detect_complaint(mail) is None


def test_a_bounce_names_the_original_when_it_returns_it_attached_or_inline():
    for name in ("bounce_exchange.eml", "bounce_qmail.eml", "bounce_exim.eml", "bounce_yahoo.eml"):
        bounce = detect_bounce(parsed(name))
        assert bounce.original_message_id == "<tc.1@reply.test>", name
        assert "reply+tok1@reply.test" in bounce.original_recipients, name


def test_a_delay_warning_is_not_a_failure():
    bounce = detect_bounce(parsed("dsn_warning_sendmail.eml"))

    assert bounce is not None and bounce.delayed
    assert not bounce.is_permanent and not bounce.is_hard and bounce.kind == "delayed"


def test_a_success_notice_is_recognised_and_is_no_failure():
    bounce = detect_bounce(parsed("dsn_success.eml"))

    assert bounce is not None and bounce.delivered
    assert not bounce.is_permanent and not bounce.is_hard


@pytest.mark.parametrize(
    ("status", "diagnostic", "hard"),
    [
        ("5.1.1", "User unknown", True),
        ("5.0.0", "550 No such user here", True),
        ("5.4.4", "Host or domain name not found", True),
        ("5.2.2", "Mailbox full", False),
        ("5.1.1", "mailbox is full", False),
        ("4.2.2", "over quota", False),
        ("5.7.1", "Message rejected as spam", False),
        ("5.1.8", "Sender address rejected: Domain not found", False),
        ("4.7.1", "Greylisted, try again later", False),
        ("", "", False),
    ],
)
def test_hard_is_for_addresses_that_do_not_exist_only(status, diagnostic, hard):
    assert Bounce(status=status, diagnostic=diagnostic, action="failed").is_hard is hard


def test_action_fields_decide_delay_and_success():
    assert Bounce(action="delayed", status="4.4.1").delayed
    assert Bounce(action="delivered", status="2.0.0").delivered
    assert Bounce(action="relayed").delivered
    assert Bounce(action="failed", status="4.4.7").is_permanent
    assert not Bounce(action="failed", status="4.4.7").is_hard


@pytest.mark.parametrize("name", ["arf_complaint.eml", "fbl_microsoft.eml"])
def test_spam_complaints_name_the_original_and_the_complainant(name):
    mail = parsed(name)

    complaint = detect_complaint(mail)

    assert complaint is not None
    assert complaint.original_message_id == "<tc.1@reply.test>"
    assert complaint.complainant == "sam@x.test"
    assert complaint.feedback_type == "abuse"


def test_an_apple_mail_unsubscribe_is_a_complaint_of_type_unsubscribe():
    raw = (
        b"From: sam@icloud.test\r\nTo: unsubscribe+tok1@reply.test\r\nSubject: unsubscribe\r\n"
        b"Auto-Submitted: auto-replied\r\nX-Apple-Unsubscribe: true\r\n\r\n"
        b"Apple Mail sent this email to unsubscribe.\r\n"
    )

    complaint = detect_complaint(parse_email(raw))

    assert complaint is not None and complaint.feedback_type == "unsubscribe"


def test_the_microsoft_pair_of_headers_is_an_auto_reply_without_an_automatic_subject():
    assert auto_reply_reason(parsed("auto_exchange_pair.eml")) == "X-MS-Exchange-Inbox-Rules-Loop header"


def test_one_of_the_microsoft_pair_alone_is_a_person():
    raw = (
        b"From: a@x.test\r\nTo: b@y.test\r\nSubject: Re: Hi\r\nX-Auto-Response-Suppress: All\r\n\r\n"
        b"Yes, Thursday works.\r\n"
    )

    assert auto_reply_reason(parse_email(raw)) == ""


@pytest.mark.parametrize(
    ("lang", "back"),
    [
        ("en", date(2026, 1, 12)),
        ("de", date(2026, 1, 9)),
        ("fr", date(2026, 1, 14)),
        ("es", date(2026, 1, 10)),
        ("nl", date(2026, 1, 19)),
        ("it", date(2026, 1, 13)),
        ("pt", date(2026, 1, 15)),
        ("pl", date(2026, 1, 12)),
        ("sv", date(2026, 1, 8)),
    ],
)
def test_out_of_office_replies_in_nine_languages_with_their_return_date(lang, back):
    mail = parsed(f"ooo_{lang}.eml")

    assert detect_bounce(mail) is None
    assert auto_reply_reason(mail) in ("out-of-office message", "out-of-office subject")
    assert return_date(clean_reply(mail.text), today=TODAY) == back


def test_an_absence_notice_that_quotes_our_question_is_still_an_auto_reply():
    raw = (
        b"From: Sam <sam@x.test>\r\nTo: reply+tok1@reply.test\r\nSubject: Re: A role\r\n\r\n"
        b"I am out of the office until 12 January.\r\n\r\nOn Mon, 5 Jan 2026, Jane <jane@acme.test> wrote:\r\n"
        b"> Open to a chat? I think you'd be interested.\r\n"
    )

    assert auto_reply_reason(parse_email(raw)) == "out-of-office message"


def test_a_person_who_mentions_an_absence_and_a_failed_delivery_is_a_person():
    mail = parsed("human_mentions_absence.eml")

    assert detect_bounce(mail) is None and detect_complaint(mail) is None
    assert auto_reply_reason(mail) == ""


@pytest.mark.parametrize(
    ("subject", "body"),
    [
        ("Re: Delivery failure of my parcel", "The courier said it could not be delivered, funny."),
        ("Mail delivery", "Hi Jane, yes I am interested. Undeliverable mail is a pain."),
        ("Automatic thoughts", "I am away from negativity these days. Yes let's talk!"),
        ("Re: A role", "I'm on vacation until Monday, but yes, interested! Talk then."),
        ("Re: A role", "Ich bin im Urlaub bis Montag. Können wir danach telefonieren?"),
    ],
)
def test_a_person_using_the_words_of_machines_is_a_person(subject, body):
    raw = f"From: Sam <sam@x.test>\r\nTo: reply+tok1@reply.test\r\nSubject: {subject}\r\n\r\n{body}\r\n".encode()
    mail = parse_email(raw)

    assert detect_bounce(mail) is None
    assert detect_complaint(mail) is None
    assert auto_reply_reason(mail) == ""


def test_a_reply_with_a_non_ascii_attachment_name_parses():
    mail = parsed("yahoo_nonascii_disposition.eml")

    assert mail.text.strip() == "Hello Jane, my CV is attached. I am interested."
    assert mail.from_email == "olga.petrova@yahoo.com"


def test_a_raw_utf8_subject_is_read_as_utf8():
    mail = parse_email("From: a@x.test\r\nSubject: メールエラー通知\r\n\r\nx\r\n".encode())

    assert mail.subject == "メールエラー通知"


def test_a_mail_the_parser_cannot_read_is_read_line_by_line(monkeypatch):
    def broken(raw):
        raise ValueError("boom")

    monkeypatch.setattr("messaging.inbound.lenient.parse_email", broken)
    raw = (
        b"From: Sam <sam@x.test>\r\nTo: reply+tok1@reply.test\r\nIn-Reply-To: <tc.1@reply.test>\r\n"
        b"Subject: Re: Hi\r\n\r\nYes.\r\n"
    )

    mail, error = parse_email_leniently(raw)

    assert error == "ValueError: boom"
    assert mail.from_email == "sam@x.test" and mail.recipients == ["reply+tok1@reply.test"]
    assert mail.in_reply_to == "<tc.1@reply.test>" and mail.subject == "Re: Hi" and mail.text.strip() == "Yes."
    assert is_mail(mail)


def test_a_bare_delivery_status_block_is_mail_but_garbage_is_not():
    block = (
        b"Content-Type: message/delivery-status\nMIME-Version: 1.0\n\n"
        b"Final-Recipient: rfc822; a@x.test\nAction: failed\n"
    )

    assert is_mail(parse_email_leniently(block)[0])
    assert not is_mail(parse_email_leniently(b"\x00\xff\xfe\x80 not a mail")[0])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I am back on Monday 12 January.", date(2026, 1, 12)),
        ("Returning 3/2.", date(2026, 2, 3)),  # both readings future: the nearer one
        ("Out until 15.01.2026.", date(2026, 1, 15)),
        ("Out until 15.01.2028.", None),  # more than a year ahead: not an absence
        ("Ich bin bis zum 3. Februar nicht im Büro.", date(2026, 2, 3)),
        ("Je serai de retour le 5 février.", date(2026, 2, 5)),
        ("Estoy fuera hasta el 10 de enero.", date(2026, 1, 10)),
        ("Ik ben terug op 12 januari.", date(2026, 1, 12)),
        ("Rientro il 7 gennaio.", date(2026, 1, 7)),
        ("Volto em 9 de janeiro.", date(2026, 1, 9)),
        ("Wracam 14 stycznia.", date(2026, 1, 14)),
        ("Jag är tillbaka den 8 januari.", date(2026, 1, 8)),
        ("I am away from 20 January to 3 February.", date(2026, 2, 3)),
        ("Back on January 20th, 2026", date(2026, 1, 20)),
        ("Back 2026-01-21", date(2026, 1, 21)),
        ("Back on Friday", date(2026, 1, 9)),  # 5 January 2026 is a Monday
        ("Back on 2 January.", None),  # passed three days ago: not next year's
        ("Back on 4 January 2025.", None),  # in the past
        ("Thanks for your mail, I will answer soon.", None),
        ("3 out of 5 candidates", None),
    ],
)
def test_return_dates_are_read_in_many_languages_and_never_in_the_past(text, expected):
    assert return_date(text, today=TODAY) == expected
