"""The Content-Security-Policy (docs/development.md, "Content-Security-Policy"): the header on every page, and no page
that relies on what it refuses. The pages are found by following links from the recruiter app, the
portal, the account pages and the admin over the demo data, one page per URL pattern."""

from __future__ import annotations

import io
import re
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from talentcircles.models import User
from tests.factories import CandidateFactory, UserFactory

pytestmark = pytest.mark.django_db

# Scripts of these types are data, never executed (json_script, allauth's data-allauth-onload).
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href"}
# GET links that answer files or end the session rather than a page.
SKIPPED_LINK = re.compile(r"format=|/download|/export|logout|\.(csv|ics|json|vcf|pdf|docx)\b")
MAX_PAGES = 250
DJANGO_COMMENT = re.compile(r"{#.*?#}|{% comment %}.*?{% endcomment %}", re.DOTALL)


class PageChecker(HTMLParser):
    """Collects what a nonce-based policy without 'unsafe-inline' refuses, and the page's links."""

    def __init__(self, nonce: str | None):
        super().__init__(convert_charrefs=True)
        self.nonce = nonce
        self.problems: list[str] = []
        self.links: list[str] = []
        self.inline_scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> (inline event handler)")
            elif name == "style":
                self.problems.append(f'<{tag} style="{value}"> (inline style attribute)')
            elif name.startswith("hx-on") or (name in ("hx-vals", "hx-vars") and (value or "").startswith("js:")):
                self.problems.append(f"<{tag} {name}=…> (htmx eval; htmx-config allowEval is off)")
            elif name in URL_ATTRIBUTES and (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"<{tag} {name}={value!r}> (javascript: URL)")
        if tag == "script":
            if values.get("src"):
                if urlsplit(values["src"] or "").netloc:
                    self.problems.append(f"<script src={values['src']!r}> (another origin)")
            elif (values.get("type") or "").lower() not in DATA_SCRIPT_TYPES:
                self.inline_scripts += 1
                if not self.nonce or values.get("nonce") != self.nonce:
                    self.problems.append("<script> inline without the response's nonce")
        elif tag == "style" and (not self.nonce or values.get("nonce") != self.nonce):
            self.problems.append("<style> without the response's nonce")
        elif tag == "a" and values.get("href") and "download" not in values:
            self.links.append(values["href"] or "")


def check_page(html: str, header: str) -> PageChecker:
    match = re.search(r"'nonce-([A-Za-z0-9+/=]+)'", header)
    checker = PageChecker(match.group(1) if match else None)
    checker.feed(html)
    return checker


def crawl(client: Client, starts: list[str], prefixes: tuple[str, ...]) -> dict[str, list[str]]:
    """Each page found from `starts` (one per URL pattern, under `prefixes`) → what the policy refuses."""
    found: dict[str, list[str]] = {}
    seen_routes: set[tuple[str, str]] = set()
    queue = deque(starts)
    while queue and len(found) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        try:
            match = resolve(path)
        except Resolver404:
            continue
        key = (match.route, match.url_name or "")
        if key in seen_routes:
            continue
        seen_routes.add(key)
        response = client.get(url, follow=True)  # a redirect (e.g. to reauthenticate) is checked where it lands
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        header = response.get("Content-Security-Policy", "")
        checker = check_page(response.content.decode(), header)
        found[url] = checker.problems + ([] if header else ["no Content-Security-Policy header"])
        for link in checker.links:
            parts = urlsplit(link)
            if parts.netloc or not parts.path.startswith(prefixes) or SKIPPED_LINK.search(link):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@pytest.fixture
def demo():
    call_command("seed_demo", stdout=io.StringIO())


def assert_clean(pages: dict[str, list[str]], at_least: int) -> None:
    assert len(pages) >= at_least, sorted(pages)
    refused = {url: problems for url, problems in pages.items() if problems}
    assert refused == {}


