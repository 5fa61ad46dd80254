"""Parsing, cleaning, classification and detection of inbound mail, without the database."""

from __future__ import annotations

import base64

import pytest

from messaging.classify import classify_reply, is_out_of_office_subject
from messaging.inbound.cleaning import clean_reply
from messaging.inbound.detection import auto_reply_reason, detect_bounce
from messaging.inbound.parsing import MAX_PARTS, decode_bytes, parse_email
from messaging.models import MAX_BODY_CHARS
from tests.messaging.inbound_support import fixture_bytes

CLEANED = {
    "gmail_reply.eml": (
        "Hi Jane,\n\nThanks for reaching out. I'd love to hear more about the platform role \u2014 could we talk "
        "Thursday afternoon?\n\nSam"
    ),
    "outlook_reply.eml": (
        "Hello Jane,\n\nThank you \u2013 I\u2019m interested. Mornings are best for me next week.\n\n"
        "Kind regards,\nSam Smith\nSenior Engineer | Initech\n+44 20 7946 0958"
    ),
    "apple_mail_reply.eml": "Hi Jane,\n\nSounds interesting. Can you send me the job description first?\n\nSam",
    "iphone_reply.eml": "Yes, happy to chat. Call me after 5pm.",
    "android_reply.eml": "Not right now, thanks. I just accepted an offer elsewhere.",
    "outlook_mobile_reply.eml": "Sure, let's set up a call on Friday.",
    "html_only_reply.eml": "Hi Jane,\n\nI'm interested & available next week.\n\nSam",
    "latin1_qp_reply.eml": (
        "Bonjour Jane,\n\nOui, je suis tr\u00e8s int\u00e9ress\u00e9e. Pouvons-nous parler mardi \u00e0 10h ?"
        "\n\nRen\u00e9e"
    ),
    "koi8r_base64_reply.eml": "Здравствуйте, Джейн!\n\nДа, мне интересно. Давайте созвонимся в четверг.\n\nИван",  # noqa: RUF001
    "shift_jis_reply.eml": "ジェーン様\n\nご連絡ありがとうございます。ぜひ詳しくお話を伺いたいです。\n\n山田",
}


@pytest.mark.parametrize("name", sorted(CLEANED))
def test_each_client_style_is_cleaned_to_just_the_reply(name):
    parsed = parse_email(fixture_bytes(name, token="tok123"))

    assert clean_reply(parsed.text) == CLEANED[name]


def test_it_decodes_encoded_headers_in_any_charset():
    latin = parse_email(fixture_bytes("latin1_qp_reply.eml"))
    koi = parse_email(fixture_bytes("koi8r_base64_reply.eml"))
    sjis = parse_email(fixture_bytes("shift_jis_reply.eml"))

    assert latin.subject == "Rép. : Un poste chez Acme"
    assert latin.from_name == "Renée Dupré"
    assert koi.subject == "Ответ: вакансия в Acme"
    assert sjis.subject == "Re: Acmeの求人"


def test_it_reads_threading_headers_and_every_recipient():
    parsed = parse_email(fixture_bytes("iphone_reply.eml", token="tok123", message_id="<tc.abc@reply.test>"))

    assert parsed.message_id == "<A1B2C3D4-E5F6-4A5B-9C8D-7E6F5A4B3C2D@icloud.test>"
    assert parsed.in_reply_to == "<tc.abc@reply.test>"
    assert parsed.references == ["<tc.abc@reply.test>"]
    assert parsed.from_email == "sam@icloud.test"
    assert parsed.recipients == ["jane@acme.test", "reply+tok123@reply.test"]


def test_it_turns_html_only_mail_into_text_without_styles_or_quotes():
    parsed = parse_email(fixture_bytes("html_only_reply.eml"))

    assert "color: red" not in parsed.text
    assert "old text" not in parsed.text
    assert "I'm interested & available next week." in parsed.text


def test_quoted_lines_without_a_header_and_signatures_are_removed():
    text = "Works for me.\n\n> When can we talk?\n> Jane\n\n-- \nSam Smith\nhttps://sam.example"

    assert clean_reply(text) == "Works for me."


