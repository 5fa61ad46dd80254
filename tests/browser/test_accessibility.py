"""Accessibility: axe-core (WCAG 2.0 and 2.1, A and AA) finds nothing on any recruiter, portal or account page.

Every page of the shared page catalogue (tests/browser/page_catalogue.py) is checked as its visitor sees it;
the other tests check what the catalogue's data does not show: the warnings under the 13% line, the portal
and the community's account pages in light brand colours, and states reached by a click (open menus, a
merge, an import's mapping). A failure lists every page's violations at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress

from candidates.models import Candidate
from engagement.analytics.forms import today_utc
from engagement.circles.unsubscribe import community_unsubscribe_token
from messaging.links import unsubscribe_token
from messaging.models import Thread
from talentcircles.models import Organization, User
from tests.browser.axe import Violation, axe_violations, format_violations
from tests.browser.conftest import new_context
from tests.engagement.analytics_ui_support import outreach
from tests.factories import CandidateFactory

PORTAL_EMAIL = "katherine.johnson@example.com"  # a demo candidate, with a conversation and a circle
IMPORT_FILE = Path(__file__).resolve().parents[1] / "candidates" / "files" / "linkedin_connections.csv"
PORTAL_PASSWORD = "a-candidate-password-42"


@dataclass(frozen=True)
class CheckedPage:
    name: str
    path: str
    exclude: tuple[str, ...] = ()


def portal_pages(org: Organization, candidate: Candidate) -> list[CheckedPage]:
    """The pages of a candidate signed in to the organisation's community."""
    c = f"/c/{org.slug}"
    thread = Thread.objects.filter(candidate=candidate).order_by("pk").first()
    pages = [
        ("landing (signed in)", f"{c}/"),
        ("my circles", f"{c}/circles/"),
        ("feed", f"{c}/feed/"),
        ("events", f"{c}/events/"),
        ("inbox", f"{c}/inbox/"),
        ("profile", f"{c}/me/"),
        ("preferences", f"{c}/preferences/"),
        ("my data", f"{c}/my-data/"),
        ("erase", f"{c}/my-data/erase/"),
    ]
    if thread is not None:
        pages.append(("inbox thread", f"{c}/inbox/{thread.pk}/"))
    return [CheckedPage(name, path) for name, path in pages]


def signed_out_pages(org: Organization) -> list[CheckedPage]:
    """The community's public pages, the links in e-mails, and allauth's pages before signing in."""
    katherine = Candidate.objects.for_org(org).get(email=PORTAL_EMAIL)
    pages = [
        ("community landing", f"/c/{org.slug}/"),
        ("community join", f"/c/{org.slug}/join/"),
        ("login", "/accounts/login/"),
        ("signup", "/accounts/signup/"),
        ("password reset", "/accounts/password/reset/"),
        ("community sign-in", f"/accounts/login/?portal={org.slug}"),
        ("community password reset", f"/accounts/password/reset/?portal={org.slug}"),
        ("unsubscribe link", f"/u/{unsubscribe_token(katherine)}"),
        ("community unsubscribe link", f"/c/{org.slug}/unsubscribe/{community_unsubscribe_token(katherine)}/"),
    ]
    return [CheckedPage(name, path) for name, path in pages]


def audit(page, base_url: str, pages: list[CheckedPage]) -> dict[str, list[Violation]]:
    """Each page's axe violations (pages without any left out); a page that does not open fails the test."""
    found = {}
    for checked in pages:
        response = page.goto(base_url + checked.path, wait_until="networkidle")
        status = response.status if response else None
        assert response is not None and response.ok, f"{checked.name}: {checked.path} answered {status}"
        assert page.url.split("?")[0] == (base_url + checked.path).split("?")[0], f"{checked.name} went to {page.url}"
        violations = axe_violations(page, exclude=checked.exclude)
        if violations:
            found[f"{checked.name} ({checked.path})"] = violations
    return found


def audit_here(page, name: str, *, exclude: tuple[str, ...] = ()) -> dict[str, list[Violation]]:
    """The violations of the page as it is now (after a click, an upload, an open menu)."""
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page, exclude=exclude)
    return {f"{name} ({page.url})": violations} if violations else {}


def report(found: dict[str, list[Violation]]) -> str:
    """Per page: the count per rule, then the details."""
    lines = []
    for name, violations in found.items():
        counts = ", ".join(f"{v.rule}: {len(v.targets)}" for v in violations)
        lines += [f"{name}: {counts}", format_violations(violations), ""]
    return "\n".join(lines)


def assert_accessible(found: dict[str, list[Violation]]) -> None:
    elements = sum(len(v.targets) for violations in found.values() for v in violations)
    assert not found, f"axe found {elements} violating element(s) on {len(found)} page(s):\n\n{report(found)}"


def portal_candidate(org: Organization) -> Candidate:
    """The demo's Katherine Johnson with a portal login (verified address)."""
    candidate = Candidate.objects.for_org(org).get(email=PORTAL_EMAIL)
    user = User.objects.create_user(email=PORTAL_EMAIL, password=PORTAL_PASSWORD, first_name="Katherine")
    EmailAddress.objects.create(user=user, email=PORTAL_EMAIL, verified=True, primary=True)
    Candidate.objects.filter(pk=candidate.pk).update(user=user)
    return candidate