def test_the_policy_refuses_inline_code_plugins_framing_and_base_changes(client):
    header = client.get("/api/docs/")["Content-Security-Policy"]  # a page with a nonce'd <style>
    directives = {part.split()[0]: part.split()[1:] for part in header.split("; ")}
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"][0] == "'self'" and directives["script-src"][1].startswith("'nonce-")
    assert directives["style-src"][0] == "'self'" and directives["style-src"][1].startswith("'nonce-")
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header


def test_each_response_gets_its_own_nonce_and_a_page_without_one_gets_none(client):
    first = client.get("/api/docs/")
    second = client.get("/api/docs/")
    nonces = [re.search(r"'nonce-([^']+)'", r["Content-Security-Policy"]).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'<style nonce="{nonces[0]}">' in first.content.decode()
    # django-csp adds a nonce only when the page used one: the login page's scripts are all static files.
    assert "nonce-" not in client.get("/accounts/login/")["Content-Security-Policy"]


def test_the_checker_finds_what_the_policy_refuses():
    header = "script-src 'self' 'nonce-abc'; style-src 'self' 'nonce-abc'"
    bad = (
        '<script>alert(1)</script><script nonce="xyz">alert(2)</script><style>p{}</style>'
        '<a href="javascript:alert(3)" onclick="x()">a</a><p style="color:red" hx-on:click="x()">p</p>'
        '<script src="https://cdn.example.com/x.js"></script>'
    )
    assert len(check_page(bad, header).problems) == 8
    good = (
        '<script nonce="abc">ok()</script><style nonce="abc">p{}</style><script src="/static/x.js"></script>'
        '<script type="application/json" id="data">{"a": 1}</script><a href="/o/x/">x</a>'
    )
    assert check_page(good, header).problems == []


def test_no_template_carries_what_the_policy_refuses():
    """Also the pages the crawl cannot reach (links from e-mails, invitations, unsubscribe): every
    template in templates/ except the e-mails, read as written."""
    templates = Path(__file__).resolve().parents[2] / "templates"
    refused = {}
    for path in sorted(templates.rglob("*.html")):
        if "emails" in path.relative_to(templates).parts:
            continue  # e-mail bodies are read in mail clients, which need inline styles
        checker = PageChecker("{{ request.csp_nonce }}")
        checker.feed(DJANGO_COMMENT.sub("", path.read_text(encoding="utf-8")))
        if checker.problems:
            refused[str(path.relative_to(templates))] = checker.problems
    assert refused == {}


def test_no_recruiter_page_carries_what_the_policy_refuses(demo):
    client = Client()
    client.force_login(User.objects.get(email="recruiter@demo.talentcircles.test"))
    starts = ["/", "/o/demo/", "/api/docs/", "/accounts/2fa/totp/activate/"]
    pages = crawl(client, starts, ("/o/demo/", "/accounts/", "/orgs/", "/account/"))
    assert_clean(pages, at_least=40)


def test_no_portal_or_account_page_carries_what_the_policy_refuses(demo):
    from talentcircles.models import Organization

    org = Organization.objects.get(slug="demo")
    user = UserFactory(first_name="Ada")
    CandidateFactory(organization=org, user=user, email=user.email, first_name="Ada", last_name="Member")
    member = Client()
    member.force_login(user)
    pages = crawl(member, ["/c/demo/", "/c/demo/me/"], ("/c/demo/",))
    anonymous = crawl(
        Client(),
        ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/", "/c/demo/", "/c/demo/join/"],
        ("/accounts/", "/c/demo/"),
    )
    assert_clean(pages, at_least=8)
    assert_clean(anonymous, at_least=4)


def test_no_admin_page_carries_what_the_policy_refuses(demo):
    admin = Client()
    admin.force_login(UserFactory(is_staff=True, is_superuser=True))
    pages = crawl(admin, ["/admin/"], ("/admin/",))
    assert_clean(pages, at_least=30)
