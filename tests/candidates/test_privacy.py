"""Privacy services: stop messages, suppression, erasure (no personal data left anywhere), “my data” export."""

from __future__ import annotations

import hashlib
import json

import pytest
from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.utils import timezone

from candidates import privacy, services
from candidates.consent import consent_record, consent_state
from candidates.merge import candidate_merge
from candidates.models import Candidate, ConsentRecord, ImportJob, MergeRecord, Resume, Suppression
from candidates.resumes import resume_attach
from engagement.circles.models import CircleMembership, CommunityInvitation
from engagement.timeline.models import Activity
from engagement.timeline.services import activity_log, reminder_create
from talentcircles import events
from talentcircles.models import User
from tests.factories import CandidateFactory, CircleFactory, UserFactory, docx_bytes

pytestmark = pytest.mark.django_db

ZELDA = {
    "first_name": "Zelda",
    "last_name": "Quixotic-Marsh",
    "email": "Zelda.QM@Example.org",
    "phone": "+44 20 7946 0958",
    "headline": "Compiler whisperer",
    "current_title": "Staff Engineer",
    "current_company": "Hyrule Labs",
    "industry": "Computer Software",
    "city": "Lyon",
    "region": "Auvergne",
    "country_code": "FR",
    "linkedin_url": "https://www.linkedin.com/in/zelda-qm",
    "links": ["https://zelda-qm.example.org"],
    "referrer": "Link Hylian",
}
# What must not survive an erasure anywhere in the database (compared case-insensitively).
ZELDA_NEEDLES = [
    "zelda", "quixotic-marsh", "q. marsh", "zelda.qm@example.org", "zelda.work@example.org", "+442079460958",
    "zelda-qm", "hyrule labs", "link hylian",
]  # fmt: skip


def _zelda(org, *, with_portal_user: bool = True) -> Candidate:
    candidate = services.candidate_create(
        org=org, actor=None, data=dict(ZELDA), skills=["Rust", "LLVM"], tags=["met-at-rustconf"]
    )
    if with_portal_user:
        user = UserFactory(email="zelda.qm@example.org", first_name="Zelda", last_name="Quixotic-Marsh")
        Candidate.objects.filter(pk=candidate.pk).update(user=user)
        candidate.refresh_from_db()
    return candidate


def leftover_personal_data(needles: list[str]) -> list[str]:
    """Every text, JSON (and search vector) value in every table that still contains one of `needles`.

    Scans all installed models, so a table added later is covered without touching this test.
    """
    needles = [needle.casefold() for needle in needles]
    text_fields = (models.CharField, models.TextField, models.JSONField, SearchVectorField)
    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, text_fields)]
        if not fields:
            continue
        for row in model._base_manager.values_list("pk", *[f.attname for f in fields]).iterator():
            pk, values = row[0], row[1:]
            for field, value in zip(fields, values, strict=True):
                if value is None:
                    continue
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
                text = text.casefold()
                for needle in needles:
                    if needle in text:
                        found.append(f"{model._meta.label}#{pk}.{field.name} contains {needle!r}")
    return found


# --- Suppression and “stop all messages” ---------------------------------------------------------


def test_the_suppression_hash_is_the_sha256_of_the_normalised_address():
    expected = hashlib.sha256(b"zelda.qm@example.org").hexdigest()
    assert privacy.suppression_hash("  <Zelda.QM@Example.ORG> ") == expected
    assert privacy.suppression_hash("mailto:zelda.qm@example.org") == expected


def test_it_unsubscribes_once_suppresses_the_address_and_makes_the_candidate_uncontactable(acme, seen_events):
    candidate = _zelda(acme.org)
    consent_record(candidate=candidate, purpose="messages", granted=True, source="portal")

    privacy.candidate_unsubscribe(candidate=candidate, source="portal", actor=candidate.user)
    privacy.candidate_unsubscribe(candidate=candidate, source="portal")  # a second click changes nothing

    candidate.refresh_from_db()
    assert candidate.unsubscribed_at is not None
    assert not candidate.is_contactable
    assert not Candidate.objects.for_org(acme.org).contactable().filter(pk=candidate.pk).exists()
    assert consent_state(candidate, "messages") is False
    assert ConsentRecord.objects.filter(candidate=candidate, purpose="messages", granted=False).count() == 1
    assert privacy.is_suppressed(acme.org, "ZELDA.qm@example.org ")
    suppression = Suppression.objects.get()
    assert suppression.reason == Suppression.Reason.UNSUBSCRIBED
    assert "zelda" not in suppression.email_hash
    unsubscribed = [e for e in seen_events if e.kind == events.UNSUBSCRIBED]
    assert [(e.details, e.actor_id) for e in unsubscribed] == [({"source": "portal"}, candidate.user_id)]


