"""Reply cleaning: the clients' own quote headers, what is kept (sign-offs, lists, forwards, answers
between quotes), what is cut (signatures, footers), and a 1 MB mail.

Our own mail, in the styles of the clients the public test mail comes from.
"""

# ruff: noqa: RUF001 -- the mail is written in the languages it tests
from __future__ import annotations

import pytest

from messaging.inbound.cleaning import clean_reply
from messaging.models import MAX_BODY_CHARS

QUOTE = "> Hi Sam,\n> Your work on the payments platform caught my eye.\n> Jane\n"

CLIENT_HEADERS = {
    "Gmail": "On Mon, Jan 6, 2025 at 10:00\u202fAM Jane Recruiter <jane@acme.test> wrote:",
    "Gmail, wrapped inside the address": "On Mon, Jan 6, 2025 at 10:00 AM Jane Recruiter <\njane@acme.test> wrote:",
    "Gmail in German, name first": "Jane Recruiter <jane@acme.test> schrieb am Mo., 6. Jan. 2025, 10:00:",
    "Gmail, older, date first": "2025-01-06 10:00 GMT+01:00 Jane Recruiter <\njane@acme.test>:",
    "Apple Mail": "On 6 Jan 2025, at 10:00, Jane Recruiter <jane@acme.test> wrote:",
    "Apple Mail in Japanese": "2025/01/06 10:00、Jane Recruiter <jane@acme.test>のメール:",
    "Thunderbird": "On 06/01/2025 10:00, Jane Recruiter wrote:",
    "Thunderbird, no date": "Jane Recruiter wrote:",
    "Android": "---- Jane Recruiter wrote ----",
    "Android in Russian": '06.01.2025 10:00 пользователь "Jane Recruiter" <\njane@acme.test> написал:',
    "Samsung": "Sent from Samsung Mobile Jane Recruiter <jane@acme.test> wrote:",
    "Polymail": "On Mon, Jan 6, 2025 at 10:00 AM Jane Recruiter\n\n<\nmailto:Jane Recruiter <jane@acme.test>\n> wrote:",
    "Yahoo": "--- On Mon, 1/6/25, Jane Recruiter <jane@acme.test> wrote:",
    "mail.ru": "Пн, 6 янв 2025 10:00 +03:00 от Jane Recruiter <jane@acme.test>:",
    "Yandex": '06.01.2025, 10:00, "Jane Recruiter" <jane@acme.test>:',
    "Swedish, older": "Den 6 januari 2025 10:00:18, Jane Recruiter (jane@acme.test) skrev:",
    "Norwegian, older": "På 6. januar 2025 på 10:00:18, Jane Recruiter (jane@acme.test) skrev:",
    "Dutch, Apple": "Op 6-jan.-2025, om 10:00 heeft Jane Recruiter <jane@acme.test> het volgende geschreven:",
    "Portuguese, Outlook.com": "Em 06/01/2025 10:00, Jane Recruiter escreveu:",
    "Thunderbird in German": "Am 06.01.25 um 10:00 schrieb Jane Recruiter:",
    "Thunderbird in Dutch": "Op 06-01-2025 om 10:00 schreef Jane Recruiter:",
    "Thunderbird in Swedish": "Den 2025-01-06 kl. 10:00, skrev Jane Recruiter:",
    "Thunderbird in Polish": "W dniu 6.01.2025 o 10:00, Jane Recruiter pisze:",
    "Thunderbird in Portuguese": "Às 10:00 de 06/01/2025, Jane Recruiter escreveu:",
}


@pytest.mark.parametrize("client", sorted(CLIENT_HEADERS))
def test_each_clients_quote_header_goes_with_the_quote(client):
    text = f"Yes, Thursday works.\n\n{CLIENT_HEADERS[client]}\n\n{QUOTE}"

    assert clean_reply(text) == "Yes, Thursday works."


@pytest.mark.parametrize("client", sorted(CLIENT_HEADERS))
def test_an_answer_under_each_clients_quote_is_kept(client):
    text = f"{CLIENT_HEADERS[client]}\n{QUOTE}\nYes, Thursday works.\n"

    assert clean_reply(text) == "Yes, Thursday works."


def test_a_japanese_header_right_after_the_answer_goes():
    text = "はい、興味があります。2025年1月6日(月) 10:00 Jane Recruiter <jane@acme.test>:\n> お電話できますか？\n"

    assert clean_reply(text) == "はい、興味があります。"


