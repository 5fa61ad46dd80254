"""Running imports: de-duplication, partial failures, counters, idempotent claims; batch and row-by-row alike."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from candidates import search, services
from candidates.importing import batch
from candidates.importing.jobs import import_job_create
from candidates.importing.runner import import_job_run
from candidates.models import Candidate, ImportJob, Resume
from candidates.selectors import CandidateFilters, candidate_list
from engagement.timeline.models import Activity
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db
FILES = Path(__file__).parent / "files"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture(params=["batch", "row_by_row"])
def row_by_row(request) -> bool:
    """Every behaviour holds on the fast batch path and on the one-row-at-a-time path."""
    return request.param == "row_by_row"


def _import(tenant, name: str, data: bytes | str, *, row_by_row: bool = False, batch_size: int = 1000, **options):
    content = data.encode() if isinstance(data, str) else data
    upload = SimpleUploadedFile(name, content)
    job = import_job_create(org=tenant.org, actor=tenant.user, upload=upload, enqueue=False, **options)
    return import_job_run(job_id=job.pk, row_by_row=row_by_row, batch_size=batch_size)


def _counts(job: ImportJob) -> tuple[int, int, int, int]:
    return job.created, job.updated, job.skipped, job.failed


def _people(org) -> dict[str, Candidate]:
    return {c.full_name: c for c in Candidate.objects.for_org(org)}


def test_it_imports_linkedin_connections(acme, row_by_row):
    job = _import(acme, "Connections.csv", (FILES / "linkedin_connections.csv").read_bytes(), row_by_row=row_by_row)
    assert job.format == ImportJob.Format.LINKEDIN
    assert job.status == ImportJob.Status.FINISHED
    assert _counts(job) == (5, 0, 0, 0)
    assert (job.total, job.processed, job.percent) == (5, 5, 100)
    people = _people(acme.org)
    zoe = people["Zoë Ångström"]
    assert zoe.linkedin_url == "linkedin.com/in/zoe-angstrom-4b2a1c"
    assert (zoe.current_company, zoe.current_title, zoe.email) == ("Initech, Inc.", "Staff Engineer", "")
    assert zoe.source == Candidate.Source.IMPORT
    assert people["José Núñez 🚀"].current_title == "Head of Data, EMEA"
    assert people["Priya Raman"].linkedin_url == "linkedin.com/in/priya-raman"
    assert people["Émile O'Brien"].email == "emile.obrien@example.com"
    assert "李 小龙" in people


def test_reimporting_the_same_file_creates_nothing_new(acme, row_by_row):
    data = (FILES / "linkedin_connections.csv").read_bytes()
    _import(acme, "Connections.csv", data, row_by_row=row_by_row)
    again = _import(acme, "Connections.csv", data, row_by_row=row_by_row)
    assert _counts(again) == (0, 0, 5, 0)
    assert Candidate.objects.for_org(acme.org).count() == 5


def test_a_match_fills_empty_fields_and_never_overwrites_what_a_recruiter_typed(acme, row_by_row):
    typed = services.candidate_create(
        org=acme.org,
        actor=acme.user,
        data={"first_name": "Ada", "last_name": "L.", "email": "ada@example.com", "current_title": "CTO"},
        skills=["Python"],
    )
    by_linkedin = services.candidate_create(
        org=acme.org, actor=acme.user, data={"first_name": "Alan", "linkedin_url": "linkedin.com/in/alan-turing"}
    )
    csv = (
        "First name,Last name,Email,Title,City,Skills,LinkedIn\n"
        "Ada,Lovelace,ADA@example.com,Analyst,London,Python; Maths,\n"
        "Alan,Turing,,Cryptanalyst,,,https://www.linkedin.com/in/alan-turing/\n"
    )
    job = _import(acme, "people.csv", csv, row_by_row=row_by_row)
    assert _counts(job) == (0, 2, 0, 0)
    typed.refresh_from_db()
    assert (typed.last_name, typed.current_title, typed.city) == ("L.", "CTO", "London")
    assert sorted(typed.skills.values_list("name", flat=True)) == ["Maths", "Python"]
    by_linkedin.refresh_from_db()
    assert (by_linkedin.last_name, by_linkedin.current_title) == ("Turing", "Cryptanalyst")
    assert by_linkedin.source == Candidate.Source.SOURCED  # a match keeps where they came from


def test_good_rows_are_kept_and_bad_rows_are_reported_without_a_trace(acme, row_by_row):
    # What still fails a row: a name that cannot be stored, an identity that is someone else's.
    ada = services.candidate_create(
        org=acme.org, actor=None, data={"first_name": "Ada", "linkedin_url": "linkedin.com/in/ada"}
    )
    csv = (
        "Name,Email,LinkedIn,Phone,Country\n"
        "Grace Hopper,grace@example.com,,+1 212 555 0100,US\n"
        f"{'N' * 101},long@example.com,,,\n"
        "Alan Turing,alan@example.com,,,\n"
        "Alan Turing,alan@example.com,linkedin.com/in/ada,,\n"
        "Katherine Johnson,katherine@example.com,,(757) 555-0101,US\n"
    )
    job = _import(acme, "people.csv", csv, row_by_row=row_by_row)
    assert job.status == ImportJob.Status.FINISHED
    assert _counts(job) == (3, 0, 0, 2)
    assert sorted(_people(acme.org)) == ["Ada", "Alan Turing", "Grace Hopper", "Katherine Johnson"]
    assert _people(acme.org)["Katherine Johnson"].phone == "+17575550101"
    errors = {error["row"]: error for error in job.errors}
    assert errors[3]["reason"] == "first_name: Ensure this value has at most 100 characters (it has 101)."
    assert errors[3]["data"] == {"Name": "N" * 101, "Email": "long@example.com", "LinkedIn": "", "Phone": "",
                                 "Country": ""}  # fmt: skip
    assert errors[5]["reason"] == f"linkedin_url: Ada (#{ada.pk}) already has this LinkedIn URL."
    assert job.warnings == []


def test_text_longer_than_its_field_is_left_out_with_the_fields_message(acme, row_by_row):
    csv = f"Name,Email,City,Company\nAda,ada@example.com,{'L' * 101},\nAlan,alan@example.com,London,{'C' * 200}\n"
    job = _import(acme, "p.csv", csv, row_by_row=row_by_row)
    assert _counts(job) == (2, 0, 0, 0)
    assert [(w["row"], w["outcome"], w["messages"]) for w in job.warnings] == [
        (2, "created", ["city: Ensure this value has at most 100 characters (it has 101). Left out."])
    ]
    assert _people(acme.org)["Ada"].city == ""
    assert len(_people(acme.org)["Alan"].current_company) == 200


def test_an_identity_claimed_by_someone_else_fails_the_row(acme, row_by_row):
    ada = services.candidate_create(org=acme.org, actor=None, data={"first_name": "Ada", "email": "ada@example.com"})
    alan = services.candidate_create(
        org=acme.org, actor=None, data={"first_name": "Alan", "linkedin_url": "linkedin.com/in/alan"}
    )
    csv = "Name,Email,LinkedIn\nAda,ada@example.com,linkedin.com/in/alan\n"
    job = _import(acme, "p.csv", csv, row_by_row=row_by_row)
    assert _counts(job) == (0, 0, 0, 1)
    assert job.errors[0]["reason"] == f"linkedin_url: Alan (#{alan.pk}) already has this LinkedIn URL."
    ada.refresh_from_db()
    assert ada.linkedin_url == ""


def test_the_same_person_twice_in_one_file_is_one_candidate(acme, row_by_row):
    csv = "Name,Email,City,Skills\nAda Lovelace,ada@example.com,,Python\nAda Lovelace,ADA@example.com,London,Maths\n"
    job = _import(acme, "p.csv", csv, row_by_row=row_by_row)
    assert _counts(job) == (1, 1, 0, 0)
    ada = Candidate.objects.for_org(acme.org).get()
    assert ada.city == "London"
    assert sorted(ada.skills.values_list("name", flat=True)) == ["Maths", "Python"]


def test_tags_are_added_and_a_new_tag_counts_as_an_update(acme, row_by_row):
    _import(acme, "p.csv", "Name,Email,Tags\nAda,ada@example.com,meetup; python\n", row_by_row=row_by_row)
    job = _import(acme, "p.csv", 'Name,Email,Tags\nAda,ada@example.com,"python, speaker"\n', row_by_row=row_by_row)
    assert _counts(job) == (0, 1, 0, 0)
    ada = Candidate.objects.for_org(acme.org).get()
    assert sorted(ada.tags.values_list("name", flat=True)) == ["meetup", "python", "speaker"]


def test_the_json_resume_sample_imports(acme, row_by_row):
    job = _import(acme, "resume.json", (FILES / "sample.resume.json").read_bytes(), row_by_row=row_by_row)
    assert job.format == ImportJob.Format.JSONRESUME
    assert _counts(job) == (1, 0, 0, 0)
    richard = Candidate.objects.for_org(acme.org).get()
    assert (richard.first_name, richard.last_name, richard.headline) == ("Richard", "Hendriks", "Programmer")
    assert (richard.phone, richard.city, richard.country_code) == ("+19125554321", "San Francisco", "US")
    assert (richard.current_title, richard.current_company) == ("CEO/President", "Pied Piper")
    assert "Javascript" in set(richard.skills.values_list("name", flat=True))


def test_an_array_of_resumes_imports_each_and_reports_bad_ones(acme, row_by_row):
    resumes = (
        '[{"basics": {"name": "Ada Lovelace", "email": "ada@example.com"}},'
        ' {"basics": {"name": "Bad", "email": "bad@"}}, "not a resume"]'
    )
    job = _import(acme, "many.json", resumes, row_by_row=row_by_row)
    assert _counts(job) == (2, 0, 0, 1)
    assert [e["row"] for e in job.errors] == [3]
    assert job.errors[0]["reason"] == "Not a JSON Resume: it has no “basics” object, nor any other section."
    assert job.warnings == [
        {
            "row": 2,
            "outcome": "created",
            "messages": ["email: “bad@” is not a valid e-mail address. Left out."],
            "data": {"name": "Bad", "email": "bad@"},
        }
    ]


def test_batch_and_row_by_row_paths_give_the_same_candidates(acme, globex):
    csv = (
        "Name,Email,Title,Country,City,Skills,LinkedIn,Industry\n"
        "Ada Lovelace,ada@example.com,Analyst,GB,London,Python,,Computer Software\n"
        "Ada Lovelace,ada@example.com,Other,,Cambridge,Maths,linkedin.com/in/ada,\n"
        "Alan Turing,,Cryptanalyst,gb,,,https://uk.linkedin.com/in/alan/,Banking\n"
        "Bad Industry,x@example.com,,,,,,Alchemy\n"
        "Long Title,long@example.com," + "x" * 250 + ",Atlantis,,,,\n"
        ",ADA@example.com,,,,Rust,,\n"  # no name, but someone known
        ",nobody@example.com,,,Paris,,,\n"
        f"{'N' * 101},n@example.com,,,,,,\n"
    )
    fast = _import(acme, "p.csv", csv, row_by_row=False, batch_size=2)
    slow = _import(globex, "p.csv", csv, row_by_row=True, batch_size=2)
    assert _counts(fast) == _counts(slow) == (4, 2, 1, 1)
    assert [(e["row"], e["reason"]) for e in fast.errors] == [(e["row"], e["reason"]) for e in slow.errors]
    assert fast.warnings == slow.warnings and len(fast.warnings) == 3
    fields = ["first_name", "last_name", "email", "current_title", "country_code", "city", "time_zone",
              "linkedin_url", "industry", "source"]  # fmt: skip
    ordered = ["email", "linkedin_url"]
    assert list(Candidate.objects.for_org(acme.org).order_by(*ordered).values(*fields)) == list(
        Candidate.objects.for_org(globex.org).order_by(*ordered).values(*fields)
    )


def test_a_batch_that_collides_with_another_writer_is_replayed_row_by_row(acme, monkeypatch):
    services.candidate_create(org=acme.org, actor=None, data={"first_name": "Ada", "email": "ada@example.com"})
    # As if Ada had been saved by someone else after the batch looked for existing candidates.
    monkeypatch.setattr(batch, "_existing", lambda org, prepared: ({}, {}))
    job = _import(acme, "p.csv", "Name,Email,City\nAda,ada@example.com,London\nAlan,alan@example.com,\n")
    assert job.status == ImportJob.Status.FINISHED
    assert _counts(job) == (1, 1, 0, 0)
    assert Candidate.objects.for_org(acme.org).get(email="ada@example.com").city == "London"


def test_counters_move_batch_by_batch(acme):
    rows = "".join(f"Person {n},p{n}@example.com\n" for n in range(7))
    job = _import(acme, "p.csv", "Name,Email\n" + rows, batch_size=3)
    assert (job.total, job.processed, job.created) == (7, 7, 7)
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at


def test_imported_candidates_are_searchable_and_owned(acme):
    colleague = MembershipFactory(organization=acme.org).user
    _import(acme, "p.csv", "Name,Email,Skills\nAda Lovelace,ada@example.com,Engines\n", owner=colleague)
    ada = Candidate.objects.for_org(acme.org).get()
    assert ada.owner == colleague
    found = candidate_list(org=acme.org, filters=CandidateFilters(search="lovlace"))
    assert [c.pk for c in found] == [ada.pk]
    assert [c.pk for c in candidate_list(org=acme.org, filters=CandidateFilters(search="engines"))] == [ada.pk]


def _search_columns(org) -> list[tuple]:
    """Each candidate's search name and, on PostgreSQL, its lexemes with their weights (positions
    follow the order skills are listed in, which a refresh does not fix), on SQLite its folded text."""
    if connection.vendor != "postgresql":
        return list(Candidate.objects.for_org(org).order_by("pk").values_list("pk", "search_name", "search_text"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.search_name, (SELECT array_agg(t.lexeme || ':' || array_to_string(t.weights, '') "
            "ORDER BY t.lexeme) FROM unnest(c.search_vector) AS t) "
            "FROM candidates_candidate c WHERE c.organization_id = %s ORDER BY c.id",
            [org.pk],
        )
        return cursor.fetchall()


def test_imported_and_filled_in_candidates_get_the_search_columns_a_refresh_would_give(acme):
    ada = services.candidate_create(
        org=acme.org, actor=acme.user, data={"first_name": "Ada", "email": "ada@example.com"}, skills=["Python"]
    )
    Resume.objects.create(
        organization=acme.org, candidate=ada, file="resumes/ada.pdf", original_name="ada.pdf", kind="pdf", size=1,
        text="Notes on the analytical engine",
    )  # fmt: skip
    csv = (
        "Name,Email,Title,Company,Skills\n"
        "Ada Lovelace,ada@example.com,Analyst,Babbage & Co,Maths\n"
        "Alan Turing,alan@example.com,Cryptanalyst,,Cryptography; Python\n"
        "Grace Hopper,grace@example.com,,,COBOL\n"
        "Grace Hopper,grace@example.com,Rear Admiral,US Navy,Compilers\n"
    )
    job = _import(acme, "p.csv", csv, batch_size=2)  # batches after the first reuse the staging table
    assert _counts(job) == (2, 2, 0, 0)
    imported = _search_columns(acme.org)
    search.refresh(Candidate.objects.for_org(acme.org).values_list("pk", flat=True))
    assert imported == _search_columns(acme.org)
    assert [name for _pk, name, *_ in imported] == ["ada lovelace", "alan turing", "grace hopper"]
    if connection.vendor == "postgresql":
        ada_lexemes, grace_lexemes = imported[0][2], imported[2][2]
        assert {"analyst:B", "maths:B", "python:B", "engine:C"} <= set(ada_lexemes)
        assert {"admiral:B", "navy:B", "cobol:B", "compilers:B"} <= set(grace_lexemes)


def test_a_job_runs_once(acme):
    upload = SimpleUploadedFile("p.csv", b"Name,Email\nAda,ada@example.com\n")
    job = import_job_create(org=acme.org, actor=acme.user, upload=upload, enqueue=False)
    assert import_job_run(job_id=job.pk).created == 1
    assert import_job_run(job_id=job.pk) is None  # a second delivery finds it claimed
    job.refresh_from_db()
    assert (job.status, job.created, job.processed) == (ImportJob.Status.FINISHED, 1, 1)


def test_a_job_waiting_for_its_mapping_is_not_run(acme):
    upload = SimpleUploadedFile("p.csv", b"Name,Email\nAda,ada@example.com\n")
    job = import_job_create(org=acme.org, actor=acme.user, upload=upload, review_mapping=True)
    assert job.status == ImportJob.Status.MAPPING
    assert import_job_run(job_id=job.pk) is None
    assert not Candidate.objects.exists()


def test_the_queued_job_runs_as_a_task_after_commit(acme, django_capture_on_commit_callbacks):
    upload = SimpleUploadedFile("p.csv", b"Name,Email\nAda,ada@example.com\n")
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(org=acme.org, actor=acme.user, upload=upload)
        assert job.status == ImportJob.Status.QUEUED
    job.refresh_from_db()
    assert (job.status, job.created) == (ImportJob.Status.FINISHED, 1)


def _queued_job(tenant, data: bytes, format: str = ImportJob.Format.CSV, **fields) -> ImportJob:
    job = ImportJob(organization=tenant.org, created_by=tenant.user, format=format, status="queued", **fields)
    job.file.save("f.csv", ContentFile(data), save=False)
    job.save()
    return job


@pytest.mark.parametrize(
    ("data", "format", "message"),
    [
        (b"Name,Email\n", ImportJob.Format.CSV, "The file has a header but no rows."),
        (b"", ImportJob.Format.CSV, "The file is empty."),
        (b"\x00\x00\x00", ImportJob.Format.CSV, "binary"),
        (b"{oops", ImportJob.Format.JSONRESUME, "not valid JSON"),
        (b"Name,Email\nAda,a@example.com\n", ImportJob.Format.LINKEDIN, "not LinkedIn's Connections.csv"),
    ],
)
def test_a_file_that_cannot_be_read_fails_the_job_with_a_message(acme, data, format, message):
    job = import_job_run(job_id=_queued_job(acme, data, format).pk)
    assert job.status == ImportJob.Status.FAILED
    assert message in job.message
    assert not Candidate.objects.exists()


def test_an_owner_who_left_fails_the_job(acme):
    leaver = MembershipFactory(organization=acme.org)
    job = _queued_job(acme, b"Name\nAda\n", owner=leaver.user, mapping={"Name": "full_name"})
    leaver.delete()
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportJob.Status.FAILED
    assert "no longer a member" in job.message


def test_a_big_batch_writes_the_timeline_rows_the_row_by_row_path_writes(acme, globex):
    # 150 rows: past the size from which the timeline rows go in one COPY on PostgreSQL.
    people = "".join(f"Person {n},p{n}@example.com,\n" for n in range(150))
    _import(acme, "p.csv", "Name,Email,City\nKnown One,p0@example.com,\n")
    _import(globex, "p.csv", "Name,Email,City\nKnown One,p0@example.com,\n")
    again = "Name,Email,City\n" + people.replace("p0@example.com,", "p0@example.com,Paris")
    fast = _import(acme, "p.csv", again, batch_size=1000)
    slow = _import(globex, "p.csv", again, row_by_row=True)
    assert _counts(fast) == _counts(slow) == (149, 1, 0, 0)

    def timeline(tenant) -> list[tuple]:
        rows = Activity.objects.for_org(tenant.org).filter(kind=Activity.Kind.IMPORT).order_by("pk")
        return [
            (a.candidate.email, a.summary, a.details, a.actor_id == tenant.user.pk, a.body, a.circle_id, a.post_id)
            for a in rows.select_related("candidate")
        ]

    assert timeline(acme) == timeline(globex)
    assert timeline(acme)[1] == ("p0@example.com", "Import filled in city", {"outcome": "updated", "fields": ["city"]},
                                 True, "", None, None)  # fmt: skip
    assert len(timeline(acme)) == 151


def test_a_batch_built_candidate_is_what_the_constructor_gives(acme):
    values = {"first_name": "Ada", "email": "ada@example.com", "links": ["https://ada.dev"], "owner": acme.user}
    prototype = Candidate(organization=acme.org)
    built, constructed = batch.new_candidate(prototype, values), Candidate(organization=acme.org, **values)
    assert built._state.adding and built.pk is None and built.organization == acme.org and built.owner == acme.user
    names = [f.attname for f in Candidate._meta.concrete_fields]
    assert {n: getattr(built, n) for n in names} == {n: getattr(constructed, n) for n in names} | {
        n: getattr(prototype, n) for n in ("created_at", "updated_at", "stage_changed_at", "retention_anchor_at")
    }
    other = batch.new_candidate(prototype, {"first_name": "Alan"})
    assert other.links == [] and other.links is not prototype.links and other.email == ""


def _progress_seen(acme, monkeypatch, seconds: float) -> list[int]:
    """The job's `processed` as stored when each batch starts, with progress written every `seconds`."""
    from candidates.importing import runner

    seen, upsert = [], runner._upsert
    monkeypatch.setattr(runner, "PROGRESS_SECONDS", seconds)

    def watching(job, records, *, row_by_row):
        seen.append(ImportJob.objects.get(pk=job.pk).processed)
        return upsert(job, records, row_by_row=row_by_row)

    monkeypatch.setattr(runner, "_upsert", watching)
    rows = "".join(f"Person {n},p{n}@example.com\n" for n in range(7))
    job = _import(acme, "p.csv", "Name,Email\n" + rows, batch_size=3)
    assert (job.processed, job.created) == (7, 7)
    return seen