def test_suppression_belongs_to_one_organisation(acme, globex):
    privacy.candidate_unsubscribe(candidate=_zelda(acme.org), source="unsubscribe_link")
    assert privacy.is_suppressed(acme.org, "zelda.qm@example.org")
    assert not privacy.is_suppressed(globex.org, "zelda.qm@example.org")
    assert not privacy.is_suppressed(acme.org, "")


def test_receiving_messages_again_lifts_the_unsubscribe_and_is_recorded(acme):
    candidate = _zelda(acme.org)
    privacy.candidate_unsubscribe(candidate=candidate, source="portal")
    privacy.candidate_resubscribe(candidate=candidate, source="portal", ip_address="203.0.113.7")

    candidate.refresh_from_db()
    assert candidate.unsubscribed_at is None
    assert candidate.is_contactable
    assert consent_state(candidate, "messages") is True
    assert not privacy.is_suppressed(acme.org, candidate.email)
    latest = candidate.consents.order_by("-recorded_at", "-id").first()
    assert (latest.granted, latest.source, latest.ip_address) == (True, "portal", "203.0.113.7")


def test_an_unknown_source_is_a_programming_error(acme):
    with pytest.raises(ValueError, match="Unknown source"):
        privacy.candidate_unsubscribe(candidate=_zelda(acme.org), source="carrier-pigeon")


def test_preferences_record_a_consent_only_when_it_changes(acme):
    candidate = _zelda(acme.org, with_portal_user=False)
    for _ in range(2):
        privacy.candidate_set_preferences(
            candidate=candidate, digest_frequency="monthly", messages_consent=True, source="portal"
        )
    privacy.candidate_set_preferences(
        candidate=candidate, digest_frequency="never", messages_consent=False, source="portal"
    )
    candidate.refresh_from_db()
    assert candidate.digest_frequency == "never"
    assert list(candidate.consents.order_by("recorded_at", "id").values_list("granted", flat=True)) == [True, False]


def test_the_digest_frequency_says_whether_it_changed(acme):
    candidate = _zelda(acme.org, with_portal_user=False)
    assert services.candidate_set_digest_frequency(candidate=candidate, digest_frequency="never") is True
    assert services.candidate_set_digest_frequency(candidate=candidate, digest_frequency="never") is False
    candidate.refresh_from_db()
    assert candidate.digest_frequency == "never"
    with pytest.raises(ValidationError):
        services.candidate_set_digest_frequency(candidate=candidate, digest_frequency="hourly")


def test_preferences_refuse_an_unknown_digest_frequency(acme):
    candidate = _zelda(acme.org, with_portal_user=False)
    with pytest.raises(ValidationError) as error:
        privacy.candidate_set_preferences(
            candidate=candidate, digest_frequency="hourly", messages_consent=True, source="portal"
        )
    assert "digest_frequency" in error.value.message_dict
    candidate.refresh_from_db()
    assert candidate.digest_frequency == "weekly"
    assert not candidate.consents.exists()


# --- The candidate's own edits -------------------------------------------------------------------


def test_a_candidate_edits_their_profile_and_the_change_is_announced_as_theirs(acme, seen_events):
    candidate = _zelda(acme.org)
    privacy.candidate_update_by_self(
        candidate=candidate, data={"headline": "Now writing query planners", "city": "Grenoble", "last_name": ""}
    )
    candidate.refresh_from_db()
    assert (candidate.headline, candidate.city, candidate.last_name) == ("Now writing query planners", "Grenoble", "")
    changed = [e for e in seen_events if e.kind == events.PROFILE_CHANGED]
    assert len(changed) == 1
    assert changed[0].actor_id == candidate.user_id
    assert sorted(changed[0].details["fields"]) == ["city", "headline", "last_name"]
    assert not [e for e in seen_events if e.kind == events.UPDATED]


