"""A job's whole story in one real browser session, under the Content-Security-Policy (the `page` fixture
fails on any violation): a recruiter writes and opens a job and shares it to a circle; a member finds it on
the circle's page in the portal and raises a hand; the recruiter sees them on the job's board and drags them
to shortlisted, finds them again in "Who fits" with their reasons, and messages them about the job with the
job's fields in the message."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from candidates.services import candidate_update
from engagement.circles.community import community_join
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.jobs.outreach import JobOutreach
from engagement.circles.models import Circle
from messaging.models import Message
from talentcircles.models import Organization
from tests.browser.conftest import new_context
from tests.factories import PASSWORD, UserFactory

BODY = (
    "Hi {{ candidate.first_name }}, thank you for raising your hand for our {{ job.title }} role in "
    "{{ job.location }}. Your Kubernetes and Go work at {{ candidate.current_company }} is exactly what the "
    "team needs. The role is here: {{ job.url }}. Would twenty minutes on Thursday suit you to talk it over?"
)


def test_a_job_from_opening_to_a_message_to_the_member_who_raised_a_hand(
    live_server, page, sign_in, browser, csp_violations
):
    org = Organization.objects.get(slug="demo")
    circle = Circle.objects.get(organization=org, slug="backend-engineers")
    member = UserFactory(email="mia.member@example.org", first_name="Mia", last_name="Member")
    mia = community_join(org=org, user=member, profile={"first_name": "Mia", "last_name": "Member"},
                         messages_consent=True)  # fmt: skip
    candidate_update(candidate=mia, actor=None, data={"current_company": "Kubeworks", "city": "Berlin"},
                     skills=["Kubernetes", "Go"])  # fmt: skip

    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")
    job = _recruiter_opens_and_shares_a_job(page)
    _member_raises_a_hand_from_the_circle_page(browser, csp_violations, live_server.url, member.email, circle.pk)
    interest = JobInterest.objects.get(job=job, candidate=mia)
    assert (interest.source, interest.note) == ("portal", "I ran Kubernetes at scale.")

    # The recruiter sees her on the job's board and drags her to shortlisted.
    page.reload()
    page.get_by_role("link", name="Board", exact=True).click()
    board = page.locator("#pipeline-board")
    expect(board.locator('[data-stage-column="interested"]')).to_contain_text("Mia Member")
    board.locator(f"#card-{interest.pk}").drag_to(board.locator('[data-stage-column="shortlisted"] [data-cards]'))
    expect(board.locator('[data-stage-column="shortlisted"]').locator(f"#card-{interest.pk}")).to_be_visible()
    expect(page.locator("#pipeline-status")).to_have_text("Moved Mia Member to “Shortlisted”.")
    interest.refresh_from_db()
    assert interest.status == "shortlisted"

    # … and in "Who fits", with why, and messages her about the job.
    page.goto(f"{live_server.url}/o/demo/jobs/{job.pk}/")
    page.get_by_role("link", name="Who fits").click()
    expect(page.locator("#fits-table tbody tr", has_text="Mia Member")).to_contain_text("2 of 2 skills, in Berlin")
    page.get_by_label("Select Mia Member").check()
    page.get_by_role("button", name="Message selected").click()
    expect(page.locator("#bulk-audience")).to_contain_text("about the job “Platform Engineer”")
    page.fill("#id_subject", "{{ job.title }} at {{ organization.name }}")
    page.fill("#id_body", BODY)
    page.get_by_role("button", name="Preview each message").click()
    expect(page.locator("pre.tc-preview-body").first).to_contain_text("our Platform Engineer role in Berlin")
    page.locator("#bulk-send").click()

    message = Message.objects.get(candidate=mia, direction="out")
    assert message.subject.startswith("Platform Engineer at ")
    assert f"/c/demo/jobs/{job.slug}/" in message.body_text
    assert JobOutreach.objects.filter(job=job, thread_id=message.thread_id).exists()


def _recruiter_opens_and_shares_a_job(page: Page) -> Job:
    page.get_by_role("link", name="Jobs", exact=True).first.click()
    page.get_by_role("link", name="Add the first job").click()
    page.fill("#id_title", "Platform Engineer")
    page.fill("#id_description", "Run the **platform** our teams deploy to.")
    page.fill("#id_locations", "Berlin")
    page.fill("#id_skills", "Kubernetes, Go")
    page.get_by_role("button", name="Save as draft").click()
    page.get_by_role("button", name="Open the job").click()
    expect(page.locator("#job-status")).to_contain_text("Open")
    page.locator("#job-sharing").get_by_label("Backend Engineers").check()
    page.get_by_role("button", name="Save sharing").click()
    expect(page.locator("body")).to_contain_text("Shared to “Backend Engineers”.")
    return Job.objects.get(title="Platform Engineer")


def _member_raises_a_hand_from_the_circle_page(browser, csp_violations, url: str, email: str, circle_pk: int):
    context = new_context(browser, {"width": 1280, "height": 800}, csp_violations)
    portal = context.new_page()
    try:
        portal.goto(url + "/accounts/login/")
        portal.fill("input[name=login]", email)
        portal.fill("input[name=password]", PASSWORD)
        portal.locator("form").filter(has=portal.locator("input[name=password]")).locator("button[type=submit]").click()
        portal.wait_for_load_state()
        portal.goto(f"{url}/c/demo/circles/{circle_pk}/")
        portal.locator("#circle-jobs").get_by_role("link", name="Platform Engineer").click()
        portal.get_by_text("Add a note or a résumé (optional)").click()
        portal.get_by_label("A note for the recruiters (optional)").fill("I ran Kubernetes at scale.")
        portal.get_by_role("button", name="I'm interested").click()
        expect(portal.locator("#job-interest")).to_contain_text("You are interested")
    finally:
        context.close()
