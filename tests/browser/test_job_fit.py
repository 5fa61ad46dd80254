"""Who fits a job, in a real browser under the Content-Security-Policy: a recruiter opens "Who fits" on a
job, selects the person who fits and messages them about the job with {{ job.title }} in the message."""

from __future__ import annotations

from playwright.sync_api import expect

from candidates.services import candidate_create
from engagement.circles.jobs.outreach import JobOutreach
from engagement.circles.jobs.services import job_create, job_open
from messaging.models import Message
from talentcircles.models import Organization, User

BODY = (
    "Hi {{ candidate.first_name }}, your work on trajectories at {{ candidate.current_company }} is why I am "
    "writing: we are hiring a {{ job.title }} in {{ job.location }}, where {{ job.skills }} matter every day. "
    "The role is here: {{ job.url }}. Would you have twenty minutes next week to talk about it?"
)


def test_a_recruiter_messages_who_fits_about_the_job(live_server, page, sign_in):
    org = Organization.objects.get(slug="demo")
    recruiter = User.objects.get(email="recruiter@demo.talentcircles.test")
    job = job_create(
        org=org, actor=recruiter,
        data={"title": "Flight Software Engineer", "description": "Trajectories.", "locations": ["Hampton"],
              "skills": ["Orbital Mechanics", "Fortran", "Numerical Analysis"]},
    )  # fmt: skip
    job_open(job=job)
    # Someone nobody has written to yet (the demo's Katherine Johnson fits too, but is in a conversation).
    candidate_create(
        org=org, actor=None,
        data={"first_name": "Mae", "last_name": "Carter", "email": "mae.carter@example.com",
              "current_title": "Trajectory Engineer", "current_company": "JPL", "city": "Hampton"},
        skills=["Orbital Mechanics", "Fortran", "Numerical Analysis", "Python"],
    )  # fmt: skip
    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")
    page.goto(f"{live_server.url}/o/demo/jobs/{job.pk}/")
    page.get_by_role("link", name="Who fits").click()
    mae = page.locator("#fits-table tbody tr", has_text="Mae Carter")
    expect(mae).to_contain_text("3 of 3 skills, in Hampton")
    expect(page.locator("#fits-table tbody tr", has_text="Katherine Johnson")).to_contain_text("Not now")
    page.get_by_label("Select Mae Carter").check()
    page.get_by_role("button", name="Message selected").click()

    expect(page.locator("#bulk-audience")).to_contain_text("about the job “Flight Software Engineer”")
    page.fill("#id_subject", "{{ job.title }} at {{ organization.name }}")
    page.fill("#id_body", BODY)
    page.get_by_role("button", name="Preview each message").click()
    expect(page.locator("pre.tc-preview-body").first).to_contain_text(
        "we are hiring a Flight Software Engineer in Hampton"
    )
    page.locator("#bulk-send").click()

    message = Message.objects.get(candidate__email="mae.carter@example.com", direction="out")
    assert message.subject.startswith("Flight Software Engineer at ")
    assert "hiring a Flight Software Engineer in Hampton" in message.body_text
    assert f"/c/demo/jobs/{job.slug}/" in message.body_text
    assert JobOutreach.objects.filter(job=job, thread_id=message.thread_id).exists()