def test_a_candidate_cannot_save_a_bad_profile(acme, seen_events):
    candidate = _zelda(acme.org)
    with pytest.raises(ValidationError) as error:
        privacy.candidate_update_by_self(
            candidate=candidate,
            data={"first_name": "", "country_code": "Narnia", "links": ["javascript:alert(1)"], "linkedin_url": "nope"},
        )
    assert {"country_code", "links", "linkedin_url"} <= set(error.value.message_dict)
    candidate.refresh_from_db()
    assert candidate.first_name == "Zelda"
    assert not [e for e in seen_events if e.kind == events.PROFILE_CHANGED]

    with pytest.raises(ValidationError) as error:
        privacy.candidate_update_by_self(candidate=candidate, data={"first_name": ""})
    assert "first_name" in error.value.message_dict
    assert candidate.first_name == "Zelda"  # a refused change leaves the instance as stored


def test_a_candidate_never_learns_who_else_holds_a_linkedin_url(acme):
    services.candidate_create(
        org=acme.org, actor=None, data={"first_name": "Other", "linkedin_url": "linkedin.com/in/taken"}
    )
    candidate = _zelda(acme.org)
    with pytest.raises(ValidationError) as error:
        privacy.candidate_update_by_self(candidate=candidate, data={"linkedin_url": "https://linkedin.com/in/taken"})
    assert "Other" not in str(error.value.message_dict)


def test_a_candidate_cannot_write_recruiter_fields(acme):
    with pytest.raises(ValueError, match="stage"):
        privacy.candidate_update_by_self(candidate=_zelda(acme.org), data={"stage": "hired"})


# --- Erasure -------------------------------------------------------------------------------------


def _fill_every_corner(org, candidate: Candidate, recruiter: User) -> Resume:
    """Personal data wherever the candidates app keeps it: résumé, consents, admin log, merges, imports."""
    resume = resume_attach(
        candidate=candidate,
        upload=SimpleUploadedFile(
            "Zelda Quixotic-Marsh CV.docx", docx_bytes("Zelda Quixotic-Marsh, zelda.qm@example.org")
        ),
        actor=recruiter,
    )
    for purpose, ip_address in (("community_terms", "2001:db8::1"), ("messages", "203.0.113.9")):
        consent_record(candidate=candidate, purpose=purpose, granted=True, source="portal", ip_address=ip_address)
    LogEntry.objects.create(
        user=recruiter, content_type=ContentType.objects.get_for_model(Candidate), object_id=str(candidate.pk),
        object_repr=str(candidate), action_flag=CHANGE, change_message="[]",
    )  # fmt: skip
    LogEntry.objects.create(
        user=recruiter, content_type=ContentType.objects.get_for_model(Resume), object_id=str(resume.pk),
        object_repr=str(resume), action_flag=CHANGE, change_message="[]",
    )  # fmt: skip
    duplicate = services.candidate_create(
        org=org, actor=None, data={"first_name": "Zelda", "last_name": "Q. Marsh", "email": "zelda.work@example.org"}
    )
    candidate_merge(org=org, keep=candidate, other=duplicate, choices={}, actor=recruiter)
    ImportJob.objects.create(
        organization=org, format="csv", original_name="people.csv", file="imports/people.csv",
        errors=[
            {"row": 3, "reason": "Bad phone", "data": {"Email": "zelda.qm@example.org", "Name": "Zelda Q-M"}},
            {"row": 4, "reason": "Bad phone", "data": {"Email": "someone.else@example.org"}},
        ],
        warnings=[
            {"row": 5, "outcome": "created", "messages": ["phone: “Upon request” …"],
             "data": {"Email": "zelda.qm@example.org", "Phone": "Upon request"}},
            {"row": 6, "outcome": "skipped", "messages": ["No name: …"], "data": {"Email": "someone.else@example.org"}},
        ],
    )  # fmt: skip
    # The community and the timeline: engagement anonymises these on the ERASED event.
    activity_log(candidate=candidate, actor=recruiter, kind="note", body="Zelda Quixotic-Marsh loves Rust.")
    reminder_create(org=org, candidate_id=candidate.pk, recruiter=recruiter, due_at=timezone.now(), note="Call Zelda")
    CircleMembership.objects.create(circle=CircleFactory(organization=org), candidate=candidate, joined_via="self")
    CommunityInvitation.objects.create(organization=org, candidate=candidate, invited_by=recruiter)
    return resume


