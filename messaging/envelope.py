"""The e-mail a message becomes: its From and reply addresses, and its body with the footer's links."""

from __future__ import annotations

import re
import secrets
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import escape, linebreaks

from messaging import links
from messaging.models import Message


def reply_address(message: Message) -> str:
    """The thread's reply address: the inbound side matches replies by this token first."""
    return f"reply+{message.thread.reply_token}@{settings.INBOUND_EMAIL_DOMAIN}"


# Our Message-IDs are `<tc.<24 hex>@domain>` (services.new_message_id_header): the hex part is the
# message's VERP token, already stored and indexed with the row.
_OUR_MESSAGE_ID = re.compile(r"^<tc\.([0-9a-f]{16,64})@([^>]+)>$")
_VERP_LOCAL_PART = re.compile(r"^bounce\+([0-9a-f]{16,64})$")


def verp_token(message: Message) -> str:
    """The message's VERP token (the random part of its Message-ID), or "" for a Message-ID we did not write."""
    found = _OUR_MESSAGE_ID.match(message.message_id_header or "")
    return found.group(1) if found else ""


def envelope_sender(message: Message) -> str:
    """The SMTP `MAIL FROM` (the Return-Path): `bounce+<token>@<INBOUND_EMAIL_DOMAIN>` with VERP on.

    Every bounce then comes back to an address naming the exact message, whatever the bouncing
    server writes. With VERP_ENABLED off (a provider that rewrites the Return-Path) it is the
    From address, as before.
    """
    token = verp_token(message) if getattr(settings, "VERP_ENABLED", True) else ""
    if not token:
        return parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return f"bounce+{token}@{settings.INBOUND_EMAIL_DOMAIN}"


def verp_tokens_in(addresses: list[str]) -> list[tuple[str, str]]:
    """(token, domain) of every `bounce+<token>@<domain>` among the addresses, in order, without repeats.

    Any domain: a bounce address written while INBOUND_EMAIL_DOMAIN was another still names its message.
    """
    found: list[tuple[str, str]] = []
    for address in addresses:
        local, _, domain = (address or "").strip().strip("<>").lower().rpartition("@")
        match = _VERP_LOCAL_PART.match(local)
        if match and domain and (match.group(1), domain) not in found:
            found.append((match.group(1), domain))
    return found


def message_id_for_verp(token: str, domain: str) -> str:
    """The Message-ID of the message a VERP token stands for (the two share the random part and the domain)."""
    return f"<tc.{token}@{domain}>"


def _one_line(value: str) -> str:
    return " ".join((value or "").splitlines()).strip()


def from_address(message: Message) -> str:
    """`"Jane Doe via Acme" <DEFAULT_FROM_EMAIL's address>`.

    The display name says who wrote and for which organisation; the address stays ours (the one
    SPF/DKIM authorise for the configured mail server) so the mail passes DMARC. Replies go to
    the thread's reply address, never to the From address.
    """
    org = message.organization
    org_name = _one_line(org.sender_name or org.name)
    recruiter_name = _one_line(message.sender.get_full_name()) if message.sender else ""
    display = f"{recruiter_name} via {org_name}" if recruiter_name else org_name
    return formataddr((display, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))


_SLOT = "tcslot" + secrets.token_hex(8)
_SLOT_NAMES = ("body", "interested_url", "not_interested_url", "unsubscribe_url", "unsubscribe_mailto")
_SLOT_PATTERN = re.compile(f"{_SLOT}([a-z_]+){_SLOT}")


