"""Replies in: raw e-mail parsed, cleaned, recognised (auto-reply, bounce), matched and stored.

`ingest_raw(raw)` is the entry point (webhook, `manage.py ingest_email`, the IMAP task);
`inbound_assign` files an unmatched mail under a candidate.
"""
