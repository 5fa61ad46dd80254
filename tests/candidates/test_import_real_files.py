"""Importing files as they really come: LinkedIn's three shapes of Connections.csv, JSON Resume as people
write it, rows without a name, and values no field can hold (left out with a warning, the row imported).

The fixtures are our own, written in the styles of the public files in `../shared/data/linkedin/` and
`../shared/data/jsonresume/`; every person in them is invented.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from candidates import services
from candidates.importing import jsonresume
from candidates.importing.cleaning import NO_NAME, readable
from candidates.importing.jobs import import_job_create, import_job_start
from candidates.importing.runner import import_job_run
from candidates.models import Candidate, ImportJob

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"
PHONE_UNREADABLE = "is not a phone number we can read. Include the country code, e.g. +44 20 7946 0958. Left out."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(params=["batch", "row_by_row"])
def row_by_row(request) -> bool:
    """Every behaviour holds on the fast batch path and on the one-row-at-a-time path."""
    return request.param == "row_by_row"


def _import(tenant, name: str, data: bytes | str, *, row_by_row: bool = False, **options) -> ImportJob:
    content = data.encode() if isinstance(data, str) else data
    upload = SimpleUploadedFile(name, content)
    job = import_job_create(org=tenant.org, actor=tenant.user, upload=upload, enqueue=False, **options)
    return import_job_run(job_id=job.pk, row_by_row=row_by_row)


def _counts(job: ImportJob) -> tuple[int, int, int, int]:
    return job.created, job.updated, job.skipped, job.failed


def _people(org) -> dict[str, Candidate]:
    return {c.full_name: c for c in Candidate.objects.for_org(org)}


def _warnings(job: ImportJob) -> list[tuple[int, str, list[str]]]:
    return [(entry["row"], entry["outcome"], entry["messages"]) for entry in job.warnings]


# --- LinkedIn -------------------------------------------------------------------------------------


def test_linkedins_2018_export_without_url_is_a_linkedin_export(acme, row_by_row):
    data = (FILES / "linkedin_2018_connections.csv").read_bytes()
    job = _import(acme, "Connections.csv", data, row_by_row=row_by_row)
    assert (job.format, job.status) == (ImportJob.Format.LINKEDIN, ImportJob.Status.FINISHED)
    assert job.mapping == {
        "First Name": "first_name", "Last Name": "last_name", "Email Address": "email",
        "Company": "current_company", "Position": "current_title", "Connected On": "",
    }  # fmt: skip
    assert _counts(job) == (4, 0, 0, 0)
    people = _people(acme.org)
    assert people["Thanh Phạm Thị Mỹ"].current_title == "Video Editor"
    assert people["Ines Nowhere"].current_company == "Studio Name ,Town ,Country"
    # LinkedIn's member URN where the e-mail would be: the person is imported without it.
    assert people["Jules Sansmail"].email == ""
    assert _warnings(job) == [
        (4, "created", ["email: “urn:li:member:987654321” is not a valid e-mail address. Left out."])
    ]


def test_linkedins_2024_export_skips_the_row_without_a_name(acme, row_by_row):
    data = (FILES / "linkedin_2024_connections.csv").read_bytes()
    job = _import(acme, "Connections.csv", data, row_by_row=row_by_row)
    assert job.format == ImportJob.Format.LINKEDIN
    assert _counts(job) == (4, 0, 1, 0)
    assert _warnings(job) == [(7, "skipped", [NO_NAME])]
    assert job.warnings[0]["data"]["Connected On"] == "11 Nov 2021"
    people = _people(acme.org)
    assert people["Kai Imaginary, PhD"].current_company == "Widgets, Ltd."
    assert people["Kai Imaginary, PhD"].email == "kai.imaginary@example.org"
    assert people['Rob "Bobby" Dummy'].current_title == "Director, Customer Success"
    assert people["Lumi Keksitty ✨"].linkedin_url == "linkedin.com/in/lumi-keksitty"
    assert people["Hedda Probe"].linkedin_url == "linkedin.com/in/hedda-probe-9f8e7d"


def test_a_connections_file_that_lost_its_header_goes_through_the_mapping_with_every_row(acme):
    data = (FILES / "linkedin_headerless_requoted.csv").read_bytes()
    upload = SimpleUploadedFile("connections-resaved.csv", data)
    job = import_job_create(org=acme.org, actor=acme.user, upload=upload, review_mapping=True, enqueue=False)
    assert (job.format, job.status, job.total) == (ImportJob.Format.CSV, ImportJob.Status.MAPPING, 4)
    assert job.mapping == {
        "Column 1": "first_name", "Column 2": "last_name", "Column 3": "email", "Column 4": "current_company",
        "Column 5": "current_title", "Column 6": "",
    }  # fmt: skip
    job = import_job_start(job=job, mapping=job.mapping)
    job = import_job_run(job_id=job.pk)
    assert _counts(job) == (4, 0, 0, 0) and job.warnings == []
    people = _people(acme.org)
    assert set(people) == {"Oskar Beispiel", "Mira Muster", "Søren K. Prøve", "Paul T. Platzhalter"}
    # The row a spreadsheet wrapped in quotes as a whole, commas and doubled quotes inside.
    assert people["Mira Muster"].current_company == "Example Holding"
    assert people["Mira Muster"].current_title == "Strategy, Data & Analytics, Intern"


def test_a_connections_file_that_lost_its_header_imports_with_the_guessed_columns(acme, row_by_row):
    data = (FILES / "linkedin_headerless_requoted.csv").read_bytes()
    job = _import(acme, "connections.csv", data, row_by_row=row_by_row)
    assert job.format == ImportJob.Format.CSV
    assert _counts(job) == (4, 0, 0, 0)
    assert _people(acme.org)["Oskar Beispiel"].current_title == "Senior Consultant"


@pytest.mark.parametrize(
    ("name", "format", "counts"),
    [
        ("shape_a_2018_no_url.csv", ImportJob.Format.LINKEDIN, (4, 0, 0, 0)),
        ("shape_b_2024_preamble_url.csv", ImportJob.Format.LINKEDIN, (4, 0, 1, 0)),
        ("shape_c_headerless_requoted.csv", ImportJob.Format.CSV, (4, 0, 0, 0)),
    ],
)
def test_the_public_linkedin_shapes_import_every_row_with_a_name(acme, name, format, counts):
    path = SHARED / "linkedin" / name
    if not path.exists():
        pytest.skip("the shared LinkedIn shapes are not on this machine")
    job = _import(acme, "Connections.csv", path.read_bytes())
    assert (job.format, _counts(job)) == (format, counts)


# --- Rows without a name, values without a field -------------------------------------------------


def test_a_row_without_a_name_is_skipped_unless_it_is_someone_known(acme, row_by_row):
    services.candidate_create(org=acme.org, actor=None, data={"first_name": "Ada", "email": "ada@example.com"})
    csv = "First name,Last name,Email,City\n,,ADA@example.com,London\n,,stranger@example.com,Paris\n  ,  ,,Berlin\n"
    job = _import(acme, "p.csv", csv, row_by_row=row_by_row)
    assert _counts(job) == (0, 1, 2, 0)
    assert _people(acme.org)["Ada"].city == "London"
    assert _warnings(job) == [(3, "skipped", [NO_NAME]), (4, "skipped", [NO_NAME])]
    assert Candidate.objects.for_org(acme.org).count() == 1


def test_a_last_name_alone_is_a_name(acme, row_by_row):
    job = _import(acme, "p.csv", "First name,Last name,Email\n,Madonna,m@example.com\n", row_by_row=row_by_row)
    assert _counts(job) == (1, 0, 0, 0) and job.warnings == []
    madonna = Candidate.objects.for_org(acme.org).get()
    assert (madonna.first_name, madonna.last_name) == ("Madonna", "")


def test_unreadable_optional_values_are_left_out_and_the_row_imported(acme, row_by_row):
    csv = (
        "Name,Email,Phone,Country,City,Industry,LinkedIn,Time zone\n"
        "Grace Hopper,n/a,Upon request,US,Arlington,Alchemy,linkedin.com/company/navy,Mars/Olympus\n"
        "Alan Turing,alan@example.com,020 7946 0958,Atlantis,,,,\n"
        "Katherine Johnson,katherine@example.com,(757) 555-0101,US,,Aviation & Aerospace,,\n"
    )
    job = _import(acme, "p.csv", csv, row_by_row=row_by_row)
    assert _counts(job) == (3, 0, 0, 0)
    people = _people(acme.org)
    grace = people["Grace Hopper"]
    assert (grace.email, grace.phone, grace.industry, grace.linkedin_url) == ("", "", "", "")
    assert (grace.country_code, grace.city) == ("US", "Arlington")
    assert grace.time_zone == ""  # the United States have several: Arlington does not name one
    alan = people["Alan Turing"]
    assert (alan.email, alan.country_code, alan.phone) == ("alan@example.com", "", "")
    assert people["Katherine Johnson"].phone == "+17575550101"
    assert _warnings(job) == [
        (2, "created", [
            "email: “n/a” is not a valid e-mail address. Left out.",
            "industry: “Alchemy” is not an industry in our list. Left out.",
            "linkedin_url: “linkedin.com/company/navy” is not a LinkedIn profile URL (expected linkedin.com/in/<name>)."
            " Left out.",
            f"phone: “Upon request” {PHONE_UNREADABLE}",
            "time_zone: Value 'Mars/Olympus' is not a valid choice. Left out.",
        ]),
        (3, "created", [
            "country_code: “Atlantis” is not a country code in ISO 3166, such as GB or US. Left out.",
            f"phone: “020 7946 0958” {PHONE_UNREADABLE}",
        ]),
    ]  # fmt: skip
    assert job.errors == []


def test_a_warning_comes_with_an_update_too(acme, row_by_row):
    services.candidate_create(org=acme.org, actor=None, data={"first_name": "Ada", "email": "ada@example.com"})
    job = _import(acme, "p.csv", "Name,Email,Phone,City\nAda,ada@example.com,ask me,London\n", row_by_row=row_by_row)
    assert _counts(job) == (0, 1, 0, 0)
    assert _warnings(job) == [(2, "updated", [f"phone: “ask me” {PHONE_UNREADABLE}"])]


def test_importing_the_file_again_keeps_warning_and_adds_no_one(acme, row_by_row):
    data = (FILES / "linkedin_2024_connections.csv").read_bytes()
    _import(acme, "Connections.csv", data, row_by_row=row_by_row)
    again = _import(acme, "Connections.csv", data, row_by_row=row_by_row)
    assert _counts(again) == (0, 0, 5, 0)
    assert _warnings(again) == [(7, "skipped", [NO_NAME])]
    assert Candidate.objects.for_org(acme.org).count() == 4


# --- JSON Resume ---------------------------------------------------------------------------------


def test_the_schemas_own_fixtures_read_without_an_error():
    """jsonresume/resume-schema's test fixtures, one section each and mostly without `basics`."""
    folder = SHARED / "jsonresume" / "resume-schema" / "test__test__"
    if not folder.exists():
        pytest.skip("the shared JSON Resume fixtures are not on this machine")
    read = 0
    for path in sorted(folder.glob("*.json")):
        for resume in json.loads(path.read_text(encoding="utf-8")).values():
            if isinstance(resume, dict):
                record = jsonresume.to_record(resume, 1)
                assert record.error == "", (path.name, resume)
                readable(record.data)
                read += 1
    assert read > 100


