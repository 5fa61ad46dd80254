from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.urls import reverse
from django.utils.encoding import force_str

from talentcircles.portal_context import (
    community_path,
    portal_org_for,
    site_identity,
    site_url,
    with_portal,
)

# Links allauth puts in its e-mails' context.
_SITE_LINKS = ("activate_url", "password_reset_url", "signup_url")


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


class AccountAdapter(DefaultAccountAdapter):
    """allauth, told about the organisation: in a portal context (talentcircles/portal_context.py)
    its e-mails come from the organisation's sender and name it, and its links carry the context.
    Every e-mailed link is on `SITE_URL`, never on the host the request came in by."""

    def get_login_redirect_url(self, request):
        # `next` (e.g. an invitation link) wins; otherwise home decides where to go.
        return super().get_login_redirect_url(request) or reverse("home")

    def get_email_verification_redirect_url(self, email_address):
        url = super().get_email_verification_redirect_url(email_address)
        org = portal_org_for(self.request)
        if org is not None and not self.request.user.is_authenticated:
            # Confirmed in another browser: sign in there and arrive in the community.
            return f"{reverse('account_login')}?next={quote(community_path(org, 'portal_circles'))}"
        return url

    # --- E-mail -----------------------------------------------------------------------------------

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        org = portal_org_for(request)
        ctx: dict[str, Any] = {
            "request": request,
            "email": email,
            "current_site": site_identity(org),
            "org": org,
            "site_url": settings.SITE_URL,
            "community_url": site_url(community_path(org)) if org else "",
        }
        ctx.update(context)
        ctx.update(self._links_on_site(ctx, org))
        message = self.render_mail(template_prefix, email, ctx)
        if org is not None:
            message.from_email = org.from_address()
            message.reply_to = org.reply_to_addresses()
        message.send()

    @staticmethod
    def _links_on_site(ctx: dict[str, Any], org) -> dict[str, str]:
        """allauth builds some links from the request's host (the unknown-account and account-exists
        e-mails): the same paths on SITE_URL, and in a community its join form rather than the sign-up."""
        links = {key: site_url(_path_of(ctx[key])) for key in _SITE_LINKS if isinstance(ctx.get(key), str)}
        if org is not None and "signup_url" in links:
            links["signup_url"] = site_url(community_path(org, "community_join"))
        return links

    def format_email_subject(self, subject: str) -> str:
        org = portal_org_for(allauth_context.request)
        prefix = f"[{org.name}] " if org else settings.ACCOUNT_EMAIL_SUBJECT_PREFIX
        return prefix + force_str(subject)

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        path = reverse("account_confirm_email", args=[emailconfirmation.key])
        return site_url(with_portal(path, portal_org_for(request)))

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth's own shape: one opaque "<uidb36>-<token>" segment.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        path = path.replace("UID-KEY", quote(key))
        return site_url(with_portal(path, portal_org_for(self.request)))
