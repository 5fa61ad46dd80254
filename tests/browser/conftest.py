"""Fixtures for the browser tests: real Chromium driven through Playwright's sync API.

Playwright's sync API runs an event loop in the test thread, which makes Django's
async-safety check refuse ORM calls from that thread (fixtures, assertions).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"
BROWSER_DIR = Path(__file__).resolve().parent


def artifact_path(name: str) -> Path:
    """A path in var/test-artifacts/ for `name` (made filesystem-safe)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = f"Chromium not found at {CHROMIUM}; install the Debian `chromium` package to run browser tests."
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()
    finally:
        playwright.stop()


# Every page a browser test opens reports Content-Security-Policy violations to the console;
# the `page` fixture fails the test on any (see docs/development.md, "Content-Security-Policy").
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (event) {
  console.error("CSP violation: " + event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber + " " + (event.sample || ""));
});
"""
CSP_CONSOLE = re.compile(r"CSP violation|Content Security Policy|Refused to (execute|apply|load|evaluate|connect)")


@pytest.fixture
def csp_violations() -> list[str]:
    """The CSP violations the browser reported during the test (the `page` fixture fails on any)."""
    return []


@pytest.fixture
def page(browser, request, csp_violations):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()

    def on_console(message):
        if CSP_CONSOLE.search(message.text):
            csp_violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    try:
        yield page
        if csp_violations:
            pytest.fail("Content-Security-Policy violations:\n" + "\n".join(csp_violations), pytrace=False)
    finally:
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            try:
                page.screenshot(path=str(artifact_path(f"{request.node.name}.png")), full_page=True)
            except Exception as exc:  # a screenshot is a courtesy; never mask the real failure
                print(f"Could not save a failure screenshot: {exc}")
        context.close()


@pytest.fixture
def artifact():
    """`artifact("name.png")` is a path in var/test-artifacts/ (created on demand) for screenshots."""
    return artifact_path


@pytest.fixture
def demo(transactional_db):
    """The demo data (`manage.py seed_demo`); returns what the command printed."""
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    _keep_the_famous_five()
    return out.getvalue()


def _keep_the_famous_five() -> None:
    """The browser tests were written against the small demo (five famous candidates, two circles, two
    members): the generated community (engagement/demo/, checked by tests/engagement/test_demo_seed.py)
    and the demo's jobs are removed so their boards, lists and figures stay that small, and the roll-ups
    are rebuilt to match."""
    from candidates.models import Candidate
    from engagement.analytics.rollups.rebuild import rollups_rebuild
    from engagement.circles.jobs.models import Job
    from engagement.circles.models import Circle
    from engagement.demo.people import DEMO_EMAIL_MARK
    from talentcircles.demo import TEAM
    from talentcircles.models import Membership, Organization

    org = Organization.objects.get(slug="demo")
    Candidate.objects.filter(organization=org, email__contains=DEMO_EMAIL_MARK).delete()
    Circle.objects.filter(organization=org).exclude(name__in=["Backend Engineers", "Silver Medallists"]).delete()
    Job.objects.filter(organization=org).delete()  # the small demo had no jobs either
    Membership.objects.filter(organization=org, user__email__in=[email for email, *_ in TEAM]).delete()
    rollups_rebuild(org=org)


@pytest.fixture
def sign_in(live_server, page, demo):
    """`sign_in()` signs the demo recruiter in through the login form."""

    def sign_in_as(email: str = "recruiter@demo.talentcircles.test", password: str = "talentcircles-demo"):
        page.goto(live_server.url + "/accounts/login/")
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", password)
        page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()

    return sign_in_as


@pytest.fixture
def catalogue(live_server, transactional_db):
    """Every recruiter, portal and account page over seeded data, with a signed-in session per visitor
    (tests/browser/page_catalogue.py): `catalogue.pages`, and `catalogue.sign_in(context, who)`."""
    from tests.browser.page_catalogue import seed_catalogue

    return seed_catalogue(live_server.url)


def new_context(browser, viewport: dict[str, int], csp_violations: list[str]):
    """A browser context at `viewport` that records CSP violations into `csp_violations`, as `page` does."""
    context = browser.new_context(viewport=viewport)
    context.set_default_timeout(10_000)
    context.add_init_script(CSP_LISTENER)

    def on_page(page):
        page.on(
            "console",
            lambda message: CSP_CONSOLE.search(message.text) and csp_violations.append(f"{page.url}: {message.text}"),
        )

    context.on("page", on_page)
    return context
