"""Run the follow-up dispatcher once (what the beat task does every minute)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from engagement.sequences.dispatcher import dispatch_due


class Command(BaseCommand):
    help = (
        "Run every due sequence step once: write and queue its e-mail or create its task reminder, then "
        "schedule the next step. Safe to run again or alongside the beat task: steps are claimed, never run twice."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch-size", type=int, default=100, help="Enrollments claimed per transaction.")

    def handle(self, *args, **options) -> None:
        result = dispatch_due(batch_size=options["batch_size"])
        counts = ", ".join(f"{value} {name}" for name, value in result.as_dict().items())
        self.stdout.write(f"Dispatched: {counts}.")
