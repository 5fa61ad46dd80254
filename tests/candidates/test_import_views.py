"""Import pages: upload, column mapping, live progress, the report (failed rows, rows with warnings), the list; and
tenancy."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates.importing.jobs import import_job_create
from candidates.models import Candidate, ImportJob

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _url(tenant, suffix: str = "") -> str:
    return f"/o/{tenant.org.slug}/candidates/imports/{suffix}"


def _upload(tenant, name: str, data: bytes, format: str = "auto", **fields):
    file = SimpleUploadedFile(name, data)
    return tenant.client.post(_url(tenant, "new/"), {"file": file, "format": format, **fields})


def _mapping_post(job: ImportJob, choices: dict[str, str], headers: list[str]) -> dict[str, str]:
    return {f"column_{n}": choices.get(header, "") for n, header in enumerate(headers)}


@pytest.fixture
def waiting_job(acme):
    """A LinkedIn export uploaded through the page, waiting on the mapping step."""
    response = _upload(acme, "Connections.csv", (FILES / "linkedin_connections.csv").read_bytes(), owner=acme.user.pk)
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(acme, f"{job.pk}/mapping/")
    return job


def test_the_upload_page_offers_formats_and_owners(acme):
    response = acme.client.get(_url(acme, "new/"))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "LinkedIn Connections.csv" in page and "JSON Resume" in page
    assert response.context["form"]["owner"].value() == acme.user.pk


def test_the_mapping_page_previews_rows_with_guessed_fields(acme, waiting_job):
    assert waiting_job.format == ImportJob.Format.LINKEDIN
    assert waiting_job.owner == acme.user
    response = acme.client.get(_url(acme, f"{waiting_job.pk}/mapping/"))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.total == 5 and len(preview.rows) == 5
    assert preview.headers[2] == "URL"
    form = response.context["form"]
    assert form["column_2"].value() == "linkedin_url"
    assert form["column_6"].value() == ""  # Connected On is ignored
    page = response.content.decode()
    assert "Núñez 🚀" in page
    assert "Field for the column “Email Address”" in page
    assert '<option value="email" selected>' in page


def test_starting_the_import_runs_it_and_the_job_page_shows_the_counts(
    acme, waiting_job, django_capture_on_commit_callbacks
):
    headers = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
    choices = {"First Name": "first_name", "Last Name": "last_name", "URL": "linkedin_url", "Company": "tags"}
    with django_capture_on_commit_callbacks(execute=True):
        response = acme.client.post(
            _url(acme, f"{waiting_job.pk}/mapping/"), _mapping_post(waiting_job, choices, headers)
        )
    assert response.status_code == 302
    assert response["Location"] == _url(acme, f"{waiting_job.pk}/")
    waiting_job.refresh_from_db()
    assert waiting_job.status == ImportJob.Status.FINISHED
    assert waiting_job.mapping["Email Address"] == ""  # the recruiter chose to ignore it
    assert Candidate.objects.for_org(acme.org).count() == 5
    assert not Candidate.objects.exclude(email="").exists()
    assert Candidate.objects.filter(tags__name="Initech, Inc.").exists() is False  # tags split on commas
    assert Candidate.objects.filter(tags__name="Initech").exists()

    page = acme.client.get(response["Location"]).content.decode()
    assert 'id="import-created">5<' in page
    assert "hx-trigger" not in page  # finished: no more polling


def test_the_progress_partial_polls_until_the_job_is_done(acme, waiting_job):
    ImportJob.objects.filter(pk=waiting_job.pk).update(status="running", total=200, processed=50)
    response = acme.client.get(_url(acme, f"{waiting_job.pk}/progress/"), HTTP_HX_REQUEST="true")
    fragment = response.content.decode()
    assert response.status_code == 200
    assert f'hx-get="{_url(acme, f"{waiting_job.pk}/progress/")}"' in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert 'aria-valuenow="25"' in fragment
    assert "<html" not in fragment

    ImportJob.objects.filter(pk=waiting_job.pk).update(status="finished", processed=200, created=190, failed=10)
    fragment = acme.client.get(_url(acme, f"{waiting_job.pk}/progress/"), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in fragment and "hx-get" not in fragment
    assert 'aria-valuenow="100"' in fragment
    assert 'id="import-failed">10<' in fragment
    assert _url(acme, f"{waiting_job.pk}/failures.csv") in fragment


def test_a_mapping_that_names_no_one_is_refused(acme, waiting_job):
    headers = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
    response = acme.client.post(
        _url(acme, f"{waiting_job.pk}/mapping/"), _mapping_post(waiting_job, {"Company": "current_company"}, headers)
    )
    assert response.status_code == 400
    assert "Choose a column for the name, the e-mail or the LinkedIn URL." in response.content.decode()
    waiting_job.refresh_from_db()
    assert waiting_job.status == ImportJob.Status.MAPPING


def test_the_same_field_for_two_columns_is_refused(acme, waiting_job):
    headers = ["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"]
    choices = {"First Name": "first_name", "Company": "current_company", "Position": "current_company"}
    response = acme.client.post(_url(acme, f"{waiting_job.pk}/mapping/"), _mapping_post(waiting_job, choices, headers))
    assert response.status_code == 400
    assert "more than one column (Company, Position)" in response.content.decode()


def test_a_started_job_no_longer_shows_its_mapping(acme, waiting_job):
    ImportJob.objects.filter(pk=waiting_job.pk).update(status="finished")
    response = acme.client.get(_url(acme, f"{waiting_job.pk}/mapping/"))
    assert response.status_code == 302 and response["Location"] == _url(acme, f"{waiting_job.pk}/")
    response = acme.client.post(_url(acme, f"{waiting_job.pk}/mapping/"), {"column_0": "first_name"})
    assert response.status_code == 302
    assert not Candidate.objects.exists()


def test_a_json_resume_skips_the_mapping_step(acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(acme, "resume.json", (FILES / "sample.resume.json").read_bytes())
    job = ImportJob.objects.get()
    assert response["Location"] == _url(acme, f"{job.pk}/")
    job.refresh_from_db()
    assert (job.format, job.status, job.created) == ("jsonresume", "finished", 1)


@pytest.mark.parametrize(
    ("name", "data", "format", "message"),
    [
        ("empty.csv", b"", "auto", "The submitted file is empty."),  # Django's own check comes first
        ("blank.csv", b"\n\n  \n", "csv", "The file is empty."),
        ("header.csv", b"First Name,Email\r\n", "csv", "The file has a header but no rows."),
        ("photo.csv", b"\x89PNG\r\n\x1a\n\x00\x00", "csv", "This file is a PNG image, not CSV or JSON."),
        ("resume.json", b'{"basics": ', "auto", "The file is not valid JSON"),
        ("people.csv", b"Name,Email\nAda,a@example.com\n", "linkedin", "not LinkedIn&#x27;s Connections.csv"),
    ],
)
def test_files_that_cannot_be_imported_are_form_errors_and_store_nothing(acme, name, data, format, message):
    response = _upload(acme, name, data, format)
    assert response.status_code in (200, 400)
    assert response.context["form"].errors["file"]
    assert message in response.content.decode()
    assert not ImportJob.objects.exists()


_FORMULA_NAME = '=HYPERLINK("x")' + "x" * 90  # too long for a first name


@pytest.fixture
def reported_job(acme, django_capture_on_commit_callbacks) -> ImportJob:
    """A finished import with one failed row, one imported without its phone and one skipped for want of a name."""
    data = (
        "Name,Email,Phone\n"
        "Ada,ada@example.com,\n"
        f"{_FORMULA_NAME},x@example.com,+44 20 7946 0958\n"
        "Phone,p@example.com,12\n"
        ",nobody@example.com,\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(org=acme.org, actor=acme.user, upload=SimpleUploadedFile("p.csv", data.encode()))
    job.refresh_from_db()
    assert (job.created, job.skipped, job.failed) == (2, 1, 1)
    return job


def _csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_the_failures_csv_lists_each_failed_row_with_its_reason(acme, reported_job):
    response = acme.client.get(_url(acme, f"{reported_job.pk}/failures.csv"))
    assert f'filename="import-{reported_job.pk}-failed-rows.csv"' in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == ["row", "reason", "Name", "Email", "Phone"]
    # A cell a spreadsheet would run as a formula is defused; a phone number is left as it is.
    assert rows[1:] == [["3", "first_name: Ensure this value has at most 100 characters (it has 105).",
                         f"'{_FORMULA_NAME}", "x@example.com", "+44 20 7946 0958"]]  # fmt: skip


def test_the_warnings_csv_lists_each_row_with_what_was_left_out(acme, reported_job):
    response = acme.client.get(_url(acme, f"{reported_job.pk}/warnings.csv"))
    assert f'filename="import-{reported_job.pk}-rows-with-warnings.csv"' in response["Content-Disposition"]
    rows = _csv_rows(response)
    assert rows[0] == ["row", "outcome", "warnings", "Name", "Email", "Phone"]
    assert rows[1][:2] == ["4", "created"] and rows[1][3:] == ["Phone", "p@example.com", "12"]
    assert rows[1][2].startswith("phone: “12” is not a phone number we can read.") and rows[1][2].endswith("Left out.")
    assert rows[2] == ["5", "skipped", "No name: skipped (a new candidate needs a first or last name).", "",
                       "nobody@example.com", ""]  # fmt: skip


def test_the_job_page_shows_the_rows_with_warnings(acme, reported_job):
    page = acme.client.get(_url(acme, f"{reported_job.pk}/")).content.decode()
    assert 'id="import-skipped">1<' in page and "Skipped (already known, or no name)" in page
    assert "2 rows with warnings" in page
    assert _url(acme, f"{reported_job.pk}/warnings.csv") in page
    assert "phone: “12” is not a phone number we can read." in page
    assert "<td>Skipped</td><td><div>No name: skipped (a new candidate needs a first or last name).</div>" in page


def test_a_job_without_warnings_shows_no_warnings_section(acme, waiting_job):
    ImportJob.objects.filter(pk=waiting_job.pk).update(status="finished", processed=5, created=5)
    page = acme.client.get(_url(acme, f"{waiting_job.pk}/")).content.decode()
    assert "with warnings" not in page and "warnings.csv" not in page


def test_the_list_shows_recent_imports_with_a_count(acme, waiting_job):
    response = acme.client.get(_url(acme))
    assert response.status_code == 200
    assert response.context["paginator"].count == 1
    page = response.content.decode()
    assert "Connections.csv" in page and _url(acme, f"{waiting_job.pk}/mapping/") in page


def test_the_list_has_an_empty_state(acme):
    response = acme.client.get(_url(acme))
    assert "No imports yet" in response.content.decode()


@pytest.mark.parametrize(
    "suffix", ["{pk}/", "{pk}/mapping/", "{pk}/progress/", "{pk}/failures.csv", "{pk}/warnings.csv"]
)
def test_another_organisations_member_gets_404_on_a_job(acme, globex, waiting_job, suffix):
    path = f"/o/{acme.org.slug}/candidates/imports/" + suffix.format(pk=waiting_job.pk)
    assert globex.client.get(path).status_code == 404
    # Through their own organisation's URLs, the job does not exist either.
    assert globex.client.get(_url(globex, suffix.format(pk=waiting_job.pk))).status_code == 404


def test_another_organisations_member_cannot_start_a_job(acme, globex, waiting_job):
    for path in (_url(acme, f"{waiting_job.pk}/mapping/"), _url(globex, f"{waiting_job.pk}/mapping/")):
        response = globex.client.post(path, {"column_0": "first_name", "column_1": "last_name"})
        assert response.status_code == 404
    waiting_job.refresh_from_db()
    assert waiting_job.status == ImportJob.Status.MAPPING
    assert globex.client.get(_url(acme)).status_code == 404
    assert globex.client.post(_url(acme, "new/"), {"format": "csv"}).status_code == 404


def test_a_globex_list_does_not_show_acme_jobs(acme, globex, waiting_job):
    response = globex.client.get(_url(globex))
    assert response.context["paginator"].count == 0
    assert f"/imports/{waiting_job.pk}/" not in response.content.decode()


def test_the_owner_must_be_a_member(acme, globex):
    response = _upload(acme, "p.csv", b"Name\nAda\n", "csv", owner=globex.user.pk)
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert not ImportJob.objects.exists()
