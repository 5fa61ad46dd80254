"""Signed links in outgoing e-mail: one-click unsubscribe and one-click "Interested" / "Not interested".

Also what a click on a response link records (`response_record`).

A token is `<ids in base 36>.<HMAC>`: the HMAC is Django's `salted_hmac` (SECRET_KEY, and the
SECRET_KEY_FALLBACKS while a key is rotated) with a salt per kind of link, so an unsubscribe token
can never be replayed as a response token. Tokens are lowercase letters, digits and dots only: they
survive in a URL path and in the local part of an e-mail address (`unsubscribe+<token>@…`), where
some mail systems change the case. They do not expire: an unsubscribe link must work for as long as
the e-mail sits in someone's mailbox.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

from candidates.models import Candidate, ConsentRecord, MergeRecord
from candidates.privacy import candidate_unsubscribe
from messaging.models import Message, Thread
from messaging.services import message_receive

UNSUBSCRIBE_SALT = "messaging.links.unsubscribe"
RESPONSE_SALT = "messaging.links.response"
# 24 hex digits: 96 bits of HMAC, plenty for a link that needs no secrecy beyond "not guessable".
SIGNATURE_CHARS = 24
# One letter per classification keeps the response link short.
_CLASSIFICATION_CODES: dict[str, str] = {
    Message.Classification.INTERESTED: "i",
    Message.Classification.NOT_INTERESTED: "n",
}
_CODE_CLASSIFICATIONS = {code: classification for classification, code in _CLASSIFICATION_CODES.items()}
RESPONSE_CLASSIFICATIONS = tuple(_CLASSIFICATION_CODES)
_MAX_TOKEN_CHARS = 80
# A merged-away candidate's old links lead to the record it was merged into; follow at most this many merges.
_MAX_MERGE_HOPS = 5


def _b36(number: int) -> str:
    if number < 0:
        raise ValueError("Ids are positive.")
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out


def _int36(text: str) -> int | None:
    if not text or len(text) > 13 or not text.isalnum() or not text.isascii():
        return None
    return int(text, 36)


def _signature(salt: str, value: str, secret: str | None = None) -> str:
    return salted_hmac(salt, value, secret=secret, algorithm="sha256").hexdigest()[:SIGNATURE_CHARS]


def _sign(salt: str, value: str) -> str:
    return f"{value}.{_signature(salt, value)}"


def _unsign(salt: str, token: str) -> str | None:
    """The signed value, or None for anything tampered with, truncated or not ours."""
    token = (token or "").strip().lower()
    if len(token) > _MAX_TOKEN_CHARS or "." not in token:
        return None
    value, signature = token.rsplit(".", 1)
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        if constant_time_compare(signature, _signature(salt, value, secret)):
            return value
    return None


def ids_token(salt: str, *ids: int) -> str:
    """A link token naming these ids, signed as the unsubscribe token is; the same every time.

    For links of other apps (the community's unsubscribe links): give each kind of link its own
    salt, so that no token is ever accepted as another kind's.
    """
    return _sign(salt, ".".join(_b36(number) for number in ids))


def ids_from_token(salt: str, token: str, count: int) -> tuple[int, ...] | None:
    """The `count` ids an `ids_token` of this salt names, or None for anything tampered with or not ours."""
    value = _unsign(salt, token)
    if value is None or value.count(".") != count - 1:
        return None
    ids: list[int] = []
    for part in value.split("."):
        number = _int36(part)
        if number is None:
            return None
        ids.append(number)
    return tuple(ids)


def candidate_by_ids(org_id: int, candidate_id: int) -> Candidate | None:
    """The candidate a link names (organisation and candidate ids), or None when there is no such candidate.

    A candidate merged into another since the e-mail went out resolves to the record it was merged into.
    """
    for _hop in range(_MAX_MERGE_HOPS):
        candidate = Candidate.objects.select_related("organization").filter(pk=candidate_id, organization_id=org_id)
        found = candidate.first()
        if found is not None:
            return found
        merged_into = (
            MergeRecord.objects.filter(organization_id=org_id, merged_candidate_id=candidate_id)
            .values_list("kept_id", flat=True)
            .first()
        )
        if merged_into is None:
            return None
        candidate_id = merged_into
    return None


# --- Unsubscribe -----------------------------------------------------------------------------


def unsubscribe_token(candidate: Candidate) -> str:
    """The candidate's unsubscribe token (organisation and candidate ids, signed); the same every time."""
    return ids_token(UNSUBSCRIBE_SALT, candidate.organization_id, candidate.pk)


def candidate_for_unsubscribe_token(token: str) -> Candidate | None:
    """The candidate a (possibly mailto-lowercased) unsubscribe token names, or None when it is not valid.

    A candidate merged into another since the e-mail went out resolves to the record it was merged into.
    """
    ids = ids_from_token(UNSUBSCRIBE_SALT, token, 2)
    return None if ids is None else candidate_by_ids(*ids)


def unsubscribe_url(candidate: Candidate) -> str:
    """Absolute: what goes into the footer and the List-Unsubscribe header."""
    return settings.SITE_URL + reverse("unsubscribe", args=[unsubscribe_token(candidate)])


def unsubscribe_mailto(candidate: Candidate) -> str:
    """The mailto form of List-Unsubscribe; the inbound mail handler reads the token from the address."""
    return f"mailto:unsubscribe+{unsubscribe_token(candidate)}@{settings.INBOUND_EMAIL_DOMAIN}?subject=unsubscribe"


_UNSUBSCRIBE_LOCAL_PART = re.compile(rf"^unsubscribe\+([a-z0-9.]{{1,{_MAX_TOKEN_CHARS}}})$")


def unsubscribe_tokens_in(addresses: Iterable[str]) -> list[str]:
    """The token of every `unsubscribe+<token>@<INBOUND_EMAIL_DOMAIN>` among the addresses, in order."""
    domain = settings.INBOUND_EMAIL_DOMAIN.strip().lower()
    tokens = []
    for address in addresses:
        local, _, address_domain = (address or "").strip().strip("<>").lower().rpartition("@")
        found = _UNSUBSCRIBE_LOCAL_PART.match(local)
        if found and address_domain == domain and found.group(1) not in tokens:
            tokens.append(found.group(1))
    return tokens


def unsubscribe_by_email(*, addresses: Iterable[str]) -> list[Candidate]:
    """The mailto form of List-Unsubscribe: a mail to `unsubscribe+<token>@…` unsubscribes whom the token names.

    For the inbound mail handler, with the mail's recipient addresses; returns the candidates
    unsubscribed (empty when no address carries a valid token). Harmless when repeated.
    """
    unsubscribed = []
    for token in unsubscribe_tokens_in(addresses):
        candidate = candidate_for_unsubscribe_token(token)
        if candidate is None or candidate.erased_at:
            continue
        unsubscribed.append(candidate_unsubscribe(candidate=candidate, source=ConsentRecord.Source.UNSUBSCRIBE_LINK))
    return unsubscribed


# --- One-click responses ---------------------------------------------------------------------


def response_token(message: Message, classification: str) -> str:
    code = _CLASSIFICATION_CODES.get(classification)
    if code is None:
        raise ValueError(f"No one-click link for classification {classification!r}.")
    return _sign(RESPONSE_SALT, f"{_b36(message.pk)}.{code}")


def response_url(message: Message, classification: str) -> str:
    """Absolute link that records "Interested" or "Not interested" for this outgoing message."""
    return settings.SITE_URL + reverse("message_response", args=[response_token(message, classification)])


def message_for_response_token(token: str) -> tuple[Message, str] | None:
    """The outgoing e-mail message and the classification a response token stands for, or None."""
    value = _unsign(RESPONSE_SALT, token)
    if value is None or value.count(".") != 1:
        return None
    message_part, code = value.split(".")
    message_id = _int36(message_part)
    classification = _CODE_CLASSIFICATIONS.get(code)
    if message_id is None or classification is None:
        return None
    message = (
        Message.objects.outgoing()
        .filter(pk=message_id, channel=Message.Channel.EMAIL)
        .select_related("thread", "candidate", "organization", "sender")
        .first()
    )
    if message is None:
        return None
    return message, classification


@transaction.atomic
def response_record(*, message: Message, classification: str) -> tuple[Message, bool]:
    """Record the candidate's one-click answer to `message`; (the click message, whether it is new).

    Clicking the same button twice (or a mail client following the link again) records it once:
    a click with this classification already in the thread after `message` is returned as it is.
    Emits RESPONSE_CLICKED through `message_receive` when new.
    """
    if classification not in RESPONSE_CLASSIFICATIONS:
        raise ValueError(f"No one-click response {classification!r}.")
    # The thread row is the lock: two simultaneous clicks are serialised and the second sees the first.
    thread = Thread.objects.select_for_update().select_related("candidate").get(pk=message.thread_id)
    existing = (
        Message.objects.incoming()
        .filter(
            thread=thread,
            channel=Message.Channel.CLICK,
            classification=classification,
            created_at__gte=message.created_at,
        )
        .order_by("created_at", "id")
        .first()
    )
    if existing is not None:
        return existing, False
    label = Message.Classification(classification).label
    click = message_receive(
        thread=thread,
        channel=Message.Channel.CLICK,
        body_text=f"Clicked “{label}”",
        classification=classification,
    )
    return click, True
