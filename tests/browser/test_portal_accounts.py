"""A candidate's sign-up, e-mail confirmation and sign-in stay in the organisation's brand, in a real browser."""

from __future__ import annotations

import re
from email.utils import parseaddr

from django.core import mail
from playwright.sync_api import expect

from tests.factories import OrganizationFactory

PASSWORD = "an-analytical-engine-42"


def test_a_candidate_joins_confirms_from_the_email_and_signs_in_all_in_the_organisations_brand(
    live_server, page, settings, transactional_db, artifact
):
    settings.SITE_URL = live_server.url  # e-mailed links point at SITE_URL
    org = OrganizationFactory(name="Initech", slug="initech", brand_color="#aa3300", sender_name="Initech Careers")
    brand = "rgb(170, 51, 0)"
    bar = page.locator("nav.tc-portal-bar")
    recruiter_sign_up = page.locator('a[href="/accounts/signup/"]')

    page.goto(f"{live_server.url}/c/initech/")
    page.get_by_role("link", name="Join the community").click()
    page.fill("#id_email", "ada.lovelace@example.org")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Lovelace")
    page.check("#id_consent_terms")
    page.get_by_role("button", name="Join the community").click()

    # "Check your inbox" in Initech's colours and navigation, naming the sender to look for.
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify Your Email Address")
    expect(bar).to_contain_text("Initech")
    expect(bar).to_have_css("background-color", brand)
    expect(page.locator("main")).to_contain_text("an e-mail from Initech Careers")
    expect(recruiter_sign_up).to_have_count(0)
    expect(page).to_have_title(re.compile(r"· Initech$"))
    page.screenshot(path=str(artifact("portal-check-your-inbox.png")), full_page=True)

    (message,) = mail.outbox
    assert parseaddr(message.from_email)[0] == "Initech Careers" and "Initech" in message.subject
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)
    assert link.startswith(live_server.url) and link.endswith("?portal=initech")

    # The link opened on another device (no session): a branded confirmation, then a branded sign-in.
    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Email Address")
    expect(bar).to_have_css("background-color", brand)
    expect(recruiter_sign_up).to_have_count(0)
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to the Initech community")
    expect(bar).to_have_css("background-color", brand)
    expect(recruiter_sign_up).to_have_count(0)
    expect(page.get_by_role("link", name="Join the Initech community")).to_be_visible()
    page.screenshot(path=str(artifact("portal-sign-in.png")), full_page=True)
    page.fill("input[name=login]", "ada.lovelace@example.org")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main form").get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(f"{live_server.url}/c/initech/circles/")
    expect(bar).to_contain_text("My circles")
    assert org.candidates.get().email == "ada.lovelace@example.org"
