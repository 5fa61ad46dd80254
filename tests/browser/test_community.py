"""The talent community in a real browser: a candidate's whole journey, and the recruiter's side of circles."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from candidates.models import Candidate, ConsentRecord
from engagement.circles import services as circles
from engagement.circles.models import Circle, CircleMembership, Post, Rsvp
from talentcircles.models import Membership, Organization


def test_a_candidate_joins_verifies_rsvps_sets_preferences_downloads_and_erases(
    live_server, page, demo, artifact, settings
):
    settings.SITE_URL = live_server.url  # e-mailed links point at SITE_URL
    org = Organization.objects.get(slug="demo")
    circle = Circle.objects.get(organization=org, slug="backend-engineers")
    recruiter = Membership.objects.filter(organization=org).first().user
    starts = (timezone.now() + timedelta(days=10)).replace(second=0, microsecond=0)
    event = circles.post_create(
        org=org,
        circle=circle,
        author=recruiter,
        data={"kind": "event", "title": "Backend meetup", "body": "Talks and **pizza**.", "starts_at": starts,
              "ends_at": starts + timedelta(hours=2), "location": "1 Main Street", "capacity": 30},
    )  # fmt: skip
    circles.post_publish(post=event)
    base = f"{live_server.url}/c/demo"

    # The landing page, without signing in.
    page.goto(f"{base}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Acme Talent Community")
    expect(page.locator("body")).to_contain_text("Backend meetup")
    page.screenshot(path=str(artifact("community-landing.png")), full_page=True)
    page.get_by_role("link", name="Join the community").click()

    # Join: account, profile, consents.
    page.fill("#id_email", "ada.lovelace@example.org")
    page.fill("#id_password1", "an-analytical-engine-42")
    page.fill("#id_password2", "an-analytical-engine-42")
    page.fill("#id_first_name", "Ada")
    page.fill("#id_last_name", "Lovelace")
    page.fill("#id_headline", "Writes programs for engines")
    page.fill("#id_city", "London")
    page.fill("#id_country_code", "GB")
    page.check("#id_consent_terms")
    page.check("#id_consent_messages")
    page.screenshot(path=str(artifact("community-join.png")), full_page=True)
    page.get_by_role("button", name="Join the community").click()
    expect(page.locator("body")).to_contain_text("Verify Your Email Address")
    candidate = Candidate.objects.get(organization=org, email="ada.lovelace@example.org")
    assert candidate.source == "portal" and candidate.consents.count() == 2

    # Verify the address with the link from the e-mail: the candidate is signed in and lands on their circles.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    expect(page).to_have_url(f"{base}/circles/")

    # Join a circle, then answer the event and take it to the calendar.
    page.get_by_role("button", name="Join Backend Engineers").click()
    expect(page.locator("#my-circles")).to_contain_text("Backend Engineers")
    page.get_by_role("link", name="Events").click()
    expect(page.locator(f"#event-{event.pk}")).to_contain_text("0 of 30 seats taken")
    page.get_by_role("button", name="I'm going to Backend meetup").click()
    expect(page.locator(f"#event-{event.pk}")).to_contain_text("You are going")
    assert Rsvp.objects.get(post=event, candidate=candidate).response == "yes"
    with page.expect_download() as download:
        page.locator(f"#event-{event.pk}").get_by_role("link", name=re.compile("Add to calendar")).click()
    assert download.value.suggested_filename == "backend-meetup.ics"
    assert b"SUMMARY:Backend meetup" in Path(download.value.path()).read_bytes()
    page.screenshot(path=str(artifact("community-events.png")), full_page=True)

    # Preferences: a monthly digest.
    page.get_by_role("link", name="Preferences").click()
    page.get_by_label("Monthly").check()
    page.get_by_role("button", name="Save preferences").click()
    candidate.refresh_from_db()
    assert candidate.digest_frequency == "monthly"

    # Download everything held, then erase the account.
    page.get_by_role("link", name="My data").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["profile"]["email"] == "ada.lovelace@example.org"
    assert {c["purpose"] for c in data["consents"]} == {"community_terms", "messages"}
    page.get_by_role("link", name="Erase my account").click()
    page.get_by_label("Type ERASE to confirm").fill("ERASE")
    page.get_by_role("button", name="Erase my account").click()
    expect(page).to_have_url(f"{base}/my-data/erased/")
    candidate.refresh_from_db()
    assert candidate.erased_at is not None and candidate.email == "" and candidate.user is None
    assert ConsentRecord.objects.filter(candidate=candidate, ip_address__isnull=False).count() == 0


def test_a_recruiter_creates_a_circle_adds_candidates_in_bulk_and_publishes_a_post(live_server, page, sign_in):
    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")
    page.get_by_role("link", name="Circles", exact=True).click()
    page.get_by_role("link", name="New circle").click()
    page.fill("#id_name", "Compiler people")
    page.fill("#id_description", "Everyone who enjoys parsers.")
    page.get_by_label(re.compile("^Public")).check()
    page.get_by_role("button", name="Create circle").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Compiler people")
    circle = Circle.objects.get(name="Compiler people")
    assert circle.visibility == "public"

    # From the candidate list: tick two people and add them to the circle.
    page.goto(f"{live_server.url}/o/demo/candidates/")
    boxes = page.locator("#candidate-results input[name=selected]")
    chosen = [int(boxes.nth(i).get_attribute("value")) for i in range(2)]
    for i in range(2):
        boxes.nth(i).check()
    page.select_option("#bulk-circle", label="Compiler people")
    page.locator("#bulk-add-to-circle").click()
    expect(page.locator(".tc-messages")).to_contain_text("Added 2 candidates to “Compiler people”")
    assert set(CircleMembership.objects.filter(circle=circle).values_list("candidate_id", flat=True)) == set(chosen)

    # Write and publish a post.
    page.goto(f"{live_server.url}/o/demo/circles/{circle.pk}/")
    expect(page.locator("#member-count")).to_have_text("2")
    page.get_by_role("link", name="Write a post").click()
    page.fill("#id_title", "Parser night")
    page.fill("#id_body", "Bring your **favourite** grammar.")
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator("#post-status")).to_contain_text("Published")
    expect(page.locator(".tc-post-body strong")).to_have_text("favourite")
    assert Post.objects.get(circle=circle).status == "published"
