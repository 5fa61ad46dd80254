"""The stored duplicate pairs follow every write: create, import, edit, merge, erasure; and "not a duplicate".

The refresh task runs eagerly here, once the write's transaction commits (captured callbacks run).
"""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from kombu.exceptions import OperationalError

from candidates import privacy, services
from candidates.duplicates.models import DuplicateDismissal, DuplicatePair
from candidates.duplicates.services import duplicate_dismiss, duplicates_rebuild, duplicates_refresh
from candidates.importing.jobs import import_job_create
from candidates.importing.runner import import_job_run
from candidates.merge import candidate_merge
from candidates.models import ConsentRecord
from candidates.tasks import duplicates_rebuild_all_task, duplicates_refresh_task
from talentcircles.celery import app as celery_app

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run writes as if each committed: the callbacks they queue (the refresh task) run too."""

    def run(write, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return write(**kwargs)

    return run


@pytest.fixture
def add(committed):
    def add(org, first, last="", **data):
        data = {"first_name": first, "last_name": last, **data}
        return committed(services.candidate_create, org=org, actor=None, data=data)

    return add


def _pairs(org) -> dict[tuple[int, int], list[str]]:
    return {(p.candidate_a_id, p.candidate_b_id): p.reasons for p in DuplicatePair.objects.for_org(org)}


def test_a_new_candidate_gets_its_pairs_once_created(acme, add):
    ada = add(acme.org, "Ada", "Lovelace", phone="+442079460958")
    assert _pairs(acme.org) == {}
    twin = add(acme.org, "Augusta", "King", phone="+44 20 7946 0958", country_code="GB")
    assert _pairs(acme.org) == {(ada.pk, twin.pk): ["phone"]}


def test_the_request_is_not_failed_by_a_broker_that_is_down_and_the_nightly_rebuild_catches_up(
    acme, add, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    ada = add(acme.org, "Ada", "Lovelace", phone="+442079460958")

    def broker_down(*_args, **_kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(duplicates_refresh_task, "apply_async", broker_down)
    celery_app.conf.task_always_eager = False  # published for real (the autouse fixture sets it back)
    with django_capture_on_commit_callbacks(execute=True):
        response = acme.client.post(
            f"/o/{acme.org.slug}/candidates/new/",
            {
                "first_name": "Augusta",
                "last_name": "King",
                "phone": "+442079460958",
                "stage": "new",
                "source": "sourced",
            },
        )
    celery_app.conf.task_always_eager = True
    assert response.status_code == 302 and "nightly rebuild" in caplog.text
    assert _pairs(acme.org) == {}
    assert duplicates_rebuild_all_task() == 1  # one rebuild per organisation (acme alone), run here (eager)
    twin = services.Candidate.objects.get(last_name="King")
    assert _pairs(acme.org) == {(ada.pk, twin.pk): ["phone"]}


def test_an_edit_refreshes_the_pairs_only_when_a_matching_field_changes(acme, add, committed):
    ada = add(acme.org, "Ada", "Lovelace", phone="+442079460958")
    twin = add(acme.org, "Augusta", "King", phone="+442079460958")
    DuplicatePair.objects.update(reasons=["stale"])  # what a refresh would overwrite
    committed(services.candidate_update, candidate=twin, actor=None, data={"headline": "Countess"})
    assert _pairs(acme.org) == {(ada.pk, twin.pk): ["stale"]}  # nothing to recompute
    committed(services.candidate_update, candidate=twin, actor=None, data={"phone": "+442079460000"})
    assert _pairs(acme.org) == {}
    committed(services.candidate_update, candidate=ada, actor=None, data={"phone": "+442079460000"})
    assert _pairs(acme.org) == {(ada.pk, twin.pk): ["phone"]}


def test_a_candidates_own_profile_edit_refreshes_their_pairs(acme, add, committed):
    ada = add(acme.org, "Ada", "Lovelace", current_company="Analytical Engines")
    twin = add(acme.org, "Ada", "Lovelace")
    assert _pairs(acme.org) == {}
    committed(privacy.candidate_update_by_self, candidate=twin, data={"current_company": "analytical engines"})
    assert _pairs(acme.org) == {(ada.pk, twin.pk): ["name_company"]}


@pytest.mark.parametrize("row_by_row", [False, True], ids=["batch", "row_by_row"])
def test_an_import_finds_the_pairs_of_its_rows_in_batches(acme, add, row_by_row, django_capture_on_commit_callbacks):
    ada = add(acme.org, "Ada", "Lovelace", city="London")
    upload = SimpleUploadedFile(
        "people.csv",
        b"First Name,Last Name,Email,City,Phone\n"
        b"Ada,Lovelace,ada@example.org,london,\n"
        b"Grace,Hopper,grace@navy.mil,,+14155550100\n"
        b"Amazing,Grace,amazing@example.org,,+14155550100\n"
        b"Alan,Turing,alan@example.org,,\n",
    )
    job = import_job_create(org=acme.org, actor=acme.user, upload=upload, enqueue=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        import_job_run(job_id=job.pk, row_by_row=row_by_row, batch_size=2)
    people = {(c.full_name, c.email): c.pk for c in services.Candidate.objects.for_org(acme.org)}
    assert _pairs(acme.org) == {
        (ada.pk, people["Ada Lovelace", "ada@example.org"]): ["name_city"],
        (people["Grace Hopper", "grace@navy.mil"], people["Amazing Grace", "amazing@example.org"]): ["phone"],
    }
    refreshes = [c for c in callbacks if getattr(c, "__qualname__", "").startswith("queue_refresh")]
    assert len(refreshes) == 2  # one refresh per stored batch of two rows


def test_a_merge_drops_the_merged_records_pairs_and_refreshes_the_kept_one(acme, add, committed):
    keep = add(acme.org, "Ada", "Lovelace", city="London")
    other = add(acme.org, "Ada", "Lovelace", city="london", phone="+442079460958")
    third = add(acme.org, "Augusta", "King", phone="+442079460958")
    assert set(_pairs(acme.org)) == {(keep.pk, other.pk), (other.pk, third.pk)}
    committed(candidate_merge, org=acme.org, keep=keep, other=other, choices={"phone": "other"}, actor=acme.user)
    assert _pairs(acme.org) == {(keep.pk, third.pk): ["phone"]}  # the kept record took the phone


def test_erasure_forgets_the_candidates_pairs_and_decisions(acme, add, committed):
    ada = add(acme.org, "Ada", "Lovelace", phone="+442079460958")
    twin = add(acme.org, "Augusta", "King", phone="+442079460958")
    third = add(acme.org, "A.", "King", phone="+442079460958")
    duplicate_dismiss(org=acme.org, first_id=ada.pk, second_id=third.pk, actor=acme.user)
    committed(privacy.candidate_erase, candidate=ada, source=ConsentRecord.Source.RECRUITER, actor=acme.user)
    assert _pairs(acme.org) == {(twin.pk, third.pk): ["phone"]}
    assert not DuplicateDismissal.objects.exists()
    duplicates_rebuild(org=acme.org)
    assert _pairs(acme.org) == {(twin.pk, third.pk): ["phone"]}


def test_not_a_duplicate_is_remembered_through_refreshes_and_rebuilds(acme, add):
    ada = add(acme.org, "Ada", "Lovelace", phone="+442079460958")
    twin = add(acme.org, "Augusta", "King", phone="+442079460958")
    url = f"/o/{acme.org.slug}/candidates/duplicates/dismiss/{twin.pk}/{ada.pk}/"  # either order
    assert acme.client.get(url).status_code == 405
    response = acme.client.post(url, {"next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == f"/o/{acme.org.slug}/candidates/duplicates/"
    assert _pairs(acme.org) == {}
    dismissal = DuplicateDismissal.objects.get()
    assert (dismissal.candidate_a_id, dismissal.candidate_b_id, dismissal.dismissed_by) == (ada.pk, twin.pk, acme.user)
    duplicates_refresh(org_id=acme.org.pk, candidate_ids=[ada.pk, twin.pk])
    duplicates_rebuild(org=acme.org)
    assert _pairs(acme.org) == {}
    profile = f"/o/{acme.org.slug}/candidates/{ada.pk}/"
    assert acme.client.post(url, {"next": profile})["Location"] == profile  # twice: still one decision
    assert DuplicateDismissal.objects.count() == 1


def test_another_organisation_cannot_dismiss_a_pair(acme, globex, add):
    ada = add(acme.org, "Ada", "Lovelace", phone="+442079460958")
    twin = add(acme.org, "Augusta", "King", phone="+442079460958")
    foreign = add(globex.org, "Ada", "Lovelace", phone="+442079460958")
    theirs = f"/o/{acme.org.slug}/candidates/duplicates/dismiss/{ada.pk}/{twin.pk}/"
    assert globex.client.post(theirs).status_code == 404
    own = f"/o/{globex.org.slug}/candidates/duplicates/dismiss/{ada.pk}/{twin.pk}/"
    assert globex.client.post(own).status_code == 404
    mixed = f"/o/{acme.org.slug}/candidates/duplicates/dismiss/{ada.pk}/{foreign.pk}/"
    assert acme.client.post(mixed).status_code == 404
    assert acme.client.post(f"/o/{acme.org.slug}/candidates/duplicates/dismiss/{ada.pk}/{ada.pk}/").status_code == 404
    assert not DuplicateDismissal.objects.exists() and len(_pairs(acme.org)) == 1


def test_the_refresh_task_called_directly_returns_the_pairs_its_candidates_are_in(acme, add):
    ada = add(acme.org, "Ada", "Lovelace", phone="+442079460958")
    twin = add(acme.org, "Augusta", "King", phone="+442079460958")
    DuplicatePair.objects.all().delete()
    assert duplicates_refresh_task.delay(acme.org.pk, [ada.pk, twin.pk, 999_999]).get() == 1
    assert duplicates_refresh_task.delay(acme.org.pk + 1, [ada.pk]).get() == 0  # not that organisation's
    assert list(_pairs(acme.org)) == [(ada.pk, twin.pk)]


def test_the_rebuild_command_fills_the_pairs_of_existing_candidates(acme, globex, add):
    ada = add(acme.org, "Ada", "Lovelace", phone="+442079460958")
    twin = add(acme.org, "Augusta", "King", phone="+442079460958")
    DuplicatePair.objects.all().delete()
    out = io.StringIO()
    call_command("rebuild_duplicates", "--org", acme.org.slug, stdout=out)
    assert f"{acme.org.slug}: 1 likely duplicate pair(s)" in out.getvalue()
    assert list(_pairs(acme.org)) == [(ada.pk, twin.pk)]
    call_command("rebuild_duplicates", "--all", stdout=out)
    assert f"{globex.org.slug}: 0 likely duplicate pair(s)" in out.getvalue()
    with pytest.raises(CommandError, match="No organisation"):
        call_command("rebuild_duplicates", "--org", "nowhere", stdout=out)


def test_a_rebuild_deletes_pairs_no_longer_found_and_corrects_changed_ones(acme, add):
    ada = add(acme.org, "Ada", "Lovelace", phone="+442079460958")
    twin = add(acme.org, "Augusta", "King", phone="+442079460958")
    stranger = add(acme.org, "Alan", "Turing")
    DuplicatePair.objects.filter(candidate_a=ada).update(reasons=["stale"], score=3)
    DuplicatePair.objects.create(organization=acme.org, candidate_a=twin, candidate_b=stranger, score=1, reasons=["x"])
    assert duplicates_rebuild(org=acme.org) == 1
    assert _pairs(acme.org) == {(ada.pk, twin.pk): ["phone"]}
    assert DuplicatePair.objects.get().score == 1
