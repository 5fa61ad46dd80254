"""Sequences in a real browser: build three steps, enrol a circle, send, reply, and the follow-up is not sent."""

from __future__ import annotations

from django.conf import settings
from playwright.sync_api import expect

from engagement.circles.models import CircleMembership
from engagement.sequences.dispatcher import dispatch_due
from engagement.sequences.models import Enrollment, Sequence
from messaging.inbound.ingest import ingest_raw
from messaging.models import Message, Thread
from talentcircles.models import Organization
from tests.factories import CandidateFactory, CircleFactory, MessageTemplateFactory

FIRST_BODY = (
    "Hi {{ candidate.first_name }},\n\nYour work as {{ candidate.current_title }} caught my eye. Would you be "
    "open to a short call about a backend role on our team?\n\n{{ recruiter.first_name }}"
)


def _reply_email(thread: Thread, first: Message) -> bytes:
    return (
        f"From: {thread.candidate.full_name} <{thread.candidate.email}>\r\n"
        f"To: reply+{thread.reply_token}@{settings.INBOUND_EMAIL_DOMAIN}\r\n"
        f"Subject: Re: {first.subject}\r\n"
        f"Message-ID: <answer-{thread.pk}@candidate.example.net>\r\n"
        f"In-Reply-To: {first.message_id_header}\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        "Yes, happy to talk next week!\r\n"
    ).encode()


def test_a_reply_to_the_first_message_stops_the_sequence_before_the_follow_up(live_server, page, sign_in, artifact):
    org = Organization.objects.get(slug="demo")
    recruiter = org.memberships.get(user__email="recruiter@demo.talentcircles.test").user
    MessageTemplateFactory(
        organization=org,
        owner=recruiter,
        name="Seq · first touch",
        body=FIRST_BODY,
        subject="A backend role at {{ organization.name }}",
    )
    MessageTemplateFactory(
        organization=org,
        owner=recruiter,
        name="Seq · follow-up",
        body="Hi {{ candidate.first_name }}, just checking you saw my note.\n\n{{ recruiter.first_name }}",
    )
    circle = CircleFactory(organization=org, name="Sequence testers", slug="sequence-testers")
    ada = CandidateFactory(
        organization=org,
        first_name="Ada",
        last_name="Sequence",
        email="ada.seq@example.net",
        current_title="Backend Engineer",
    )
    bob = CandidateFactory(
        organization=org,
        first_name="Bob",
        last_name="Sequence",
        email="bob.seq@example.net",
        current_title="Platform Engineer",
    )
    for person in (ada, bob):
        CircleMembership.objects.create(circle=circle, candidate=person)

    # Build three steps: an e-mail now, a same-thread follow-up 72 hours later, a task a business day after.
    sign_in()
    page.goto(f"{live_server.url}/o/demo/sequences/")
    page.get_by_role("link", name="New sequence").click()
    page.get_by_label("Name").fill("Backend 2026")
    page.select_option("#id_steps-0-template", label="Seq · first touch")
    page.get_by_role("button", name="Add a step").click()
    page.select_option("#id_steps-1-template", label="Seq · follow-up")
    page.fill("#id_steps-1-delay", "72")
    page.get_by_role("button", name="Add a step").click()
    page.select_option("#id_steps-2-kind", "task")
    page.fill("#id_steps-2-task_text", "Call the ones who went quiet")
    page.fill("#id_steps-2-delay", "1")
    page.select_option("#id_steps-2-delay_unit", "business_days")
    page.screenshot(path=str(artifact("sequence-builder.png")), full_page=True)
    page.get_by_role("button", name="Create sequence").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Backend 2026")
    expect(page.locator("#step-figures tbody tr")).to_have_count(3)
    sequence = Sequence.objects.get(organization=org, name="Backend 2026")
    first_step, second_step, _task = sequence.steps.order_by("order")

    # Enrol the circle from its page: the first message for each member, with scores; nobody skipped.
    page.goto(f"{live_server.url}/o/demo/circles/{circle.pk}/")
    page.get_by_role("link", name="Enrol this circle").click()
    page.select_option("#id_sequence", label="Backend 2026")
    page.get_by_role("button", name="Show what will be sent").click()
    samples = page.locator("#enrol-samples")
    expect(samples).to_contain_text("Hi Ada")
    expect(samples).to_contain_text("Hi Bob")
    expect(samples.locator("[data-score]")).to_have_count(2)
    expect(page.locator("#skipped-count")).to_have_text("0")
    page.screenshot(path=str(artifact("sequence-enrol.png")), full_page=True)
    page.get_by_role("button", name="Enrol 2 candidates").click()
    expect(page.locator("#enrollment-table tbody tr")).to_have_count(2)
    expect(page.locator("#enrollment-table")).to_contain_text("Step 1 next")

    # The dispatcher's pass, in the send window: the first step goes to both, and is delivered.
    first_due = max(Enrollment.objects.filter(sequence=sequence).values_list("next_run_at", flat=True))
    assert dispatch_due(now=first_due).messages == 2
    sent = Message.objects.filter(sequence_message__step=first_step, status=Message.Status.SENT)
    assert sorted(sent.values_list("candidate__first_name", flat=True)) == ["Ada", "Bob"]

    # Ada answers the first message by e-mail: her enrollment moves to "replied".
    first_to_ada = sent.get(candidate=ada)
    ingest_raw(_reply_email(first_to_ada.thread, first_to_ada))
    page.reload()
    ada_row = page.locator("#enrollment-table tbody tr").filter(has_text="Ada Sequence")
    expect(ada_row).to_contain_text("Replied")
    expect(page.locator("#enrollment-table tbody tr").filter(has_text="Bob Sequence")).to_contain_text("Active")

    # Past the follow-up's delay: Bob gets the second step, Ada gets nothing more.
    second_due = Enrollment.objects.get(sequence=sequence, candidate=bob).next_run_at
    assert second_due > first_due
    dispatch_due(now=second_due)
    outgoing = Message.objects.outgoing().filter(sequence_message__isnull=False)
    assert outgoing.filter(candidate=ada).count() == 1
    assert outgoing.filter(candidate=bob, sequence_message__step=second_step).count() == 1
    assert Enrollment.objects.get(sequence=sequence, candidate=ada).state == Enrollment.State.REPLIED

    page.reload()
    figures = page.locator("#step-figures")
    expect(figures.locator('tr[data-step="1"] [data-figure="sent"]')).to_have_text("2")
    expect(figures.locator('tr[data-step="1"] [data-figure="replied"]')).to_have_text("1")
    expect(figures.locator('tr[data-step="2"] [data-figure="sent"]')).to_have_text("1")
    expect(ada_row).to_contain_text("Replied")
    page.screenshot(path=str(artifact("sequence-after-reply.png")), full_page=True)
