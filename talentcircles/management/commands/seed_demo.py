"""Create (or refresh) the demo community and print its logins. Safe to run again."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from talentcircles.demo import ADMIN_EMAIL, DEMO_PASSWORD, RECRUITER_EMAIL, demo_seed


class Command(BaseCommand):
    help = "Create the demo organisation with an admin and a recruiter, and print their logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--small",
            action="store_true",
            help="Only the five famous candidates, their circles and the sequences, without the generated "
            "community of ~300 people and its 120 days of outreach (seconds, not tens; the browser tests use it).",
        )

    def handle(self, *args, **options) -> None:
        started = time.perf_counter()
        demo = demo_seed(small=options["small"])
        self.stdout.write(f"Demo data ready in {time.perf_counter() - started:.1f} s.")
        self.stdout.write(f"Demo organisation: {demo.org.name} (/o/{demo.org.slug}/)")
        self.stdout.write(f"Admin login: {ADMIN_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"Recruiter login: {RECRUITER_EMAIL} / {DEMO_PASSWORD}")
        self.stdout.write(f"API token: {demo.api_key}")
