"""Send the community digests that are due now (what the beat task does), once."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from engagement.circles.digests import PERIODS, community_digests_send


class Command(BaseCommand):
    help = (
        "E-mail each community member who is due a digest the new posts of their circles, per their "
        "frequency. A post is never e-mailed to the same person twice, so this is safe to run again."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--frequency",
            choices=[str(frequency) for frequency in PERIODS],
            help="Only members who chose this frequency (default: every frequency).",
        )

    def handle(self, *args, **options) -> None:
        sent = community_digests_send(frequency=options.get("frequency"))
        self.stdout.write(f"Sent {sent} digest{'' if sent == 1 else 's'}.")