@pytest.mark.parametrize(
    ("answer", "header"),
    [
        ("Am Montag passt es.", "Am 06.01.25 um 10:00 schrieb Jane Recruiter:"),
        ("Le poste m'intéresse.", "Le 06/01/2025 à 10:00, Jane Recruiter a écrit :"),
        ("On Monday I can talk.", "On Monday, 06/01/2025 10:00, Jane Recruiter <jane@acme.test> wrote:"),
    ],
)
def test_an_answer_that_starts_like_a_header_keeps_its_words_when_the_header_shares_its_line(answer, header):
    assert clean_reply(f"{answer} {header}\n> Hallo\n") == answer


def test_a_header_that_shares_the_answers_line_behind_dashes_goes():
    text = "Sounds good--- On Mon, Jan 6, 2025 at 10:00 AM, jane@acme.test wrote:\n> Hi\n"

    assert clean_reply(text) == "Sounds good"


def test_quoted_outlook_fields_go_too():
    text = "Hello\n\n> Subject: A role\n> From: jane@acme.test\n> Date: Mon, 6 Jan 2025 10:00:00 +0100\n>\n> Hi Sam\n"

    assert clean_reply(text) == "Hello"


def test_a_bold_outlook_block_with_a_wrapped_field_goes():
    text = (
        "Hi\n\n  *From:* Jane Recruiter [mailto:\n  jane@acme.test]\n  *Sent:* Monday, January 6, 2025 10:00 AM\n"
        "  *To:* sam@initech.test\n  *Subject:* A role\n\nHi Sam\n"
    )

    assert clean_reply(text) == "Hi"


def test_an_outlook_block_turned_from_html_with_blank_lines_between_fields_goes():
    text = (
        "Hi. I am fine.\n\nThanks,\n\nSam\n\nFrom:\nJane Recruiter [mailto:jane@acme.test]\n\n"
        "Sent: Monday, January 6, 2025 10:00\nAM\n\nTo: Sam\n\nSubject: A role\n\nHello! How are you?"
    )

    assert clean_reply(text) == "Hi. I am fine.\n\nThanks,\n\nSam"


def test_nested_quotes_and_the_answer_after_them():
    text = (
        "Test reply\nOn 04/19/2011 07:10 AM, Jane Recruiter wrote:\n\n>Test test\n"
        ">On 04/19/2011 07:10 AM, Sam wrote:\n>\n>> Earlier\n\nRegards, Sam"
    )

    assert clean_reply(text) == "Test reply\n\nRegards, Sam"


def test_a_link_broken_out_of_a_quote_does_not_leak():
    text = "Blah\n\nOn Mon, Jan 6, 2025 at 10:00 AM, Jane wrote:\n\n> View the role (http://acme.test/jobs/1?\n_ref=42)\n>\n"

    assert clean_reply(text) == "Blah"


# Signatures, footers and sign-offs ----------------------------------------------------------------


def test_a_delimited_signature_is_cut_and_a_dash_inside_a_line_is_not():
    text = "This is a fix -- not a signature.\n\n-- \nSam Candidate\nhttps://sam.example\n"

    assert clean_reply(text) == "This is a fix -- not a signature."


def test_a_signature_under_a_bottom_posted_answer_is_cut():
    text = f"On Mon, Jan 6, 2025 at 10:00 AM Jane <jane@acme.test> wrote:\n{QUOTE}\nYes, please.\n--\nSam\n"

    assert clean_reply(text) == "Yes, please."


@pytest.mark.parametrize(
    "footer",
    [
        "Sent from my iPhone",
        "Sent from my Samsung Galaxy smartphone.",
        "Sent from Yahoo Mail on Android",
        "Sent with Sparrow (http://www.sparrowmailapp.com/?sig)",
        "Get Outlook for Android<https://aka.ms/ghei36>",
        "Gesendet von Mail für Windows",
        "Envoyé de mon iPad",
        "Inviato dal mio Samsung Galaxy",
        "Verstuurd vanaf mijn iPhone",
        "Отправлено из мобильной Почты Mail.ru",
    ],
)
def test_a_phone_or_app_footer_is_cut(footer):
    assert clean_reply(f"Yes, Thursday works.\n\n{footer}\n\n{CLIENT_HEADERS['Gmail']}\n{QUOTE}") == (
        "Yes, Thursday works."
    )


def test_a_footer_and_a_name_under_it_are_cut_at_the_end():
    assert clean_reply("Yes, Thursday works.\n\nSent from my iPhone\nSam") == "Yes, Thursday works."


