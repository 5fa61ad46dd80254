"""Which conversation an inbound e-mail belongs to, and which organisation when none.

Order: the thread's reply token in any recipient address (`reply+<token>@<INBOUND_EMAIL_DOMAIN>`),
then `In-Reply-To`, then `References` (newest first) against the Message-IDs we wrote or stored.
Never the `From` address alone: anyone can write any From, and a candidate may be in several
organisations. What matches nothing goes to "Unmatched", routed to an organisation when a
recipient names one (`reply+<org-slug>@…` or `<org-slug>@…`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

from messaging.envelope import message_id_for_verp, verp_tokens_in
from messaging.inbound.parsing import ParsedEmail
from messaging.models import Message, Thread
from talentcircles.models import Organization

_LOCAL_PART_RE = re.compile(r"^reply\+([a-z0-9][a-z0-9_.-]{0,63})$")
_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,59}$")


@dataclass
class Match:
    thread: Thread | None = None
    organization: Organization | None = None
    matched_by: str = ""  # "token", "in-reply-to", "references", "verp", "org-address" or ""
    message: Message | None = None  # the message the mail answers, when matched by header

    @property
    def matched(self) -> bool:
        return self.thread is not None


def inbound_domain() -> str:
    return str(getattr(settings, "INBOUND_EMAIL_DOMAIN", "") or "").strip().lower()


def reply_tags(addresses: list[str]) -> list[str]:
    """The `<tag>` of every `reply+<tag>@<INBOUND_EMAIL_DOMAIN>` among the addresses, in order."""
    domain = inbound_domain()
    tags = []
    for address in addresses:
        local, _, address_domain = address.lower().rpartition("@")
        if domain and address_domain != domain:
            continue
        found = _LOCAL_PART_RE.match(local)
        if found and found.group(1) not in tags:
            tags.append(found.group(1))
    return tags


def thread_for_tags(tags: list[str]) -> Thread | None:
    if not tags:
        return None
    # Two narrow queries rather than one join: a miss (an org slug, a stale token) stays cheap.
    ids = dict(Thread.objects.filter(reply_token__in=tags).values_list("reply_token", "id"))
    by_token = {token.lower(): thread_id for token, thread_id in ids.items()}
    thread_id = next((by_token[tag] for tag in tags if tag in by_token), None)
    return Thread.objects.select_related("organization").get(pk=thread_id) if thread_id else None


def message_for_ids(ids: list[str]) -> Message | None:
    """Our message with one of these Message-IDs, preferring the first id given; its thread loaded.

    The lookup selects a few columns of one table: most mail matches nothing, and a join of three
    wide tables costs more to plan than to run.
    """
    wanted = [message_id for message_id in ids if message_id][:50]
    if not wanted:
        return None
    found = {
        message.message_id_header: message
        for message in Message.objects.filter(message_id_header__in=wanted).only(
            "id", "organization_id", "thread_id", "candidate_id", "direction", "status", "to_email", "message_id_header"
        )
    }
    message = next((found[message_id] for message_id in wanted if message_id in found), None)
    if message is not None:
        message.thread = Thread.objects.select_related("organization").get(pk=message.thread_id)
    return message


def organization_for(addresses: list[str], tags: list[str]) -> Organization | None:
    """The organisation a recipient names: `reply+<slug>@domain` or `<slug>@domain`."""
    domain = inbound_domain()
    slugs = list(tags)
    for address in addresses:
        local, _, address_domain = address.lower().rpartition("@")
        if address_domain == domain and _SLUG_RE.match(local) and local not in slugs:
            slugs.append(local)
    slugs = [slug for slug in slugs if _SLUG_RE.match(slug)]
    if not slugs:
        return None
    by_slug = {org.slug: org for org in Organization.objects.filter(slug__in=slugs).only("id", "slug", "name")}
    return next((by_slug[slug] for slug in slugs if slug in by_slug), None)


def match_email(parsed: ParsedEmail, *, envelope_recipients: list[str] | None = None) -> Match:
    """Find the thread for this mail: token, then In-Reply-To, then References; else the organisation."""
    addresses = mail_addresses(parsed, envelope_recipients)
    tags = reply_tags(addresses)
    thread = thread_for_tags(tags)
    if thread is not None:
        return Match(thread=thread, organization=thread.organization, matched_by="token")
    # One query for both headers: In-Reply-To first, then References from the newest.
    ids = [parsed.in_reply_to, *reversed(parsed.references)]
    message = message_for_ids(ids)
    if message is not None:
        matched_by = "in-reply-to" if message.message_id_header == parsed.in_reply_to else "references"
        return Match(
            thread=message.thread, organization=message.thread.organization, matched_by=matched_by, message=message
        )
    organization = organization_for(addresses, tags)
    return Match(organization=organization, matched_by="org-address" if organization else "")


@dataclass
class VerpMatch:
    """A mail sent to a `bounce+<token>@…` address (VERP): a delivery report for one message of ours."""

    found: bool = False  # some recipient is a bounce+ address, known or not
    message: Message | None = None  # the outgoing message the token names, its thread and candidate loaded


def mail_addresses(parsed: ParsedEmail, envelope_recipients: list[str] | None = None) -> list[str]:
    """Every address the mail was delivered to: recipient headers (Delivered-To and X-Original-To
    among them) and the SMTP envelope's recipients, lower-cased, without repeats."""
    addresses = list(parsed.recipients)
    for address in envelope_recipients or []:
        address = address.strip().strip("<>").lower()
        if address and address not in addresses:
            addresses.append(address)
    return addresses


def match_verp(parsed: ParsedEmail, *, envelope_recipients: list[str] | None = None) -> VerpMatch:
    """The message a VERP address among the mail's recipients names (its token is its Message-ID's)."""
    found = verp_tokens_in(mail_addresses(parsed, envelope_recipients))
    if not found:
        return VerpMatch()
    return VerpMatch(found=True, message=message_for_verp(found))


_VERP_IN_TEXT = re.compile(rb"bounce\+([0-9a-f]{16,64})@([a-z0-9.-]{1,253})", re.IGNORECASE)


def verp_in_raw(raw: bytes) -> Message | None:
    """Our message named by a VERP address anywhere in a report (a complaint's `Original-Mail-From`,
    the returned original's `Return-Path`): the last way to tie a report to its message."""
    found = []
    for match in _VERP_IN_TEXT.finditer(raw[:2_000_000]):
        pair = (match.group(1).decode().lower(), match.group(2).decode().lower().rstrip("."))
        if pair not in found:
            found.append(pair)
    return message_for_verp(found) if found else None


def message_for_verp(found: list[tuple[str, str]]) -> Message | None:
    ids: list[str] = []
    for token, domain in found[:10]:
        for message_id in (message_id_for_verp(token, domain), message_id_for_verp(token, inbound_domain())):
            if message_id not in ids:
                ids.append(message_id)
    return (
        Message.objects.filter(message_id_header__in=ids, direction=Message.Direction.OUT)
        .select_related("thread__organization", "candidate")
        .order_by("id")
        .first()
    )
