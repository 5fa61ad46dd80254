"""Start the existing people's retention clocks from their history, once, after upgrading.

    python manage.py start_retention_clocks

Until it has run, the people who were there before the upgrade count from the upgrade, so nobody is
anonymised early. It works in batches (see candidates/retention/backfill.py); run it again if it stops.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from candidates.retention.backfill import clocks_start


class Command(BaseCommand):
    help = "Set the retention clocks the upgrade started to each person's last contact, consent or creation."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=5000, help="Rows per transaction (default 5000).")

    def handle(self, *args, batch: int, verbosity: int, **options) -> None:
        started = time.perf_counter()
        say = self.stdout.write if verbosity >= 2 else None
        updated = clocks_start(batch=max(batch, 1), say=say)
        self.stdout.write(
            f"{updated:,} retention clock(s) started from history in {time.perf_counter() - started:.1f} s."
        )