def test_erasure_leaves_no_personal_data_in_any_table_and_keeps_the_counts(
    acme, seen_events, django_capture_on_commit_callbacks
):
    candidate = _zelda(acme.org)
    user = candidate.user
    resume = _fill_every_corner(acme.org, candidate, acme.user)
    CandidateFactory(organization=acme.org, first_name="Bystander", email="bystander@example.org")
    assert leftover_personal_data(ZELDA_NEEDLES)  # the scan does find the data before
    storage = resume.file.storage
    assert storage.exists(resume.file.name)
    before = {"total": Candidate.objects.count(), "in_acme": Candidate.objects.for_org(acme.org).count()}
    kept = (candidate.stage, candidate.source, candidate.created_at, candidate.organization_id)

    with django_capture_on_commit_callbacks(execute=True):
        erased = privacy.candidate_erase(candidate=candidate, source="portal", actor=user)

    assert leftover_personal_data(ZELDA_NEEDLES) == []
    assert not storage.exists(resume.file.name)
    assert not Resume.objects.filter(candidate=candidate).exists()
    assert not User.objects.filter(pk=user.pk).exists()
    assert not EmailAddress.objects.filter(email__iexact="zelda.qm@example.org").exists()
    assert {"total": Candidate.objects.count(), "in_acme": Candidate.objects.for_org(acme.org).count()} == before

    erased.refresh_from_db()
    assert (erased.stage, erased.source, erased.created_at, erased.organization_id) == kept
    assert erased.first_name == privacy.ERASED_NAME
    assert (erased.last_name, erased.email, erased.phone, erased.links, erased.user_id) == ("", "", "", [], None)
    assert erased.erased_at and erased.unsubscribed_at and erased.do_not_contact
    assert not erased.skills.exists() and not erased.tags.exists()
    assert candidate.erased_at == erased.erased_at  # the caller's instance shows it too
    if connection.vendor == "postgresql":
        assert "zelda" not in str(Candidate.objects.values_list("search_vector", flat=True).get(pk=erased.pk))

    # Consent stays demonstrable, without the addresses it was given from.
    consents = list(ConsentRecord.objects.filter(candidate=erased).values_list("purpose", "granted", "ip_address"))
    assert sorted(consents) == [("community_terms", True, None), ("messages", True, None)]
    assert Suppression.objects.get(organization=acme.org).reason == Suppression.Reason.ERASED
    assert privacy.is_suppressed(acme.org, "zelda.qm@example.org")
    job = ImportJob.objects.get()
    assert job.errors[1]["data"] == {"Email": "someone.else@example.org"}
    assert job.warnings[0] == {"row": 5, "outcome": "created", "messages": [privacy.ERASED_IMPORT_ROW], "data": {}}
    assert job.warnings[1]["data"] == {"Email": "someone.else@example.org"}
    assert MergeRecord.objects.get(kept=erased).merged_snapshot == {}
    assert Activity.objects.filter(candidate=erased).exists()  # when contact happened stays, anonymously
    assert Candidate.objects.get(email="bystander@example.org").first_name == "Bystander"
    assert [e.kind for e in seen_events].count(events.ERASED) == 1


def test_erased_is_announced_first_inside_the_transaction_while_the_data_is_still_there(acme):
    candidate = _zelda(acme.org)
    observed = []

    def subscriber(event):
        if event.kind == events.ERASED:
            row = Candidate.objects.get(pk=event.candidate_id)
            observed.append((connection.in_atomic_block, row.email, row.resumes.count(), event.details))

    resume_attach(candidate=candidate, upload=SimpleUploadedFile("cv.docx", docx_bytes("CV")), actor=None)
    events.subscribe(subscriber)
    try:
        privacy.candidate_erase(candidate=candidate, source="recruiter", actor=acme.user)
    finally:
        events.unsubscribe(subscriber)
    assert observed == [(True, "zelda.qm@example.org", 1, {"source": "recruiter"})]


def test_a_failing_subscriber_rolls_the_whole_erasure_back(acme):
    candidate = _zelda(acme.org)

    def subscriber(event):
        if event.kind == events.ERASED:
            raise RuntimeError("the timeline could not be anonymised")

    events.subscribe(subscriber)
    try:
        with pytest.raises(RuntimeError):
            privacy.candidate_erase(candidate=candidate, source="admin")
    finally:
        events.unsubscribe(subscriber)
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.erased_at) == ("Zelda", None)
    assert not Suppression.objects.exists()


