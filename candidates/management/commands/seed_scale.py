"""Create many realistic candidates fast, to try the app and benchmark it at scale.

    python manage.py seed_scale --org demo --candidates 1000000

Conversations among them come from engagement's `seed_messages --org demo --messages N`: they
involve sequences and circles, which this app sits below. The people are made by
`candidates.seeding.people` and written by `candidates.seeding.write` (COPY on PostgreSQL).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from candidates.seeding.write import candidates_seed
from talentcircles.models import Organization


class Command(BaseCommand):
    help = "Create N realistic candidates in an existing organisation, fast (COPY on PostgreSQL)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", required=True, help="The organisation's slug.")
        parser.add_argument("--candidates", type=int, required=True, help="How many candidates to create.")
        parser.add_argument("--batch", type=int, default=20_000, help="Rows per transaction (default 20000).")
        parser.add_argument("--seed", type=int, default=42, help="Random seed for names, skills and dates.")

    def handle(self, *args, org: str, candidates: int, batch: int, seed: int, **options) -> None:
        organization = Organization.objects.filter(slug=org).first()
        if organization is None:
            raise CommandError(f"No organisation with the slug “{org}”. Create it first (e.g. manage.py seed_demo).")
        if candidates < 1 or batch < 1:
            raise CommandError("Give a positive --candidates and a positive --batch.")
        candidates_seed(org=organization, candidates=candidates, batch=batch, seed=seed, say=self.stdout.write)
