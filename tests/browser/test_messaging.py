"""Messaging in a real browser: compose a personal message with the live check, send it, get a reply."""

from __future__ import annotations

import re

from django.conf import settings
from django.core import mail
from playwright.sync_api import expect

from candidates.models import Candidate
from messaging.inbound.ingest import ingest_raw
from messaging.models import Message, Thread

GENERIC = "Hi there, I have an exciting opportunity for you. Let me know if you are interested."
PERSONAL = (
    " Your work on compilers at Remington Rand, and how you mentor junior engineers, is exactly what our "
    "language tools team needs. Would you be open to a 20-minute call next week?"
)


def score(page) -> int:
    return int(page.locator("#check-score").get_attribute("data-score"))


def test_a_recruiter_writes_a_personal_message_and_sees_the_reply(live_server, page, sign_in, artifact):
    grace = Candidate.objects.get(email="grace.hopper@example.com")
    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")

    # From the candidate's page to the composer.
    page.goto(f"{live_server.url}/o/demo/candidates/{grace.pk}/")
    page.get_by_role("link", name="Message", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/o/demo/messages/new/\?candidate={grace.pk}$"))
    expect(page.get_by_role("heading", name="Message Grace Hopper")).to_be_visible()
    page.fill("#id_subject", "A role on our team")

    # A generic draft: the check answers while typing (debounced htmx) with a low score and the finding.
    body = page.locator("#id_body")
    body.press_sequentially(GENERIC, delay=2)
    expect(page.locator('#check-findings [data-code="generic"]')).to_be_visible()
    generic_score = score(page)
    page.screenshot(path=str(artifact("messaging-compose-generic.png")), full_page=True)

    # Mention her company and work: the score rises and the "generic" finding goes.
    body.press_sequentially(PERSONAL, delay=2)
    expect(page.locator('#check-findings [data-code="generic"]')).to_have_count(0)
    expect(page.locator("#check-score")).not_to_have_attribute("data-score", str(generic_score))
    assert score(page) > generic_score
    page.screenshot(path=str(artifact("messaging-compose-personal.png")), full_page=True)

    # Send: the thread page, the message delivered through the (in-memory) e-mail backend.
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page).to_have_url(re.compile(r"/o/demo/messages/\d+/$"))
    expect(page.locator(".tc-messages")).to_contain_text("Message to Grace Hopper queued for sending.")
    thread = Thread.objects.get(candidate=grace)
    sent = thread.messages.get()
    assert sent.status == Message.Status.SENT
    to_grace = [m for m in mail.outbox if m.to == ["grace.hopper@example.com"]]
    assert len(to_grace) == 1 and "Remington Rand" in to_grace[0].body

    # Grace answers by e-mail: the mail is ingested in-process, matched by the thread's reply address.
    raw = (
        "From: Grace Hopper <grace.hopper@example.com>\r\n"
        f"To: reply+{thread.reply_token}@{settings.INBOUND_EMAIL_DOMAIN}\r\n"
        "Subject: Re: A role on our team\r\n"
        "Message-ID: <grace-answer-1@example.com>\r\n"
        f"In-Reply-To: {sent.message_id_header}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Happy to talk, Tuesday afternoon works for me.\r\n\r\n"
        "On Mon, Demo Recruiter wrote:\r\n> Hi there, I have an exciting opportunity for you.\r\n"
    ).encode()
    ingest_raw(raw)

    page.reload()
    messages = page.locator("#thread-messages")
    expect(messages.locator('[data-direction="in"]')).to_contain_text("Happy to talk, Tuesday afternoon works for me.")
    expect(messages.locator('[data-direction="in"]')).not_to_contain_text("exciting opportunity")
    expect(messages.locator('[data-direction="out"] [data-status-badge]')).to_have_text("Sent")
    page.screenshot(path=str(artifact("messaging-thread.png")), full_page=True)

    # The conversations list marks it replied; the candidate's timeline shows the send and the reply.
    page.get_by_role("link", name="Messages", exact=True).first.click()
    expect(page.locator(f"#thread-{thread.pk}")).to_contain_text("Replied")
    page.goto(f"{live_server.url}/o/demo/candidates/{grace.pk}/")
    timeline = page.locator("#timeline-items")
    expect(timeline).to_contain_text("Replied by e-mail to “Re: A role on our team”")
    expect(timeline).to_contain_text("Sent “A role on our team”")
    expect(page.locator("#candidate-conversations")).to_contain_text("A role on our team")
    page.screenshot(path=str(artifact("messaging-timeline.png")), full_page=True)