def test_the_public_sample_resume_imports_every_section_the_profile_holds(acme, row_by_row):
    job = _import(acme, "resume.json", (FILES / "sample.resume.json").read_bytes(), row_by_row=row_by_row)
    assert _counts(job) == (1, 0, 0, 0) and job.warnings == [] and job.errors == []
    richard = Candidate.objects.for_org(acme.org).get()
    assert (richard.email, richard.phone) == ("richard.hendriks@mail.com", "+19125554321")
    assert richard.headline == "Programmer"
    assert (richard.city, richard.region, richard.country_code) == ("San Francisco", "California", "US")
    assert (richard.current_title, richard.current_company) == ("CEO/President", "Pied Piper")
    assert richard.links == [
        "http://richardhendricks.example.com",
        "https://twitter.com/neutralthoughts",
        "https://soundcloud.example.com/dandymusicnl",
    ]
    assert sorted(richard.skills.values_list("name", flat=True), key=str.casefold) == [
        "Compression", "CSS", "GIF", "HTML", "Javascript", "MP4", "Mpeg", "Web Development",
    ]  # fmt: skip


def test_resumes_in_odd_but_valid_shapes_import(acme, row_by_row):
    job = _import(acme, "people.json", (FILES / "resume_odd_shapes.json").read_bytes(), row_by_row=row_by_row)
    assert _counts(job) == (4, 0, 2, 1)
    assert [(e["row"], e["reason"]) for e in job.errors] == [
        (7, "Not a JSON Resume: it has no “basics” object, nor any other section.")
    ]
    assert _warnings(job) == [
        (1, "created", [
            "work 2 endDate: “Present” is not a date (YYYY, YYYY-MM or YYYY-MM-DD). Left out.",
            f"phone: “Upon request” {PHONE_UNREADABLE}",
        ]),
        (2, "skipped", [NO_NAME]),
        (3, "skipped", [NO_NAME]),
        (6, "created", [
            "country_code: “Atlantis” is not a country code in ISO 3166, such as GB or US. Left out.",
            f"phone: “555 0100” {PHONE_UNREADABLE}",
        ]),
    ]  # fmt: skip
    people = _people(acme.org)
    ilse = people["Ilse Beispiel"]
    assert (ilse.email, ilse.phone, ilse.headline) == ("ilse.beispiel@example.org", "", "Platform engineer")
    assert (ilse.city, ilse.region, ilse.country_code) == ("Leipzig", "Saxony", "DE")
    assert ilse.linkedin_url == "linkedin.com/in/ilse-beispiel"
    assert ilse.links == ["https://ilse.example.org", "https://github.com/ilse-b"]
    # "Present" is no end date: of the two current jobs, the one started last.
    assert (ilse.current_title, ilse.current_company) == ("Staff Engineer", "Rail Data AG")
    assert sorted(ilse.skills.values_list("name", flat=True), key=str.casefold) == [
        "Go", "gRPC", "Kubernetes", "protobuf", "Terraform",
    ]  # fmt: skip
    prince = people["Prince"]
    assert (prince.country_code, prince.current_company, prince.current_title) == ("GB", "Paisley Park", "Artist")
    assert list(people["Nora Null"].skills.values_list("name", flat=True)) == ["Patience"]
    assert people["Atlas Nowhere"].city == "Atlantis"