def test_progress_is_written_with_the_batches_at_most_once_per_interval(acme, monkeypatch):
    assert _progress_seen(acme, monkeypatch, seconds=0) == [0, 3, 6]


def test_progress_waits_for_its_interval_and_is_complete_at_the_end(acme, monkeypatch):
    assert _progress_seen(acme, monkeypatch, seconds=3600) == [0, 0, 0]


def test_a_job_that_stops_keeps_the_counters_and_errors_of_the_batches_it_stored(acme, monkeypatch):
    from candidates.importing import runner

    monkeypatch.setattr(runner, "PROGRESS_SECONDS", 3600)
    upsert, calls = runner._upsert, []

    def failing_second(job, records, *, row_by_row):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return upsert(job, records, row_by_row=row_by_row)

    monkeypatch.setattr(runner, "_upsert", failing_second)
    rows = f"Ada,ada@example.com,Upon request\n{'N' * 101},long@example.com,\nAlan,alan@example.com,n/a\n"
    job = _import(acme, "p.csv", "Name,Email,Phone\n" + rows, batch_size=2)
    assert job.status == ImportJob.Status.FAILED
    assert "after 2 rows" in job.message
    assert (job.processed, job.created, job.failed) == (2, 1, 1)
    assert [e["row"] for e in job.errors] == [3]
    assert [w["row"] for w in job.warnings] == [2]  # not Alan's, whose batch was not stored
    assert Candidate.objects.for_org(acme.org).count() == 1
