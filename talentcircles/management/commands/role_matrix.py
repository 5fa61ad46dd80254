"""Print the role matrix (docs/roles.md) from the code, or check that the document matches it."""

from __future__ import annotations

import difflib
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from talentcircles.role_matrix import DOC_END, DOC_START, markdown

DOC = Path(settings.BASE_DIR) / "docs" / "roles.md"


def documented() -> str:
    """The generated part of docs/roles.md, markers included."""
    text = DOC.read_text(encoding="utf-8")
    start, end = text.find(DOC_START), text.find(DOC_END)
    if start < 0 or end < 0:
        raise CommandError(f"{DOC} has no role matrix between the markers.")
    return text[start : end + len(DOC_END)] + "\n"


class Command(BaseCommand):
    help = "Print the role-by-capability matrix and what each page and API route needs, as Markdown."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="Fail if docs/roles.md differs from the code.")
        parser.add_argument("--write", action="store_true", help="Rewrite the matrix in docs/roles.md.")

    def handle(self, *args, **options) -> None:
        generated = markdown()
        if options["write"]:
            text = DOC.read_text(encoding="utf-8")
            DOC.write_text(text.replace(documented().rstrip("\n"), generated.rstrip("\n")), encoding="utf-8")
            self.stdout.write(f"Wrote the role matrix to {DOC}.")
        elif options["check"]:
            if documented() != generated:
                diff = difflib.unified_diff(
                    documented().splitlines(), generated.splitlines(), "docs", "code", lineterm=""
                )
                raise CommandError(
                    "docs/roles.md is out of date: run `manage.py role_matrix --write`.\n" + "\n".join(list(diff)[:20])
                )
            self.stdout.write("docs/roles.md matches the code.")
        else:
            self.stdout.write(generated, ending="")
