"""Candidates in a real browser: import a LinkedIn export, find someone by a misspelt name."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

CONNECTIONS_CSV = Path(__file__).resolve().parents[1] / "candidates" / "files" / "linkedin_connections.csv"


def test_a_linkedin_export_is_imported_and_a_misspelt_name_finds_the_profile(live_server, page, sign_in, artifact):
    sign_in()
    page.goto(f"{live_server.url}/o/demo/candidates/imports/new/")
    page.set_input_files("input[name=file]", str(CONNECTIONS_CSV))
    page.select_option("select[name=format]", "linkedin")
    page.get_by_role("button", name="Upload").click()

    # The mapping step: LinkedIn's columns are recognised and shown with the first rows.
    expect(page.get_by_role("heading", name=re.compile("Match the columns"))).to_be_visible()
    expect(page.locator("table")).to_contain_text("Priya")
    page.screenshot(path=str(artifact("import-mapping.png")), full_page=True)
    page.get_by_role("button", name="Start import").click()

    progress = page.locator("#import-progress")
    expect(progress.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(page.locator("#import-created")).not_to_have_text("0")
    page.screenshot(path=str(artifact("import-finished.png")), full_page=True)

    page.goto(f"{live_server.url}/o/demo/candidates/")
    page.get_by_role("searchbox").fill("pryia raman")  # misspelt, typed as-you-go
    result = page.locator("#candidate-results").get_by_role("link", name="Priya Raman")
    expect(result).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=pryia"))
    result.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Priya Raman")
    expect(page.locator("body")).to_contain_text("Hooli")
    page.screenshot(path=str(artifact("candidate-profile.png")), full_page=True)
