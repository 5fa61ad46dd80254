"""Jobs in a real browser, under the Content-Security-Policy (the `page` fixture fails on any violation):
a recruiter writes and opens a job, and its public page carries JobPosting data the browser can read.
The whole story, from opening a job to messaging a member who raised a hand, is test_job_story.py."""

from __future__ import annotations

import json

from playwright.sync_api import expect

from engagement.circles.jobs.models import Job


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