class BodyRenderer:
    """Renders templates/emails/message_body.{txt,html} for many messages cheaply.

    The footer depends only on the organisation and the recruiter's name, so each template is
    rendered once per (organisation, recruiter name) with marker strings where the body and the
    per-message links go, then filled in by string joins: the output is exactly what
    `render_to_string` gives with the message's own context.
    """

    def __init__(self) -> None:
        self._skeletons: dict[tuple, list[str]] = {}
        self._prefixes: dict[str, str] = {}
        self._links: dict[int, dict[str, str]] = {}

    def _skeleton(self, name: str, org, recruiter_name: str) -> list[str]:
        key = (name, org.pk, org.name, org.brand_color, recruiter_name)
        parts = self._skeletons.get(key)
        if parts is None:
            slots = {slot: f"{_SLOT}{slot}{_SLOT}" for slot in _SLOT_NAMES}
            rendered = render_to_string(name, {**slots, "org": org, "recruiter_name": recruiter_name})
            # re.split with one group: literal text at even indexes, slot names at odd ones.
            parts = _SLOT_PATTERN.split(rendered)
            self._skeletons[key] = parts
        return parts

    @staticmethod
    def _fill(parts: list[str], values: dict[str, str]) -> str:
        return "".join(part if i % 2 == 0 else values[part] for i, part in enumerate(parts))

    def _url(self, name: str, token: str) -> str:
        # reverse() once per URL name: the token is the only part that changes.
        prefix = self._prefixes.get(name)
        if prefix is None:
            prefix = self._prefixes[name] = settings.SITE_URL + reverse(name, args=[_SLOT]).replace(_SLOT, "{}")
        return prefix.format(token)

    def links(self, message: Message) -> dict[str, str]:
        """The message's one-click and unsubscribe links (what `messaging.links` would build)."""
        if message.pk not in self._links:
            unsubscribe = links.unsubscribe_token(message.candidate)
            self._links = {
                message.pk: {
                    "interested_url": self._url(
                        "message_response", links.response_token(message, Message.Classification.INTERESTED)
                    ),
                    "not_interested_url": self._url(
                        "message_response", links.response_token(message, Message.Classification.NOT_INTERESTED)
                    ),
                    "unsubscribe_url": self._url("unsubscribe", unsubscribe),
                    "unsubscribe_mailto": (
                        f"mailto:unsubscribe+{unsubscribe}@{settings.INBOUND_EMAIL_DOMAIN}?subject=unsubscribe"
                    ),
                }
            }
        return self._links[message.pk]

    def render(self, message: Message) -> tuple[str, str]:
        """(text, html) bodies of the e-mail for `message`."""
        recruiter = message.sender
        recruiter_name = (recruiter.get_full_name() or recruiter.email) if recruiter else ""
        values = {"body": message.body_text, **self.links(message)}
        text = self._fill(self._skeleton("emails/message_body.txt", message.organization, recruiter_name), values)
        # In HTML the template escapes what it prints and turns the body's line breaks into <p>/<br>.
        html_values: dict[str, str] = {name: escape(value) for name, value in values.items()}
        # The skeleton already holds the <p>…</p> the filter put around the marker: the body goes inside.
        html_values["body"] = linebreaks(message.body_text, autoescape=True).removeprefix("<p>").removesuffix("</p>")
        html = self._fill(self._skeleton("emails/message_body.html", message.organization, recruiter_name), html_values)
        return text, html


def build_email(message: Message, *, renderer: BodyRenderer | None = None) -> EmailMultiAlternatives:
    """The e-mail for an outgoing message, with every header a good e-mail citizen sends.

    Needs `message.message_id_header` set (delivery sees to it) so every retry carries the
    same Message-ID. Raises ValueError for an address that cannot be used. Pass one `renderer`
    for a batch: the footer is then rendered once.
    """
    if not message.message_id_header:
        raise ValueError("The message has no Message-ID yet.")
    candidate = message.candidate
    renderer = renderer or BodyRenderer()
    text, html = renderer.render(message)
    urls = renderer.links(message)
    headers = {
        "Message-ID": message.message_id_header,
        # RFC 2369 and RFC 8058: the https link takes the one-click POST, the mailto the old clients.
        "List-Unsubscribe": f"<{urls['unsubscribe_url']}>, <{urls['unsubscribe_mailto']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if message.in_reply_to:
        headers["In-Reply-To"] = _one_line(message.in_reply_to)
    if message.references:
        headers["References"] = _one_line(message.references)
    email = EmailMultiAlternatives(
        subject=_one_line(message.subject),
        body=text,
        # Django's SMTP backend uses `from_email` as the envelope sender (MAIL FROM) and the From
        # header from `headers` when given: the two differ once VERP is on.
        from_email=envelope_sender(message),
        to=[candidate.email],
        reply_to=[reply_address(message)],
        headers={"From": from_address(message), **headers},
    )
    email.attach_alternative(html, "text/html")
    return email
