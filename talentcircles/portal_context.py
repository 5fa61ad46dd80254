"""Which organisation's community an allauth page or e-mail belongs to (the "portal context").

A candidate who joins or signs in at /c/<org>/ goes through allauth's pages (check your inbox,
confirm the address, sign in, reset the password, the two-factor step) and gets its e-mails. They
must stay in that organisation's branding and name it, or the journey looks like phishing.

The context travels explicitly wherever it can, and the explicit answer wins:
- a `portal=<slug>` parameter (GET or POST): the links in allauth's e-mails and on the branded pages;
- a `next` pointing into /c/<slug>/: the portal's "Sign in" links and the login redirect of its pages;
- the request being a portal page itself: the join form hands over to allauth from /c/<slug>/join/.
Each explicit answer is remembered in the session, for the steps allauth reaches by redirect without
parameters ("check your inbox", the two-factor step, "forgot your password?"). A `next` elsewhere
(a recruiter's page), an empty `portal=`, or opening a recruiter page (home, /o/…) forgets it, so a
recruiter's own account pages are never in a portal's brand because they once looked at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import NoReverseMatch, reverse

from talentcircles.models import Organization

PORTAL_PARAM = "portal"
SESSION_KEY = "portal_org_slug"
_PORTAL_PATH = re.compile(r"^/c/(?P<slug>[-\w]+)/")
# allauth's URL names: the account pages and the two-factor ones.
_ALLAUTH_URL_NAMES = ("account_", "mfa_")
_UNRESOLVED = object()


def portal_org_for(request: HttpRequest | None) -> Organization | None:
    """The organisation whose community the request belongs to, or None (the recruiter app's look).

    Resolved once per request; an explicit answer is written to (or cleared from) the session.
    """
    if request is None:
        return None
    cached = getattr(request, "_portal_org", _UNRESOLVED)
    if cached is _UNRESOLVED:
        cached = _resolve(request)
        request._portal_org = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[return-value]


def _resolve(request: HttpRequest) -> Organization | None:
    session = getattr(request, "session", None)
    explicit = _explicit_slug(request)
    if explicit is None:
        slug = session.get(SESSION_KEY, "") if session is not None else ""
        return _org(slug)
    org = _org(explicit)
    if session is not None:
        if org is not None and session.get(SESSION_KEY) != org.slug:
            session[SESSION_KEY] = org.slug
        elif org is None and SESSION_KEY in session:
            del session[SESSION_KEY]
    return org


def _explicit_slug(request: HttpRequest) -> str | None:
    """The slug the request names: "" when it names something other than a portal, None when silent."""
    for params in (request.POST, request.GET):
        if PORTAL_PARAM in params:
            return params[PORTAL_PARAM]
    for params in (request.POST, request.GET):
        target = params.get("next")
        if target:
            return _slug_in_path(urlsplit(target).path) if not urlsplit(target).netloc else ""
    return _slug_in_path(request.path) or None


def _slug_in_path(path: str) -> str:
    match = _PORTAL_PATH.match(path)
    return match.group("slug") if match else ""


def _org(slug: str) -> Organization | None:
    if not slug:
        return None
    return Organization.objects.filter(slug=slug).first()


def is_allauth_page(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return bool(match and (match.url_name or "").startswith(_ALLAUTH_URL_NAMES))


def with_portal(path: str, org: Organization | None) -> str:
    """`path` carrying the portal context (for links that leave the session behind: e-mails)."""
    if org is None:
        return path
    return f"{path}{'&' if '?' in path else '?'}{urlencode({PORTAL_PARAM: org.slug})}"


def site_url(path: str) -> str:
    """An absolute link on the public site (`SITE_URL`), never on the host a request came in by."""
    return settings.SITE_URL + path


def community_path(org: Organization, url_name: str = "community_landing") -> str:
    """A page of the organisation's community (the portal's URL names live in the apps above this one)."""
    try:
        return reverse(url_name, args=[org.slug])
    except NoReverseMatch:
        return f"/c/{org.slug}/"


@dataclass(frozen=True)
class SiteIdentity:
    """What allauth's templates call `current_site`: named after the organisation in its portal
    context, after TalentCircles otherwise, and always on `SITE_URL`'s domain, never the request's host."""

    name: str
    domain: str


def site_identity(org: Organization | None) -> SiteIdentity:
    return SiteIdentity(name=org.name if org else settings.SITE_NAME, domain=urlsplit(settings.SITE_URL).netloc)


class PortalContextMiddleware:
    """Resolves the portal context on allauth's pages (so it is remembered before allauth redirects),
    and sends allauth's sign-up page to the community's own join form: a candidate joins there,
    with their profile and consents, never through the recruiter sign-up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not is_allauth_page(request):
            if _is_recruiter_page(request.path):
                forget_portal(request)
            return None
        org = portal_org_for(request)
        if org is not None and request.resolver_match.url_name == "account_signup":
            return HttpResponseRedirect(community_path(org, "community_join"))
        return None


def _is_recruiter_page(path: str) -> bool:
    return path == "/" or path.startswith("/o/")


def forget_portal(request: HttpRequest) -> None:
    """Back in the recruiter app: its account pages (two-factor, password) are not a community's."""
    session = getattr(request, "session", None)
    if session is not None and SESSION_KEY in session:
        del session[SESSION_KEY]


def portal_branding(request: HttpRequest) -> dict:
    """Template context: on allauth's pages in a portal context, the organisation (`org`, as the
    portal layout expects) and that layout for `allauth/layouts/base.html` to extend."""
    if not is_allauth_page(request):
        return {}
    org = portal_org_for(request)
    if org is None:
        return {}
    return {"portal_org": org, "org": org, "auth_base_template": "portal/base.html"}
