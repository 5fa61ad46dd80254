"""Signed webhooks out (docs/webhooks.md): endpoints, the outbox written with each change, the delivery worker."""
