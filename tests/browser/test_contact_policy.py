"""The bulk preview in a real browser says who is skipped and why, with a count per reason."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from candidates.models import Candidate
from candidates.privacy import candidate_unsubscribe
from messaging import outbox
from talentcircles.models import User

BODY = (
    'Hi {{ candidate.first_name }}, your work at {{ candidate.current_company|default:"your company" }} caught '
    "my eye; our platform team is solving a similar problem. Would you be open to a short call next week?"
)


def test_the_bulk_preview_lists_skip_reasons_and_counts(live_server, page, sign_in, artifact):
    katherine = Candidate.objects.get(email="katherine.johnson@example.com")  # replied to the demo; unanswered
    grace = Candidate.objects.get(email="grace.hopper@example.com")
    recruiter = User.objects.get(email="recruiter@demo.talentcircles.test")
    outbox.thread_start(
        org=grace.organization, candidate=grace, recruiter=recruiter, subject="Compilers",
        body="Hi Grace, your compiler work at Remington Rand is what our language tools team needs. A call?",
    )  # fmt: skip
    others = list(
        Candidate.objects.filter(organization=grace.organization)
        .exclude(pk__in=[katherine.pk, grace.pk])
        .contactable()
        .order_by("pk")[:2]
    )
    candidate_unsubscribe(candidate=others[1], source="recruiter")
    chosen = [katherine, grace, *others]
    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")

    # Tick the four on the candidate list and start a bulk message.
    page.goto(f"{live_server.url}/o/demo/candidates/?per_page=100")
    for person in chosen:
        page.locator(f"#select-{person.pk}").check()
    page.locator("#bulk-message").click()
    expect(page.locator("#bulk-audience")).to_contain_text("4 selected candidates")
    page.fill("#id_subject", "Our platform team")
    page.fill("#id_body", BODY)
    page.locator("#bulk-preview-button").click()
    expect(page).to_have_url(re.compile(r"/o/demo/messages/bulk/[^/]+/preview/$"))

    # The summary: one to send, three skipped, a count per reason; each row says why.
    expect(page.locator("[data-skipped]")).to_have_text("3 skipped")
    reasons = page.locator("#skip-reasons")
    expect(reasons.locator('[data-reason="in_conversation"]')).to_have_text("In a live conversation: 1")
    expect(reasons.locator('[data-reason="cooldown"]')).to_have_text("Contacted recently (cooldown): 1")
    expect(reasons.locator('[data-reason="unsubscribed"]')).to_have_text("Unsubscribed from all messages: 1")
    expect(page.locator(f"#recipient-{katherine.pk}")).to_contain_text("In a conversation with")
    expect(page.locator(f"#recipient-{katherine.pk}").get_by_role("link", name="Open the conversation")).to_be_visible()
    expect(page.locator(f"#recipient-{grace.pk}")).to_contain_text("Contacted by")
    expect(page.locator("#bulk-send")).to_have_text("Send 1 message")
    page.screenshot(path=str(artifact("contact-policy-bulk-preview.png")), full_page=True)
