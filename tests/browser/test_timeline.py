"""The relationship timeline, the pipeline board and "My day" in a real browser."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from candidates.models import Candidate
from engagement.timeline.models import Activity, Reminder


def test_a_recruiter_logs_a_call_moves_candidates_and_ticks_off_a_reminder(live_server, page, sign_in, artifact):
    grace = Candidate.objects.get(email="grace.hopper@example.com")
    alan = Candidate.objects.get(email="alan.turing@example.com")
    sign_in()
    page.wait_for_url(live_server.url + "/o/demo/")

    # The candidate page loads the timeline with htmx; the demo data already has a call and a note.
    page.goto(f"{live_server.url}/o/demo/candidates/{grace.pk}/")
    panel = page.locator("#timeline-panel")
    expect(panel).to_contain_text("Call · Connected · 25 min")
    expect(panel.locator("#relationship-strength")).to_contain_text("Last call 3 days ago")

    # Log a call inline.
    panel.get_by_text("Log a call", exact=True).click()
    page.select_option("#id_call-outcome", "connected")
    page.fill("#id_call-duration_minutes", "15")
    page.fill("#id_call-body", "Wants to hear about the compiler team.")
    panel.get_by_role("button", name="Log call").click()
    expect(page.locator("#timeline-items")).to_contain_text("Call · Connected · 15 min")
    expect(page.locator("#timeline-items")).to_contain_text("Wants to hear about the compiler team.")
    assert Activity.objects.filter(candidate=grace, kind="call", details__duration_minutes=15).exists()

    # Add a reminder due now, in the recruiter's own time (the demo recruiter's zone is UTC).
    page.locator("#timeline-panel").get_by_text("Add a reminder", exact=True).click()
    page.select_option("#id_reminder-when", "custom")
    page.fill("#id_reminder-due_at", timezone.now().strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_reminder-note", "Send Grace the compiler team description")
    page.locator("#timeline-panel").get_by_role("button", name="Add reminder").click()
    expect(page.locator("#candidate-reminders")).to_contain_text("Send Grace the compiler team description")
    page.screenshot(path=str(artifact("timeline.png")), full_page=True)

    # The pipeline board: the keyboard control (select and button on the card) …
    page.get_by_role("link", name="Pipeline").click()
    board = page.locator("#pipeline-board")
    card = board.locator(f"#card-{grace.pk}")
    expect(board.locator('[data-stage-column="new"]')).to_contain_text("Grace Hopper")
    card.get_by_label("Stage for Grace Hopper").select_option("interested")
    card.get_by_role("button", name="Move Grace Hopper").click()
    expect(board.locator('[data-stage-column="interested"]').locator(f"#card-{grace.pk}")).to_be_visible()
    expect(page.locator("#pipeline-status")).to_have_text("Moved Grace Hopper to “Interested”.")

    # … and drag and drop.
    board.locator(f"#card-{alan.pk}").drag_to(board.locator('[data-stage-column="contacted"] [data-cards]'))
    expect(board.locator('[data-stage-column="contacted"]').locator(f"#card-{alan.pk}")).to_be_visible()
    expect(board.locator('[data-stage-column="contacted"] [data-count]')).to_have_text("2")
    page.screenshot(path=str(artifact("pipeline.png")), full_page=True)
    page.reload()
    expect(board.locator('[data-stage-column="interested"]')).to_contain_text("Grace Hopper")
    expect(board.locator('[data-stage-column="contacted"]')).to_contain_text("Alan Turing")
    assert Candidate.objects.get(pk=alan.pk).stage == "contacted"

    # "My day": the reminder is due; tick it off in place.
    page.get_by_role("link", name="My day").click()
    expect(page).to_have_url(re.compile(r"/o/demo/today/$"))
    row = page.locator("#due-reminders li").filter(has_text="Send Grace the compiler team description")
    expect(row).to_contain_text("Grace Hopper")
    page.screenshot(path=str(artifact("my-day.png")), full_page=True)
    row.get_by_role("button", name=re.compile(r"^Done")).click()
    expect(page.locator("#due-reminders [role=status]")).to_have_text(
        "Done: Send Grace the compiler team description (Grace Hopper)."
    )
    assert Reminder.objects.get(note="Send Grace the compiler team description").done_at is not None
    # The demo's own reminder is snoozed for a week, in place as well.
    demo_row = page.locator("#due-reminders li").filter(has_text="Follow up with Grace about the compiler team")
    demo_row.get_by_role("button", name=re.compile(r"^Snooze 1 week")).click()
    expect(page.locator("#due-reminders")).to_contain_text("Snoozed until")
    snoozed = Reminder.objects.get(note="Follow up with Grace about the compiler team")
    assert snoozed.due_at > timezone.now() + timedelta(days=6)
    page.reload()
    expect(page.locator("body")).not_to_contain_text("Send Grace the compiler team description")
    expect(page.locator("body")).not_to_contain_text("Follow up with Grace about the compiler team")
