"""Write realistic conversations among an organisation's candidates, for the analytics benchmark.

    python manage.py seed_scale --org demo --candidates 200000
    python manage.py seed_messages --org demo --messages 10000000

Recruiter, bulk and sequence outreach over the last ~120 days with realistic sent, bounced, failed,
answered, auto-replied and clicked mixes, with engagement's rows for them (enrollments and their
messages' links, circle outreach); see `engagement/management/seed_messages.py`. Then
`rebuild_response_stats` builds the roll-ups.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from engagement.management.seed_messages import seed_messages
from talentcircles.models import Organization


class Command(BaseCommand):
    help = "Write about N messages (whole conversations) among an existing organisation's candidates."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="The organisation's slug.")
        parser.add_argument("--messages", type=int, required=True, help="How many messages to write.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed for who, when and what.")

    def handle(self, *args, org: str, messages: int, seed: int, **options) -> None:
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organisation with the slug “{org}”. Create it first (e.g. manage.py seed_demo).")
        if messages < 1:
            raise CommandError("Give a positive --messages.")
        try:
            seed_messages(org=organization, messages=messages, seed=seed, out=self.stdout)
        except ValueError as problem:  # no candidates or no members yet
            raise CommandError(str(problem)) from None
