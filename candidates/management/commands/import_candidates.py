"""`manage.py import_candidates --org SLUG [--format …] [--owner EMAIL] FILE`: the web import, synchronously."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from candidates.importing.batch import failure_reason
from candidates.importing.jobs import AUTO, import_job_create
from candidates.importing.runner import import_job_run
from candidates.models import ImportJob
from talentcircles.models import Organization, User


class Command(BaseCommand):
    help = (
        "Import candidates from a CSV file, LinkedIn's Connections.csv or a JSON Resume file, as the web import "
        "does (columns mapped from their names, duplicates matched by e-mail then LinkedIn URL). Prints "
        "`created=N updated=N skipped=N failed=N`, then one line per failed row (`row N: reason`) and one per "
        "warning (`row N (created): what was left out`, `row N (skipped): No name…`)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the file to import.")
        parser.add_argument("--org", required=True, help="Slug of the organisation to import into.")
        parser.add_argument(
            "--format",
            choices=ImportJob.Format.values,
            default=AUTO,
            help="Default: decided from the file (.json → jsonresume; LinkedIn's header → linkedin; else csv).",
        )
        parser.add_argument("--owner", help="E-mail of a member who will own the new candidates.")
        parser.add_argument(
            "--row-by-row", action="store_true", help="Upsert one row at a time instead of in batches (slower)."
        )

    def handle(self, *args, file: str, org: str, format: str, owner: str | None, row_by_row: bool, **options):
        organisation = Organization.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation has the slug “{org}”.")
        owner_user = None
        if owner:
            owner_user = User.objects.filter(memberships__organization=organisation, email__iexact=owner).first()
            if owner_user is None:
                raise CommandError(f"No member of {organisation.name} has the e-mail {owner}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {path}.")

        with path.open("rb") as stream:
            try:
                job = import_job_create(
                    org=organisation,
                    actor=None,
                    upload=File(stream, name=path.name),
                    format=format,
                    owner=owner_user,
                    enqueue=False,
                )
            except ValidationError as exc:
                raise CommandError(failure_reason(exc)) from None
        job = import_job_run(job_id=job.pk, row_by_row=row_by_row) or job

        self.stdout.write(f"created={job.created} updated={job.updated} skipped={job.skipped} failed={job.failed}")
        for error in job.errors:
            self.stdout.write(f"row {error['row']}: {error['reason']}")
        for entry in job.warnings:
            for message in entry["messages"]:
                self.stdout.write(f"row {entry['row']} ({entry['outcome']}): {message}")
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.message)
