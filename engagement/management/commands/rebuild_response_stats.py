"""Rebuild the response-rate roll-ups from the messages: `rebuild_response_stats [--org SLUG] [--since DATE]`."""

from __future__ import annotations

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from engagement.analytics.rollups.rebuild import rollups_rebuild
from talentcircles.models import Organization


class Command(BaseCommand):
    help = "Recompute ResponseStat roll-ups from the messages (one transaction per organisation)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", help="Only this organisation (its slug).")
        parser.add_argument("--since", help="Only outreach first sent on or after this UTC date (YYYY-MM-DD).")

    def handle(self, *args, org: str | None = None, since: str | None = None, **options) -> None:
        try:
            since_day = date.fromisoformat(since) if since else None
        except ValueError as error:
            raise CommandError(f"--since must be a date like 2026-03-01, not {since!r}.") from error
        organizations = Organization.objects.order_by("pk")
        if org:
            organizations = organizations.filter(slug=org)
            if not organizations.exists():
                raise CommandError(f"No organisation with the slug {org!r}.")
        for organization in organizations:
            started = time.monotonic()
            rows = rollups_rebuild(org=organization, since=since_day)
            self.stdout.write(f"{organization.slug}: {rows} roll-up rows in {time.monotonic() - started:.1f} s")