def test_a_sentence_starting_with_thanks_and_the_sign_off_are_kept():
    text = "Hi,\n\nThanks, that sounds like a great team and I want to apply.\n\nBest,\nSam"

    assert clean_reply(text) == text


def test_hyphen_lists_are_kept():
    assert (
        clean_reply("What I need:\n- remote work\n- a Python stack") == "What I need:\n- remote work\n- a Python stack"
    )


# Hostile and broken mail ------------------------------------------------------------------------


def test_an_unknown_charset_falls_back_to_utf8_then_latin1():
    utf8 = "From: a@b.test\nSubject: x\nContent-Type: text/plain; charset=x-klingon\n\nCafé ☕\n".encode()
    latin = b"From: a@b.test\nSubject: x\nContent-Type: text/plain; charset=x-klingon\n\nCaf\xe9 cr\xe8me\n"

    assert parse_email(utf8).text.strip() == "Café ☕"
    assert parse_email(latin).text.strip() == "Café crème"


def test_a_lying_charset_still_gives_text():
    lying = b"From: a@b.test\nSubject: x\nContent-Type: text/plain; charset=utf-8\n\nCaf\xe9 \x93quoted\x94\n"

    assert parse_email(lying).text.strip() == "Café \u201cquoted\u201d"


def test_decode_bytes_never_raises():
    assert decode_bytes(b"\xff\xfe\xfa", "utf-8") == "ÿþú"
    assert decode_bytes(b"plain", "no-such-charset") == "plain"
    assert decode_bytes(b"\x81", None) == "\x81"


def test_broken_base64_gives_what_it_can():
    body = base64.b64encode(b"Yes, I am interested in the role.").decode()
    raw = (
        "From: a@b.test\nSubject: x\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n"
        f"{body[:20]}!!**{body[20:-3]}\n"
    ).encode()

    assert parse_email(raw).text.startswith("Yes, I am interested in the ro")


def test_header_injection_in_the_subject_is_flattened_and_truncated():
    raw = (
        b"From: a@b.test\nSubject: =?utf-8?q?Hello=0D=0ABcc:_victim@example.com=0D=0A=0D=0Abody?= "
        + b"x" * 500
        + b"\n\nHi\n"
    )

    subject = parse_email(raw).subject

    assert "\r" not in subject and "\n" not in subject
    assert subject.startswith("Hello Bcc: victim@example.com body")
    assert len(subject) == 200


def test_ten_thousand_mime_parts_are_walked_only_up_to_the_cap():
    parts = "".join(f"--b\nContent-Type: text/plain\n\npart {n}\n" for n in range(10_000))
    raw = (
        f"From: a@b.test\nSubject: many\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n{parts}--b--\n"
    ).encode()

    parsed = parse_email(raw)  # how fast: benchmarks/inbound.py

    assert parsed.parts_truncated
    assert parsed.parts_walked == MAX_PARTS
    assert parsed.text.strip() == "part 0"


def test_a_huge_attachment_is_not_decoded():
    attachment = base64.encodebytes(b"\0" * (25 * 1024 * 1024)).decode()
    raw = (
        "From: a@b.test\nSubject: cv\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n"
        "--b\nContent-Type: text/plain\n\nMy CV is attached.\n"
        "--b\nContent-Type: application/pdf\nContent-Disposition: attachment; filename=cv.pdf\n"
        f"Content-Transfer-Encoding: base64\n\n{attachment}\n--b--\n"
    ).encode()

    parsed = parse_email(raw)

    assert parsed.text.strip() == "My CV is attached."


def test_a_huge_text_body_is_capped():
    raw = b"From: a@b.test\nSubject: long\n\n" + b"word " * 200_000

    assert len(clean_reply(parse_email(raw).text)) <= MAX_BODY_CHARS


def test_missing_headers_and_garbage_bytes_do_not_raise():
    for raw in (b"", b"\x00\xff\xfe garbage \x80\x81", b"no headers at all", b"Subject:\n\n", bytes(range(256)) * 40):
        parsed = parse_email(raw)
        assert parsed.message_id == "" or parsed.message_id.startswith("<")
        assert isinstance(clean_reply(parsed.text), str)


