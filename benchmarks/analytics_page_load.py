"""The analytics page's first load in a real browser: bytes transferred per request and time to load.

Needs a running server with the demo data (`make run`, or BENCH_URL=http://127.0.0.1:8001) and Debian's
Chromium. Signs the demo recruiter in, then opens /o/demo/analytics/ in a fresh browser context (cold
cache) BENCH_ROUNDS times and prints every request of the page (size on the wire, Content-Encoding)
and the median time to the load event. Not a test: tests/browser/test_analytics.py asserts the bytes.
"""

from __future__ import annotations

import os
import statistics
import sys
import urllib.request

from playwright.sync_api import Page, sync_playwright

BASE_URL = os.environ.get("BENCH_URL", "http://127.0.0.1:8000").rstrip("/")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
EMAIL, PASSWORD = "recruiter@demo.talentcircles.test", "talentcircles-demo"


def sign_in(page: Page) -> None:
    page.goto(f"{BASE_URL}/accounts/login/")
    page.fill("input[name=login]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def one_cold_load(browser) -> tuple[float, list[tuple[str, int, str]]]:
    """(ms to the load event, [(url, bytes on the wire, content-encoding)]) for one cold-cache load."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    sign_in(page)
    cookies = context.cookies()
    context.close()
    # A new context has an empty HTTP cache; the session cookie keeps us signed in.
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.add_cookies(cookies)
    page = context.new_page()
    responses = []
    page.on("response", lambda response: responses.append(response))
    page.goto(f"{BASE_URL}/o/demo/analytics/", wait_until="load")
    page.wait_for_load_state("networkidle")
    elapsed = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    rows = []
    for response in responses:
        sizes = response.request.sizes()
        wire = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        rows.append((response.url.removeprefix(BASE_URL), wire, response.headers.get("content-encoding", "-")))
    context.close()
    return elapsed, rows


def main() -> None:
    try:
        urllib.request.urlopen(f"{BASE_URL}/healthz", timeout=5)  # noqa: S310 (a local URL)
    except OSError as error:
        print(f"No server at {BASE_URL} ({error}); start `make run` first.")
        sys.exit(0)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        times, rows = [], []
        for _ in range(ROUNDS):
            elapsed, rows = one_cold_load(browser)
            times.append(elapsed)
        browser.close()
    for url, wire, encoding in rows:
        print(f"{wire:>10,} B  {encoding:6}  {url}")
    print(f"{sum(wire for _, wire, _ in rows):>10,} B  total in {len(rows)} requests")
    spread = f"{min(times):.0f} to {max(times):.0f}"
    print(f"load event: median {statistics.median(times):.0f} ms of {ROUNDS} cold loads ({spread})")


if __name__ == "__main__":
    main()