@pytest.mark.parametrize(
    "text",
    [
        "Here is another email\n\nSent from my desk, is much easier than my mobile phone.",
        "Sent from my phone earlier: did you get it?\n\nI can also do Friday.",
        "Sent from my iPhone\n\nActually, one more thing: I need a visa sponsorship, is that possible?",
    ],
)
def test_a_sentence_that_starts_like_a_footer_is_kept(text):
    assert clean_reply(text) == text


@pytest.mark.parametrize(
    "sign_off",
    [
        "Thanks,\nAlex",
        "Best regards,\nJane Doe\nSenior Engineer | Initech\n+44 20 7946 0958",
        "Cheers!",
        "-Abhishek Kona",
        "Regards, Roman",
    ],
)
def test_sign_offs_are_kept(sign_off):
    text = f"Hi. I am fine.\n\n{sign_off}\n\n{CLIENT_HEADERS['Gmail']}\n{QUOTE}"

    assert clean_reply(text) == f"Hi. I am fine.\n\n{sign_off}"


def test_a_line_starting_with_thanks_is_never_taken_for_the_end():
    text = "Hi Jane,\nThanks!\nYes, I'm interested. Call me tomorrow.\nSam"

    assert clean_reply(text) == text


# What stays ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "What I need:\n- remote work\n- a Python stack",
        "On your remote host you can run:\n\n     telnet 127.0.0.1 52698\n\nThen it connects.",
        "On Monday I wrote:\nthe report is done.",
        "In 2020 I wrote: a book about payments.",
        "On 6 January I wrote to HR:\nthey confirmed the start date.",
        "Blah-blah-blah\nOn blah-blah-blah",
        "Response\n\n10/19/2017 @ 9:30 am works\n1517 4th Avenue Ste 300\nLondon",
        "Visit us at <http://link1> <http://link2>",
        "The move would be:\nFrom: London\nTo: Berlin\nWhen: in the spring",
    ],
)
def test_text_that_only_looks_like_history_is_kept(text):
    assert clean_reply(text) == text


def test_an_answer_line_ending_in_an_address_just_above_a_quote_is_kept():
    text = "Call me on 020 7946 0958 or write to <sam@initech.test>\n> When can we talk?\n"

    assert clean_reply(text) == "Call me on 020 7946 0958 or write to <sam@initech.test>"


def test_a_forwarded_message_is_kept_whole():
    text = (
        "FYI, my reference:\n\n---------- Forwarded message ----------\nFrom: bob@initech.test\n"
        "Date: Mon, Jan 6, 2025 at 10:00 AM\nSubject: Reference\nTo: sam@initech.test\n\nSam was great."
    )

    assert clean_reply(text) == text


def test_a_forward_inside_the_quoted_history_goes_with_it():
    text = "Blah\n\n-----Original Message-----\n\nFYI\n\n---------- Forwarded message ----------\nFrom: bob@x.test\n"

    assert clean_reply(text) == "Blah"


def test_a_reply_that_is_only_quoted_history_is_not_stored_empty():
    assert clean_reply("On Mon, Jan 6, 2025 at 10:00 AM Jane <jane@acme.test> wrote:\n> Hi Sam\n") != ""


def test_windows_and_old_mac_line_breaks_are_read():
    text = "Yes.\r\n\r\nOn Mon, Jan 6, 2025 at 10:00 AM Jane <jane@acme.test> wrote:\r\n> Hi\r\n"

    assert clean_reply(text) == "Yes."
    assert clean_reply(text.replace("\r\n", "\r")) == "Yes."


# A 1 MB mail (its speed is measured in benchmarks/reply_cleaning.py) ---------------------------------

MEGABYTE = 1_000_000
QUOTED_LINE = "> Your work on the payments platform caught my eye; we are growing a small team.\n"


def test_a_1_mb_top_posted_reply_is_cleaned_to_its_answer():
    text = "Yes, Thursday works.\n\n" + CLIENT_HEADERS["Gmail"] + "\n" + QUOTED_LINE * (MEGABYTE // len(QUOTED_LINE))

    assert clean_reply(text) == "Yes, Thursday works."


def test_an_answer_under_1_mb_of_quoted_history_is_kept():
    text = CLIENT_HEADERS["Gmail"] + "\n" + QUOTED_LINE * (MEGABYTE // len(QUOTED_LINE)) + "\nYes, Thursday works.\n"

    assert clean_reply(text) == "Yes, Thursday works."


def test_1_mb_of_answer_is_kept_up_to_the_body_limit():
    line = "I would be happy to talk about the role: here are my thoughts on it (in order).\n"

    assert clean_reply(line * (MEGABYTE // len(line))) == (line * 1000)[:MAX_BODY_CHARS].strip()
