"""The candidate list on a phone: sort, filters and bulk actions fold into drawers behind a button each,
and are simply there on a wider screen."""

from __future__ import annotations

from playwright.sync_api import expect


def test_the_candidate_list_toolbar_folds_into_drawers_on_a_phone(live_server, page, sign_in):
    sign_in()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/o/demo/candidates/")
    sort, action = page.get_by_label("Sort by"), page.locator("#bulk-action")
    expect(page.get_by_role("searchbox")).to_be_visible()
    expect(sort).to_be_hidden()
    expect(action).to_be_hidden()

    toggle = page.get_by_role("button", name="Sort and filters")
    toggle.click()
    expect(sort).to_be_visible()
    expect(page.get_by_text("Filters", exact=True)).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.get_by_role("button", name="Bulk actions").click()
    expect(action).to_be_visible()
    expect(page.locator("#bulk-message")).to_be_visible()

    page.set_viewport_size({"width": 1366, "height": 900})
    page.reload()
    expect(sort).to_be_visible()
    expect(action).to_be_visible()
    expect(page.get_by_role("button", name="Sort and filters")).to_be_hidden()
