"""How a delivery is signed: the scheme of the inbound e-mail webhook (messaging/webhooks.py), documented
in docs/webhooks.md.

HMAC-SHA256 with the endpoint's secret over `f"{timestamp}.".encode() + body`, hex, sent as
`X-TalentCircles-Signature`, with the unix time in `X-TalentCircles-Timestamp`. A receiver recomputes it
over the raw body it got and refuses a timestamp more than five minutes away from its clock.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-TalentCircles-Timestamp"
SIGNATURE_HEADER = "X-TalentCircles-Signature"
EVENT_HEADER = "X-TalentCircles-Event"
EVENT_ID_HEADER = "X-TalentCircles-Event-Id"
MAX_SKEW_SECONDS = 5 * 60


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """The hex HMAC-SHA256 of `timestamp.` + body: the same function as the inbound webhook's."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signed_headers(secret: str, body: bytes, *, event_type: str, event_id: str, now: float | None = None) -> dict:
    timestamp = str(int(now if now is not None else time.time()))
    return {
        "Content-Type": "application/json",
        "User-Agent": "TalentCircles-Webhooks/1",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
        EVENT_HEADER: event_type,
        EVENT_ID_HEADER: event_id,
    }


def verify(secret: str, headers: dict[str, str], body: bytes, *, now: float | None = None) -> bool:
    """What a receiver does (the example in docs/webhooks.md, and the tests' receiver)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    timestamp = lowered.get(TIMESTAMP_HEADER.lower(), "").strip()
    given = lowered.get(SIGNATURE_HEADER.lower(), "").strip().lower()
    if not timestamp.isdigit() or not given:
        return False
    if abs((now if now is not None else time.time()) - int(timestamp)) > MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), given)
