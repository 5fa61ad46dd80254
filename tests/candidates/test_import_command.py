"""`manage.py import_candidates`: the same import, synchronously: a summary line, one line per failure and warning."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from candidates.models import Candidate, ImportJob

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _run(*args: str) -> list[str]:
    out = io.StringIO()
    call_command("import_candidates", *args, stdout=out)
    return out.getvalue().splitlines()


def _file(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_it_imports_a_linkedin_export_found_by_its_header(acme, tmp_path):
    # Named like any CSV: the format comes from the header after LinkedIn's notes.
    path = shutil.copy(FILES / "linkedin_connections.csv", tmp_path / "export.csv")
    assert _run("--org", acme.org.slug, "--owner", acme.user.email, str(path)) == [
        "created=5 updated=0 skipped=0 failed=0"
    ]
    job = ImportJob.objects.get()
    assert (job.format, job.status, job.created_by) == ("linkedin", "finished", None)
    assert Candidate.objects.for_org(acme.org).filter(owner=acme.user, source="import").count() == 5
    assert _run("--org", acme.org.slug, str(path)) == ["created=0 updated=0 skipped=5 failed=0"]


def test_it_prints_one_line_per_failed_row_and_per_warning(acme, tmp_path):
    data = (
        "Name,E-mail,Phone\nAda Lovelace,ada@example.com,\nBad,not-an-email,Upon request\n,someone@example.com,\n"
        f"{'N' * 101},long@example.com,\n"
    ).encode()
    lines = _run("--org", acme.org.slug, "--format", "csv", _file(tmp_path, "people.csv", data))
    assert lines == [
        "created=2 updated=0 skipped=1 failed=1",
        "row 5: first_name: Ensure this value has at most 100 characters (it has 101).",
        "row 3 (created): email: “not-an-email” is not a valid e-mail address. Left out.",
        "row 3 (created): phone: “Upon request” is not a phone number we can read. Include the country code, "
        "e.g. +44 20 7946 0958. Left out.",
        "row 4 (skipped): No name: skipped (a new candidate needs a first or last name).",
    ]


def test_it_imports_a_json_resume_by_its_extension(acme, tmp_path):
    path = shutil.copy(FILES / "sample.resume.json", tmp_path / "richard.json")
    assert _run("--org", acme.org.slug, str(path)) == ["created=1 updated=0 skipped=0 failed=0"]
    assert Candidate.objects.for_org(acme.org).get().full_name == "Richard Hendriks"


def test_row_by_row_gives_the_same_summary(acme, tmp_path):
    path = shutil.copy(FILES / "linkedin_connections.csv", tmp_path / "Connections.csv")
    assert _run("--org", acme.org.slug, "--row-by-row", str(path)) == ["created=5 updated=0 skipped=0 failed=0"]


def test_an_unknown_organisation_is_named(db, tmp_path):
    with pytest.raises(CommandError, match="No organisation has the slug “nope”"):
        _run("--org", "nope", _file(tmp_path, "p.csv", b"Name\nAda\n"))


def test_an_owner_from_elsewhere_is_refused(acme, globex, tmp_path):
    with pytest.raises(CommandError, match=re.escape(f"No member of Acme Inc has the e-mail {globex.user.email}.")):
        _run("--org", acme.org.slug, "--owner", globex.user.email, _file(tmp_path, "p.csv", b"Name\nAda\n"))


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"Name,Email\n", "file: The file has a header but no rows."), (b"", "file: The file is empty.")],
)
def test_a_file_that_cannot_be_imported_is_an_error_and_stores_nothing(acme, tmp_path, data, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        _run("--org", acme.org.slug, _file(tmp_path, "p.csv", data))
    assert not ImportJob.objects.exists()


def test_a_missing_file_is_an_error(acme, tmp_path):
    with pytest.raises(CommandError, match="No file at"):
        _run("--org", acme.org.slug, str(tmp_path / "missing.csv"))
