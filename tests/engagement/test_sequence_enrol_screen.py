"""Enrolling from a candidate, a circle or the candidate list, background enrolment jobs, one enrollment's actions."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.utils import timezone

from candidates.models import Candidate
from engagement.sequences import enrolment, enrolment_batches
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence
from tests.engagement.sequence_support import candidate, enrol, make_sequence
from tests.engagement.sequence_views_support import circle_with, flashes, url
from tests.factories import CandidateFactory, CircleFactory

pytestmark = pytest.mark.django_db


def test_the_enrol_screen_from_a_candidate_shows_the_first_message_and_enrols(acme):
    sequence = make_sequence(acme)
    jane = candidate(acme, first_name="Jane")
    screen = acme.client.get(url("sequence_enrol", acme) + f"?candidate={jane.pk}&sequence={sequence.pk}")
    assert screen.status_code == 200
    sample = screen.context["samples"][0]
    assert sample["candidate"] == jane
    assert "Hi Jane" in sample["body"]
    assert b"data-score" in screen.content
    assert screen.context["to_enrol"] == 1
    response = acme.client.post(url("sequence_enrol", acme), {"candidate": jane.pk, "sequence": sequence.pk})
    assert response.status_code == 302
    assert response["Location"] == url("sequence_detail", acme, sequence.pk)
    assert Enrollment.objects.get(candidate=jane).state == "active"


def test_the_enrol_screen_without_a_sequence_asks_for_one(acme):
    make_sequence(acme, name="Pick me")
    jane = candidate(acme)
    screen = acme.client.get(url("sequence_enrol", acme) + f"?candidate={jane.pk}")
    assert screen.status_code == 200
    assert b"Pick me" in screen.content
    assert "samples" not in screen.context


def test_the_enrol_screen_for_a_circle_lists_who_is_skipped_and_why(acme):
    sequence = make_sequence(acme)
    ok = candidate(acme, first_name="Okay")
    gone = candidate(acme, first_name="Gone", unsubscribed_at=timezone.now())
    hired = candidate(acme, first_name="Hired", stage=Candidate.Stage.HIRED)
    dnc = candidate(acme, first_name="Blocked", do_not_contact=True)
    already = candidate(acme, first_name="Already")
    enrol(acme, sequence, [already])
    circle = circle_with(acme, ok, gone, hired, dnc, already)
    screen = acme.client.get(url("sequence_enrol", acme) + f"?circle={circle.pk}&sequence={sequence.pk}")
    assert screen.status_code == 200
    reasons = {row["candidate"].first_name: row["reason"] for row in screen.context["skipped_rows"]}
    assert reasons == {
        "Gone": "Unsubscribed from all messages",
        "Hired": "In a final stage (hired, not interested or archived)",
        "Blocked": "Marked do-not-contact",
        "Already": "Already enrolled in this sequence",
    }
    assert [s["candidate"] for s in screen.context["samples"]] == [ok]
    assert screen.context["to_enrol"] == 1
    response = acme.client.post(url("sequence_enrol", acme), {"circle": circle.pk, "sequence": sequence.pk})
    assert response.status_code == 302
    assert "4 skipped" not in " ".join(flashes(response))  # reasons are spelt out
    assert set(Enrollment.objects.filter(sequence=sequence, state="active").values_list("candidate", flat=True)) == {
        ok.pk,
        already.pk,
    }


def test_a_selection_from_the_candidate_list_goes_to_the_enrol_screen(acme):
    people = [candidate(acme), candidate(acme)]
    response = acme.client.post(url("sequence_enrol_start", acme), {"selected": [p.pk for p in people], "query": "q=x"})
    assert response.status_code == 302
    expected = (
        url("sequence_enrol", acme) + "?" + urlencode([("selected", p.pk) for p in sorted(people, key=lambda p: p.pk)])
    )
    assert response["Location"] == expected
    screen = acme.client.get(response["Location"])
    assert screen.context["total"] == 2


def test_all_matching_the_list_filters_goes_to_the_enrol_screen(acme):
    sequence = make_sequence(acme)
    candidate(acme, current_title="Backend Engineer", stage=Candidate.Stage.NEW)
    candidate(acme, current_title="Backend Engineer", stage=Candidate.Stage.NEW)
    candidate(acme, current_title="Backend Engineer", stage=Candidate.Stage.CONTACTED)
    response = acme.client.post(url("sequence_enrol_start", acme), {"all_matching": "on", "query": "stage=new"})
    assert response.status_code == 302
    screen = acme.client.get(response["Location"] + f"&sequence={sequence.pk}")
    assert screen.context["total"] == 2
    assert "matching the list's filters" in screen.context["audience_label"]
    enrolled = acme.client.post(
        url("sequence_enrol", acme), {"all_matching": "on", "query": "stage=new", "sequence": sequence.pk}
    )
    assert enrolled.status_code == 302
    assert Enrollment.objects.filter(sequence=sequence).count() == 2


def test_an_empty_selection_goes_back_to_the_list_with_a_message(acme):
    response = acme.client.post(url("sequence_enrol_start", acme), {"query": ""})
    assert response["Location"] == url("candidate_list", acme)
    assert any("Select at least one" in text for text in flashes(response))


def test_invalid_filters_are_refused_rather_than_widened(acme):
    response = acme.client.post(url("sequence_enrol_start", acme), {"all_matching": "on", "query": "stage=nonsense"})
    assert response["Location"].startswith(url("candidate_list", acme))
    assert any("not valid" in text for text in flashes(response))
    screen = acme.client.get(
        url("sequence_enrol", acme) + "?" + urlencode({"all_matching": "on", "query": "stage=nonsense"})
    )
    assert screen.status_code == 404


def test_enrolling_without_a_sequence_is_a_form_error(acme):
    jane = candidate(acme)
    response = acme.client.post(url("sequence_enrol", acme), {"candidate": jane.pk})
    assert response.status_code == 400
    assert response.context["form"].errors["sequence"]
    assert not Enrollment.objects.exists()


def test_enrolling_in_an_archived_sequence_is_refused(acme):
    sequence = make_sequence(acme, status=Sequence.Status.ARCHIVED)
    jane = candidate(acme)
    response = acme.client.post(url("sequence_enrol", acme), {"candidate": jane.pk, "sequence": sequence.pk})
    assert response.status_code == 400
    assert not Enrollment.objects.exists()


def test_a_large_enrolment_runs_in_the_background_with_progress(acme, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(enrolment, "BACKGROUND_ENROLMENT_THRESHOLD", 2)
    sequence = make_sequence(acme)
    circle = circle_with(acme, *[candidate(acme) for _ in range(3)])
    screen = acme.client.get(url("sequence_enrol", acme) + f"?circle={circle.pk}&sequence={sequence.pk}")
    assert screen.context["background"] is True
    with django_capture_on_commit_callbacks(execute=False):
        response = acme.client.post(url("sequence_enrol", acme), {"circle": circle.pk, "sequence": sequence.pk})
    job = EnrollmentJob.objects.get()
    assert response["Location"] == url("sequence_enrol_job", acme, job.pk)
    waiting = acme.client.get(response["Location"])
    assert b'hx-trigger="every 1s"' in waiting.content
    enrolment_batches.enrollment_job_run(job_id=job.pk)
    partial = acme.client.get(response["Location"], headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content
    assert b'aria-valuenow="100"' in partial.content
    assert b"hx-trigger" not in partial.content  # done: polling stops
    assert Enrollment.objects.filter(sequence=sequence).count() == 3


def test_another_organisations_candidate_circle_or_sequence_on_the_enrol_screen_is_404(acme, globex):
    sequence = make_sequence(acme)
    theirs = make_sequence(globex)
    their_candidate = CandidateFactory(organization=globex.org)
    their_circle = CircleFactory(organization=globex.org)
    mine = candidate(acme)
    enrol_url = url("sequence_enrol", acme)
    assert acme.client.get(f"{enrol_url}?candidate={their_candidate.pk}").status_code == 404
    assert acme.client.get(f"{enrol_url}?circle={their_circle.pk}").status_code == 404
    assert acme.client.get(f"{enrol_url}?candidate={mine.pk}&sequence={theirs.pk}").status_code == 404
    assert acme.client.post(enrol_url, {"candidate": their_candidate.pk, "sequence": sequence.pk}).status_code == 404
    assert acme.client.post(enrol_url, {"circle": their_circle.pk, "sequence": sequence.pk}).status_code == 404
    assert acme.client.post(enrol_url, {"candidate": mine.pk, "sequence": theirs.pk}).status_code == 400
    assert not Enrollment.objects.exists()


def test_a_selection_naming_another_organisations_candidate_leaves_them_out(acme, globex):
    sequence = make_sequence(acme)
    mine, theirs = candidate(acme), CandidateFactory(organization=globex.org)
    response = acme.client.post(
        url("sequence_enrol", acme), {"selected": [mine.pk, theirs.pk], "sequence": sequence.pk}
    )
    assert response.status_code == 302
    assert list(Enrollment.objects.values_list("candidate", flat=True)) == [mine.pk]


def test_an_enrollment_is_paused_resumed_and_stopped(acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    back = url("sequence_detail", acme, sequence.pk) + "?state=active"
    response = acme.client.post(url("enrollment_pause", acme, enrollment.pk), {"next": back})
    assert response["Location"] == back
    assert Enrollment.objects.get(pk=enrollment.pk).state == "paused"
    acme.client.post(url("enrollment_resume", acme, enrollment.pk))
    assert Enrollment.objects.get(pk=enrollment.pk).state == "active"
    acme.client.post(url("enrollment_stop", acme, enrollment.pk))
    stopped = Enrollment.objects.get(pk=enrollment.pk)
    assert (stopped.state, stopped.stop_reason, stopped.next_run_at) == ("stopped", "Stopped by a recruiter.", None)


def test_resuming_an_active_enrollment_says_why_not(acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    response = acme.client.post(url("enrollment_resume", acme, enrollment.pk))
    assert response.status_code == 302
    assert any("Only a paused enrollment" in text for text in flashes(response))


def test_an_outside_next_url_is_ignored(acme):
    sequence = make_sequence(acme)
    enrollment = enrol(acme, sequence, [candidate(acme)]).enrolled[0]
    response = acme.client.post(url("enrollment_pause", acme, enrollment.pk), {"next": "https://evil.example/"})
    assert response["Location"].startswith(url("sequence_detail", acme, sequence.pk))
