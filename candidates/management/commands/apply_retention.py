"""Apply the organisations' retention policies now, or see what that would do.

    python manage.py apply_retention --dry-run             # every organisation whose policy is on
    python manage.py apply_retention --org demo --dry-run
    python manage.py apply_retention --org demo

The same pass as the daily task (candidates/retention/run.py), recorded as a run the admins see.
With --dry-run nobody is anonymised; the people who would be are listed by id (-v 2: with names).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from candidates.models import Candidate
from candidates.retention.clock import anchor_limit, today
from candidates.retention.run import retention_apply
from talentcircles.models import Organization


class Command(BaseCommand):
    help = "Anonymise the people whose retention clock ran out (--dry-run: only list them)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", help="One organisation's slug (default: every one whose policy is on).")
        parser.add_argument("--dry-run", action="store_true", help="Change nothing; say what would be done.")

    def handle(self, *args, org: str | None, dry_run: bool, verbosity: int, **options) -> None:
        organisations = Organization.objects.order_by("pk")
        if org is not None:
            organisations = organisations.filter(slug=org)
            if not organisations.exists():
                raise CommandError(f"No organisation with the slug “{org}”.")
        else:
            organisations = organisations.filter(retention_enabled=True)
        for organisation in organisations:
            self._apply(organisation, dry_run=dry_run, verbosity=verbosity)

    def _apply(self, org: Organization, *, dry_run: bool, verbosity: int) -> None:
        if not org.retention_enabled:
            self.stdout.write(f"{org.slug}: the retention policy is off; nobody is anonymised.")
            return
        if anchor_limit(org, today()) is None:
            self.stdout.write(f"{org.slug}: within the 30 days' notice after the policy was switched on or shortened.")

        def progress(candidate_id: int, outcome: str) -> None:
            if verbosity >= 2 or (dry_run and verbosity >= 1):
                name = Candidate.objects.get(pk=candidate_id).full_name if verbosity >= 2 else ""
                self.stdout.write(f"  {outcome}: #{candidate_id} {name}".rstrip())

        run = retention_apply(org=org, dry_run=dry_run, triggered_by="command", progress=progress)
        if dry_run:
            self.stdout.write(f"{org.slug}: {run.due:,} would be anonymised (dry run: nothing changed).")
        else:
            self.stdout.write(
                f"{org.slug}: {run.anonymised:,} anonymised of {run.due:,} due, "
                f"{run.skipped:,} no longer due, {run.errors:,} error(s)."
            )
