"""Send the "My day" e-mails that are due now (what the hourly beat task does), once."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from engagement.timeline.digests import recruiter_digests_send


class Command(BaseCommand):
    help = (
        "E-mail each recruiter whose local time has passed 07:00 their due reminders and cold relationships, "
        "at most once per local day. Safe to run again."
    )

    def handle(self, *args, **options) -> None:
        sent = recruiter_digests_send()
        self.stdout.write(f"Sent {sent} recruiter digest{'' if sent == 1 else 's'}.")
