"""Jobs in a real browser, under the Content-Security-Policy (the `page` fixture fails on any violation):
a recruiter writes and opens a job, and its public page carries JobPosting data the browser can read;
a job shared to a circle gets a member's raised hand, which the recruiter drags along the job's board."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from engagement.circles.community import community_join
from engagement.circles.jobs import services as jobs
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.models import Circle
from talentcircles.models import Membership, Organization
from tests.browser.conftest import new_context
from tests.factories import PASSWORD, UserFactory


def test_a_recruiter_opens_a_job_and_its_public_page_carries_job_posting_data(live_server, page, sign_in):
    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")
    page.get_by_role("link", name="Jobs", exact=True).first.click()
    expect(page.locator("#jobs-empty")).to_be_visible()
    page.get_by_role("link", name="Add the first job").click()
    page.fill("#id_title", "Platform Engineer")
    page.fill("#id_description", "Run the **platform**.")
    page.fill("#id_locations", "Berlin")
    page.select_option("#id_remote_policy", "hybrid")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.locator("#job-status")).to_contain_text("Draft")
    page.get_by_role("button", name="Open the job").click()
    expect(page.locator("#job-status")).to_contain_text("Open")

    page.get_by_role("link", name="its page in the community").click()
    expect(page.get_by_role("heading", name="Platform Engineer")).to_be_visible()
    posting = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert posting["@type"] == "JobPosting" and posting["title"] == "Platform Engineer"
    assert posting["jobLocation"][0]["address"]["addressLocality"] == "Berlin"
    assert Job.objects.get().status == Job.Status.OPEN


def test_a_recruiter_shares_a_job_a_member_raises_a_hand_and_is_dragged_to_shortlisted(
    live_server, page, sign_in, browser, csp_violations
):
    org = Organization.objects.get(slug="demo")
    recruiter = Membership.objects.filter(organization=org).first().user
    circle = Circle.objects.get(organization=org, slug="backend-engineers")
    job = jobs.job_open(
        job=jobs.job_create(
            org=org, actor=recruiter,
            data={"title": "Platform Engineer", "description": "Run the **platform**.", "locations": ["Berlin"]},
        )
    )  # fmt: skip
    member = UserFactory(email="mia.member@example.org", first_name="Mia", last_name="Member")
    candidate = community_join(org=org, user=member, profile={"first_name": "Mia", "last_name": "Member"},
                               messages_consent=True)  # fmt: skip

    # The recruiter opens the job and shares it to the circle.
    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")
    page.goto(f"{live_server.url}/o/demo/jobs/{job.pk}/")
    page.locator("#job-sharing").get_by_label("Backend Engineers").check()
    page.get_by_role("button", name="Save sharing").click()
    expect(page.locator("body")).to_contain_text("Shared to “Backend Engineers”.")

    # The member finds it on the circle's page and raises a hand with a note.
    context = new_context(browser, {"width": 1280, "height": 800}, csp_violations)
    portal = context.new_page()
    try:
        portal.goto(live_server.url + "/accounts/login/")
        portal.fill("input[name=login]", member.email)
        portal.fill("input[name=password]", PASSWORD)
        portal.locator("form").filter(has=portal.locator("input[name=password]")).locator("button[type=submit]").click()
        portal.wait_for_load_state()
        portal.goto(f"{live_server.url}/c/demo/circles/{circle.pk}/")
        portal.locator("#circle-jobs").get_by_role("link", name="Platform Engineer").click()
        portal.get_by_text("Add a note or a résumé (optional)").click()
        portal.get_by_label("A note for the recruiters (optional)").fill("I ran Kubernetes at scale.")
        portal.get_by_role("button", name="I'm interested").click()
        expect(portal.locator("#job-interest")).to_contain_text("You are interested")
    finally:
        context.close()
    interest = JobInterest.objects.get(job=job, candidate=candidate)
    assert (interest.source, interest.note) == ("portal", "I ran Kubernetes at scale.")

    # The recruiter sees them on the job's board and drags them to shortlisted.
    page.get_by_role("link", name="Board", exact=True).click()
    board = page.locator("#pipeline-board")
    expect(board.locator('[data-stage-column="interested"]')).to_contain_text("Mia Member")
    board.locator(f"#card-{interest.pk}").drag_to(board.locator('[data-stage-column="shortlisted"] [data-cards]'))
    expect(board.locator('[data-stage-column="shortlisted"]').locator(f"#card-{interest.pk}")).to_be_visible()
    expect(page.locator("#pipeline-status")).to_have_text("Moved Mia Member to “Shortlisted”.")
    interest.refresh_from_db()
    assert interest.status == "shortlisted"