def sign_in_candidate(page, base_url: str) -> None:
    page.goto(base_url + "/accounts/login/")
    page.fill("input[name=login]", PORTAL_EMAIL)
    page.fill("input[name=password]", PORTAL_PASSWORD)
    page.locator("form").filter(has=page.locator("input[name=password]")).locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def below_the_line(org: Organization) -> None:
    """Enough outreach, mostly unanswered, that the home card, the figures and the guard show their warnings."""
    recruiter = User.objects.get(email="recruiter@demo.talentcircles.test")
    today = today_utc()
    outreach(org, day=today - timedelta(days=60), recruiter=recruiter, count=20, answered_after_hours=6)
    outreach(org, day=today - timedelta(days=3), recruiter=recruiter, count=5, answered_after_hours=1)
    outreach(org, day=today - timedelta(days=3), recruiter=recruiter, count=120)


def test_the_rate_warnings_under_the_13_percent_line_have_no_violations(live_server, page, sign_in):
    """The catalogue's data stays above the line; here the home card, the figures and the guard warn."""
    org = Organization.objects.get(slug="demo")
    below_the_line(org)
    sign_in()
    page.wait_for_url(f"{live_server.url}/o/demo/")
    warned = [CheckedPage("home", f"/o/{org.slug}/"), CheckedPage("analytics", f"/o/{org.slug}/analytics/")]
    assert_accessible(audit(page, live_server.url, warned))


# htmx fragments the catalogue also opens on their own (each is checked inside the page it is swapped into).
FRAGMENTS = {"portal_resume_status", "candidate_resume_status", "candidate_conversations"}


def test_every_page_in_the_catalogue_has_no_violations(browser, catalogue):
    """Every recruiter, portal and account page of tests/browser/page_catalogue.py, as its visitor sees it."""
    csp_violations: list[str] = []
    context = new_context(browser, {"width": 1366, "height": 900}, csp_violations)
    page, found, signed_in_as = context.new_page(), {}, None
    try:
        pages = [entry for entry in catalogue.pages if entry.name not in FRAGMENTS]
        assert len(pages) == len(catalogue.pages) - len(FRAGMENTS)
        for entry in sorted(pages, key=lambda p: p.who):
            if entry.who != signed_in_as:
                catalogue.sign_in(context, entry.who)
                signed_in_as = entry.who
            page.goto(catalogue.base + entry.url, wait_until="networkidle")
            found |= audit_here(page, f"{entry.name} as {entry.who}")
    finally:
        context.close()
    assert_accessible(found)
    assert csp_violations == []


@pytest.mark.parametrize("brand_color", ["#ffd33d", "#e6f0ff"])
def test_a_light_brand_colour_keeps_the_portal_readable(live_server, page, demo, brand_color):
    org = Organization.objects.get(slug="demo")
    Organization.objects.filter(pk=org.pk).update(brand_color=brand_color)
    candidate = portal_candidate(org)
    branded = {"community landing", "community join", "community sign-in", "community password reset"}
    found = audit(page, live_server.url, [p for p in signed_out_pages(org) if p.name in branded])
    sign_in_candidate(page, live_server.url)
    found |= audit(page, live_server.url, portal_pages(org, candidate)[:3])  # landing, circles, feed
    assert_accessible(found)


def test_pages_reached_by_a_form_or_a_click_have_no_violations(live_server, page, sign_in):
    """The navigation's open menus (and on a phone), a merge, and the import's mapping and report after an upload."""
    org = Organization.objects.get(slug="demo")
    first, second = likely_twins(org)
    sign_in()
    page.wait_for_url(f"{live_server.url}/o/demo/")
    page.click("#account-menu")
    found = audit_here(page, "account menu open")
    page.click("#org-switcher")
    found |= audit_here(page, "organisation menu open")
    page.set_viewport_size({"width": 390, "height": 844})
    page.click(".navbar-toggler")
    page.wait_for_selector("#tc-nav.show")
    found |= audit_here(page, "phone navigation open")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/o/demo/candidates/duplicates/merge/{first.pk}/{second.pk}/")
    found |= audit_here(page, "merge")
    page.goto(f"{live_server.url}/o/demo/candidates/imports/new/")
    page.set_input_files("input[type=file]", str(IMPORT_FILE))
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url("**/mapping/")
    found |= audit_here(page, "import mapping")
    page.get_by_role("button", name="Start import").click()
    page.wait_for_url(re.compile(r"/imports/\d+/$"))
    found |= audit_here(page, "import report")
    assert_accessible(found)


def likely_twins(org: Organization) -> tuple[Candidate, Candidate]:
    """Two records of one person (a similar name at the same company): a likely duplicate pair."""
    first = CandidateFactory(organization=org, first_name="Dorothy", last_name="Vaughan", current_company="NACA")
    second = CandidateFactory(organization=org, first_name="Dorothy", last_name="Vaughn", current_company="naca")
    return first, second
