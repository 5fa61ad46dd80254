"""Recompute the stored likely-duplicate pairs of one organisation, or of all.

    python manage.py rebuild_duplicates --org demo
    python manage.py rebuild_duplicates --all

Run it once after upgrading to the stored pairs (existing candidates have none yet) and after
bulk writes that bypass the services (a raw COPY). Dismissed pairs ("not a duplicate") stay dismissed.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from candidates.duplicates.services import duplicates_rebuild
from talentcircles.models import Organization


class Command(BaseCommand):
    help = "Recompute the likely-duplicate pairs of an organisation (--org SLUG) or of every one (--all)."

    def add_arguments(self, parser) -> None:
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--org", help="The organisation's slug.")
        which.add_argument("--all", action="store_true", help="Every organisation.")

    def handle(self, *args, org: str | None, all: bool, **options) -> None:
        organisations = Organization.objects.order_by("pk")
        if org is not None:
            organisations = organisations.filter(slug=org)
            if not organisations.exists():
                raise CommandError(f"No organisation with the slug “{org}”.")
        for organisation in organisations:
            started = time.perf_counter()
            count = duplicates_rebuild(org=organisation)
            elapsed = time.perf_counter() - started
            self.stdout.write(f"{organisation.slug}: {count:,} likely duplicate pair(s) in {elapsed:.1f} s")
