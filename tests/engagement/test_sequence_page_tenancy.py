"""Sequence pages and objects of another organisation are 404; signed-out visitors and outsiders are kept out."""

from __future__ import annotations

import pytest

from engagement.sequences.models import EnrollmentJob
from tests.engagement.sequence_support import candidate, enrol, make_sequence
from tests.engagement.sequence_views_support import url
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def theirs(globex):
    """One of each of globex's sequence objects."""
    sequence = make_sequence(globex)
    enrollment = enrol(globex, sequence, [candidate(globex)]).enrolled[0]
    job = EnrollmentJob.objects.create(organization=globex.org, sequence=sequence, total=1)
    return {"sequence": sequence, "step": sequence.steps.first(), "enrollment": enrollment, "job": job}


@pytest.mark.parametrize(
    ("name", "keys", "method"),
    [
        ("sequence_detail", ["sequence"], "get"),
        ("sequence_edit", ["sequence"], "get"),
        ("sequence_edit", ["sequence"], "post"),
        ("sequence_preview", ["sequence"], "get"),
        ("sequence_status", ["sequence"], "post"),
        ("sequence_step_move", ["sequence", "step"], "post"),
        ("sequence_enrol_job", ["job"], "get"),
        ("enrollment_pause", ["enrollment"], "post"),
        ("enrollment_resume", ["enrollment"], "post"),
        ("enrollment_stop", ["enrollment"], "post"),
    ],
)
def test_another_organisations_sequence_objects_are_404_in_my_organisation(acme, theirs, name, keys, method):
    address = url(name, acme, *[theirs[key].pk for key in keys])
    data = {"status": "paused", "direction": "up", "name": "x", "action": "save"} if method == "post" else {}
    assert getattr(acme.client, method)(address, data).status_code == 404
    theirs["enrollment"].refresh_from_db()
    theirs["sequence"].refresh_from_db()
    assert (theirs["enrollment"].state, theirs["sequence"].status, theirs["sequence"].name) == (
        "active",
        "active",
        "Backend 2026",
    )


@pytest.mark.parametrize("name", ["sequence_list", "sequence_create", "sequence_enrol", "sequence_enrol_start"])
def test_the_pages_of_another_organisation_are_404(acme, globex, name):
    address = url(name, globex)
    assert acme.client.get(address).status_code in (404, 405)
    assert acme.client.post(address, {"name": "x"}).status_code == 404


def test_a_signed_out_visitor_is_sent_to_sign_in(client, acme):
    response = client.get(url("sequence_list", acme))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_user_outside_the_organisation_gets_404(acme):
    stranger = UserFactory(email="stranger@example.com")
    acme.client.force_login(stranger)
    assert acme.client.get(url("sequence_list", acme)).status_code == 404