def test_erasing_twice_is_harmless(acme, seen_events):
    candidate = _zelda(acme.org)
    privacy.candidate_erase(candidate=candidate, source="portal")
    first = Candidate.objects.get(pk=candidate.pk)
    again = privacy.candidate_erase(candidate=candidate, source="admin")
    assert again.erased_at == first.erased_at
    assert [e.kind for e in seen_events].count(events.ERASED) == 1
    assert Suppression.objects.count() == 1


def test_erasure_keeps_a_portal_account_that_is_also_used_elsewhere(acme, globex):
    recruiter_candidate = CandidateFactory(organization=acme.org, user=globex.user, email=globex.user.email)
    privacy.candidate_erase(candidate=recruiter_candidate, source="recruiter")
    assert User.objects.filter(pk=globex.user.pk).exists()  # a Globex member: only unlinked
    assert Candidate.objects.get(pk=recruiter_candidate.pk).user_id is None

    person = UserFactory()
    in_acme = CandidateFactory(organization=acme.org, user=person, email=person.email)
    in_globex = CandidateFactory(organization=globex.org, user=person, email=person.email)
    privacy.candidate_erase(candidate=in_acme, source="portal")
    assert User.objects.filter(pk=person.pk).exists()  # still their Globex community account
    assert Candidate.objects.get(pk=in_globex.pk).user_id == person.pk


def test_an_erased_person_cannot_be_messaged_again_even_if_they_ask(acme):
    candidate = _zelda(acme.org)
    privacy.candidate_unsubscribe(candidate=candidate, source="portal")
    privacy.candidate_erase(candidate=candidate, source="portal")
    candidate.refresh_from_db()
    with pytest.raises(ValidationError):
        privacy.candidate_resubscribe(candidate=candidate, source="portal")
    assert Suppression.objects.get().reason == Suppression.Reason.ERASED


def test_a_candidate_without_an_email_can_be_erased(acme):
    candidate = services.candidate_create(org=acme.org, actor=None, data={"first_name": "Nameonly"})
    privacy.candidate_erase(candidate=candidate, source="recruiter")
    assert Candidate.objects.get(pk=candidate.pk).first_name == privacy.ERASED_NAME
    assert not Suppression.objects.exists()


# --- “My data” -----------------------------------------------------------------------------------


def test_the_export_holds_the_profile_consents_resumes_and_registered_sections(acme, globex):
    candidate = _zelda(acme.org)
    resume_attach(candidate=candidate, upload=SimpleUploadedFile("cv.docx", docx_bytes("CV")), actor=None)
    consent_record(candidate=candidate, purpose="messages", granted=True, source="portal", ip_address="203.0.113.9")
    services.candidate_create(org=globex.org, actor=None, data={"first_name": "Zed"})
    calls = []

    def circles(person):
        calls.append(person.pk)
        return [{"circle": "Rustaceans", "joined_at": person.created_at}]

    privacy.register_data_section("test_circles", circles)
    try:
        data = privacy.export_my_data(candidate)
    finally:
        privacy.unregister_data_section("test_circles")

    assert calls == [candidate.pk]
    assert data["profile"]["email"] == "zelda.qm@example.org"
    assert data["profile"]["links"] == ["https://zelda-qm.example.org"]
    assert data["organization"] == {"name": "Acme Inc", "slug": "acme"}
    assert sorted(data["skills"]) == ["LLVM", "Rust"] and data["tags"] == ["met-at-rustconf"]
    assert [(c["purpose"], c["granted"], c["wording_version"], c["ip_address"]) for c in data["consents"]] == [
        ("messages", True, "messages-2026-11", "203.0.113.9")
    ]
    assert [r["file_name"] for r in data["resumes"]] == ["cv.docx"]
    assert data["test_circles"][0]["circle"] == "Rustaceans"
    assert "Zed" not in json.dumps(data, cls=DjangoJSONEncoder)  # JSON-ready, and only this person's data


def test_a_section_cannot_replace_the_candidates_own():
    with pytest.raises(ValueError):
        privacy.register_data_section("profile", lambda candidate: {})
