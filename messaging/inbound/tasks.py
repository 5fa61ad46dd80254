"""Polling an IMAP mailbox for replies, when IMAP_URL is set (imaps://user:password@host:993/INBOX)."""

from __future__ import annotations

import contextlib
import imaplib
import logging
from urllib.parse import unquote, urlsplit

from celery import shared_task
from django.conf import settings

from messaging.inbound.ingest import ingest

logger = logging.getLogger(__name__)

# One run handles at most this many mails; the next run (a minute later) takes the rest.
MAX_PER_RUN = 500
IMAP_TIMEOUT_SECONDS = 60


def _connect(url: str) -> tuple[imaplib.IMAP4, str]:
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("IMAP_URL must look like imaps://user:password@host:993/INBOX")
    port = parts.port or (993 if parts.scheme == "imaps" else 143)
    if parts.scheme == "imaps":
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(parts.hostname, port, timeout=IMAP_TIMEOUT_SECONDS)
    else:
        client = imaplib.IMAP4(parts.hostname, port, timeout=IMAP_TIMEOUT_SECONDS)
        client.starttls()
    client.login(unquote(parts.username or ""), unquote(parts.password or ""))
    return client, unquote(parts.path.lstrip("/")) or "INBOX"


def imap_poll(url: str) -> int:
    """Ingest every unseen mail in the mailbox and mark it seen; the number ingested."""
    client, mailbox = _connect(url)
    count = 0
    try:
        status, _ = client.select(f'"{mailbox}"')
        if status != "OK":
            raise ValueError(f"IMAP mailbox {mailbox!r} cannot be opened.")
        status, data = client.uid("SEARCH", "UNSEEN")  # no charset: US-ASCII
        uids = (data[0] or b"").split() if status == "OK" and data else []
        # The uids go back as the bytes the server sent: imaplib takes bytes arguments, typeshed only str.
        for uid in uids[:MAX_PER_RUN]:
            status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")  # type: ignore[arg-type]
            raw = next((item[1] for item in fetched or [] if isinstance(item, tuple)), None)
            if status != "OK" or raw is None:
                continue
            ingest(raw)  # stored (or refused and recorded) before the mail is marked seen
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")  # type: ignore[arg-type]
            count += 1
    finally:
        with contextlib.suppress(imaplib.IMAP4.error, OSError):
            client.logout()
    return count


@shared_task
def poll_imap_mailbox() -> int:
    url = getattr(settings, "IMAP_URL", "") or ""
    if not url:
        return 0
    count = imap_poll(url)
    if count:
        logger.info("Ingested %d e-mail(s) from IMAP", count)
    return count
