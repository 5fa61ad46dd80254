"""`POST /inbound/email`: a mail provider or MTA hands us one raw RFC 5322 message.

Authenticated by HMAC-SHA256 with INBOUND_EMAIL_SECRET over `f"{timestamp}.".encode() + body`,
sent as `X-TalentCircles-Timestamp` (unix seconds) and `X-TalentCircles-Signature` (hex). A
request more than five minutes old or new, unsigned, wrongly signed, or arriving while no
secret is configured gets 403 and nothing is stored. A replay inside the window is harmless:
the same mail is stored once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from messaging.inbound.ingest import MAX_RAW_BYTES, ingest

logger = logging.getLogger(__name__)

TIMESTAMP_HEADER = "X-TalentCircles-Timestamp"
SIGNATURE_HEADER = "X-TalentCircles-Signature"
MAX_SKEW_SECONDS = 5 * 60
ACCEPTED_CONTENT_TYPES = {"message/rfc822", "application/octet-stream", "text/plain", ""}


def inbound_signature(secret: str, timestamp: str, body: bytes) -> str:
    """The hex signature a sender puts in X-TalentCircles-Signature."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def _signature_ok(request: HttpRequest, body: bytes) -> bool:
    secret = getattr(settings, "INBOUND_EMAIL_SECRET", "") or ""
    timestamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
    signature = request.headers.get(SIGNATURE_HEADER, "").strip().lower()
    if not secret or not timestamp or not signature or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs(time.time() - int(timestamp)) > MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(inbound_signature(secret, timestamp, body), signature)


def _refuse(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"status": "refused", "error": reason}, status=status)


@csrf_exempt
@require_POST
def inbound_email(request: HttpRequest) -> JsonResponse:
    content_type = request.content_type or ""
    if content_type.lower() not in ACCEPTED_CONTENT_TYPES:
        return _refuse(415, "Send the raw message as message/rfc822 or application/octet-stream.")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refuse(400, "Bad Content-Length.")
    if declared > MAX_RAW_BYTES:
        return _refuse(413, f"The message is over {MAX_RAW_BYTES:,} bytes.")
    # Read the stream ourselves: request.body would refuse anything over DATA_UPLOAD_MAX_MEMORY_SIZE.
    body = request.read(MAX_RAW_BYTES + 1)
    if len(body) > MAX_RAW_BYTES:
        return _refuse(413, f"The message is over {MAX_RAW_BYTES:,} bytes.")
    if not _signature_ok(request, body):
        logger.warning("Inbound e-mail refused: missing, stale or wrong signature")
        return _refuse(403, "Missing, stale or wrong signature.")
    if not body.strip():
        return _refuse(400, "The body is empty: send the raw message.")
    try:
        result = ingest(body)
    except Exception:
        # ingest records bad mail itself; what reaches here is the database or a bug: ask the sender to retry.
        logger.exception("Inbound e-mail could not be stored")
        return JsonResponse({"status": "error", "error": "Temporarily unable to store the message."}, status=503)
    inbound = result.inbound
    return JsonResponse(
        {"status": inbound.status, "id": inbound.pk, "duplicate": not result.created},
        status=202 if result.created else 200,
    )