# Detection ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto_submitted.eml", "Auto-Submitted: auto-replied"),
        ("x_autoreply.eml", "X-Autoreply header"),
        ("x_autorespond.eml", "X-Autorespond header"),
        ("precedence_auto_reply.eml", "Precedence: auto_reply"),
        ("precedence_bulk.eml", "Precedence: bulk"),
        ("ooo_subject_only.eml", "out-of-office subject"),
        ("ooo_german_subject.eml", "out-of-office subject"),
    ],
)
def test_each_kind_of_auto_reply_is_recognised(name, reason):
    assert auto_reply_reason(parse_email(fixture_bytes(name))) == reason


@pytest.mark.parametrize("name", ["auto_submitted_no.eml", "gmail_reply.eml", "outlook_reply.eml"])
def test_a_person_writing_is_not_an_auto_reply(name):
    assert auto_reply_reason(parse_email(fixture_bytes(name))) == ""


def test_a_postfix_dsn_names_the_original_and_the_failed_recipient():
    raw = fixture_bytes("bounce_postfix.eml", token="tok123", message_id="<tc.1@reply.test>", recipient="gone@x.test")

    bounce = detect_bounce(parse_email(raw))

    assert bounce is not None and bounce.is_permanent
    assert bounce.original_message_id == "<tc.1@reply.test>"
    assert bounce.failed_recipient == "gone@x.test"
    assert bounce.status == "5.1.1"
    assert "reply+tok123@reply.test" in bounce.original_recipients
    assert "User unknown" in bounce.reason


def test_a_delayed_dsn_is_not_a_permanent_bounce():
    bounce = detect_bounce(parse_email(fixture_bytes("dsn_delayed.eml")))

    assert bounce is not None and not bounce.is_permanent


def test_a_bounce_with_the_original_attached_as_message_rfc822():
    raw = (
        b"From: postmaster@mx.test\nSubject: Undeliverable: A role\nMIME-Version: 1.0\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n'
        b"--r\nContent-Type: text/plain\n\nDelivery has failed.\n"
        b"--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns;mx.test\n\n"
        b"Final-Recipient: rfc822;lost@x.test\nAction: failed\nStatus: 5.2.2\n"
        b"Diagnostic-Code: smtp;552 mailbox full\n"
        b"--r\nContent-Type: message/rfc822\n\nMessage-ID: <tc.9@reply.test>\nTo: lost@x.test\nSubject: A role\n\nHi\n"
        b"--r--\n"
    )

    bounce = detect_bounce(parse_email(raw))

    assert bounce.original_message_id == "<tc.9@reply.test>"
    assert bounce.failed_recipient == "lost@x.test"
    assert bounce.reason == "lost@x.test: 5.2.2 552 mailbox full"


def test_an_ordinary_reply_is_not_a_bounce():
    assert detect_bounce(parse_email(fixture_bytes("gmail_reply.eml"))) is None


# Classification -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Yes, I'm interested!", "interested"),
        ("Sounds great, let's chat on Tuesday.", "interested"),
        ("I'd love to hear more about it.", "interested"),
        ("Tell me more.", "interested"),
        ("Not interested, thanks.", "not_interested"),
        ("No thanks.", "not_interested"),
        ("I'm happy in my current role.", "not_interested"),
        ("Please remove me from your list.", "opt_out"),
        ("Thanks, but I'm not looking right now.", "not_interested"),
        ("Who gave you my address?", "question"),
        ("Thanks, received.", "neutral"),
        ("", "neutral"),
    ],
)
def test_classify_reply(text, expected):
    assert classify_reply(text) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Out of Office: A platform role", True),
        ("Automatic reply: A platform role", True),
        ("OOO until Monday", True),
        ("Abwesenheitsnotiz: Ihre Nachricht", True),
        ("Réponse automatique : absent", True),
        ("Fuera de la oficina", True),
        ("Risposta automatica: fuori ufficio", True),
        ("Re: A platform role at Acme", False),
        ("Re: absent-minded engineers", False),
        ("", False),
    ],
)
def test_is_out_of_office_subject(subject, expected):
    assert is_out_of_office_subject(subject) is expected
