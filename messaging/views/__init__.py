"""Recruiter pages of the messaging app, mounted under /o/<org_slug>/messages/ (see `messaging.urls`).

One module per area: conversations and the composer, bulk compose, templates, the unmatched inbox.
"""
