"""Merging duplicates: the service (union, choices, record, atomicity) and the side-by-side page."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfWriter

from candidates import services
from candidates.merge import candidate_merge, default_choices
from candidates.models import Candidate, MergeRecord, Resume, Skill
from candidates.resumes import resume_attach
from candidates.selectors import CandidateFilters, candidate_list
from talentcircles import events
from tests.factories import CandidateFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


PDF = _blank_pdf()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _add(org, first, last="", **data):
    skills, tags = data.pop("skills", ()), data.pop("tags", ())
    return services.candidate_create(
        org=org, actor=None, data={"first_name": first, "last_name": last, **data}, skills=skills, tags=tags
    )


def _resume(candidate, name="cv.pdf"):
    return resume_attach(candidate=candidate, upload=SimpleUploadedFile(name, PDF), actor=None)


@pytest.fixture
def pair(acme):
    keep = _add(acme.org, "Jane", "Doe", email="jane@old.example", current_company="Initech", current_title="",
                links=["https://github.com/jane"], skills=["Python", "SQL"], tags=["alumni"])  # fmt: skip
    other = _add(acme.org, "Janet", "Doe", email="jane.doe@new.example", current_company="Initech",
                 current_title="Staff Engineer", phone="+14155550100", linkedin_url="linkedin.com/in/janedoe",
                 links=["https://github.com/jane", "https://jane.dev"], skills=["sql", "Rust"], tags=["speaker"],
                 do_not_contact=True)  # fmt: skip
    _resume(keep, "old.pdf")
    _resume(other, "new.pdf")
    return keep, other


def test_a_merge_keeps_the_union_and_the_chosen_values_then_deletes_the_other(acme, pair):
    keep, other = pair
    other_pk = other.pk
    contacted = timezone.now() - timedelta(days=3)
    Candidate.objects.filter(pk=other.pk).update(last_contacted_at=contacted)
    seen: list[events.CandidateEvent] = []
    events.subscribe(seen.append)
    try:
        merged = candidate_merge(
            org=acme.org,
            keep=keep,
            other=other,
            choices={"email": "other", "current_title": "other", "first_name": "keep"},
            actor=acme.user,
        )
    finally:
        events.unsubscribe(seen.append)

    merged = Candidate.objects.get(pk=keep.pk)
    assert not Candidate.objects.filter(pk=other_pk).exists()
    assert (merged.first_name, merged.email, merged.current_title) == ("Jane", "jane.doe@new.example", "Staff Engineer")
    assert merged.phone == "" and merged.linkedin_url == ""  # not chosen: keep's (empty) values stay
    assert sorted(merged.skills.values_list("name", flat=True)) == ["Python", "Rust", "SQL"]
    assert sorted(merged.tags.values_list("name", flat=True)) == ["alumni", "speaker"]
    assert sorted(merged.resumes.values_list("original_name", flat=True)) == ["new.pdf", "old.pdf"]
    assert merged.links == ["https://github.com/jane", "https://jane.dev"]
    assert merged.do_not_contact is True  # either side's do-not-contact wins
    assert merged.last_contacted_at == contacted

    record = MergeRecord.objects.for_org(acme.org).get()
    assert (record.kept, record.merged_candidate_id, record.merged_by) == (merged, other_pk, acme.user)
    assert record.chosen_fields == {"email": "other", "current_title": "other", "first_name": "keep"}
    assert record.merged_snapshot["email"] == "jane.doe@new.example"
    assert record.merged_snapshot["first_name"] == "Janet"
    assert sorted(record.merged_snapshot["skills"]) == ["Rust", "SQL"]

    merge_events = [e for e in seen if e.kind == events.MERGED]
    assert len(merge_events) == 1
    assert merge_events[0].candidate_id == keep.pk
    assert merge_events[0].related == {"merged_candidate_id": other_pk}
    assert merge_events[0].actor_id == acme.user.pk
    # The search index knows the kept record by the e-mail it took over.
    found = candidate_list(org=acme.org, filters=CandidateFilters(search="jane.doe@new.example"))
    assert [c.pk for c in found] == [keep.pk]


def test_values_taken_from_the_other_record_are_normalised_like_any_edit(acme, pair):
    keep, other = pair
    merged = candidate_merge(
        org=acme.org, keep=keep, other=other, choices={"phone": "other", "linkedin_url": "other"}, actor=None
    )
    merged.refresh_from_db()
    assert merged.phone == "+14155550100"
    assert merged.linkedin_href == "https://www.linkedin.com/in/janedoe"


def test_default_choices_prefer_the_kept_value_unless_it_is_empty(acme, pair):
    keep, other = pair
    assert default_choices(keep, other) == {
        "first_name": "keep",
        "email": "keep",
        "phone": "other",
        "current_title": "other",
        "linkedin_url": "other",
    }


def test_a_merge_that_fails_validation_changes_nothing(acme, pair):
    keep, _ = pair
    # Written around the services, as legacy data may be: a phone no one can read.
    broken = CandidateFactory(organization=acme.org, first_name="Jane", email="jd@legacy.example", phone="12")
    broken.skills.add(*services.labels_for(Skill, acme.org, ["COBOL"]))
    legacy_resume = _resume(broken, "legacy.pdf")

    with pytest.raises(ValidationError) as failure:
        candidate_merge(org=acme.org, keep=keep, other=broken, choices={"email": "other", "phone": "other"}, actor=None)
    assert "phone" in failure.value.message_dict

    broken.refresh_from_db()
    keep.refresh_from_db()
    assert broken.email == "jd@legacy.example"  # its e-mail was freed mid-way, then rolled back
    assert keep.email == "jane@old.example"
    assert sorted(keep.skills.values_list("name", flat=True)) == ["Python", "SQL"]
    assert Resume.objects.get(pk=legacy_resume.pk).candidate_id == broken.pk
    assert not MergeRecord.objects.exists()


def test_a_candidate_cannot_be_merged_with_itself_nor_across_organisations(acme, globex, pair):
    keep, other = pair
    with pytest.raises(ValidationError):
        candidate_merge(org=acme.org, keep=keep, other=keep, choices={}, actor=None)
    theirs = _add(globex.org, "Jane", "Doe")
    with pytest.raises(Candidate.DoesNotExist):
        candidate_merge(org=acme.org, keep=keep, other=theirs, choices={}, actor=None)
    with pytest.raises(Candidate.DoesNotExist):
        candidate_merge(org=globex.org, keep=theirs, other=other, choices={}, actor=None)
    with pytest.raises(ValidationError) as bad_choice:
        candidate_merge(org=acme.org, keep=keep, other=other, choices={"email": "both", "skills": "other"}, actor=None)
    assert set(bad_choice.value.message_dict) == {"email", "__all__"}
    assert Candidate.objects.count() == 3 and not MergeRecord.objects.exists()


def test_merging_a_record_that_absorbed_others_keeps_their_history(acme):
    a, b, c = (_add(acme.org, "Jane", "Doe", email=f"jane{i}@example.com") for i in range(3))
    candidate_merge(org=acme.org, keep=b, other=c, choices={}, actor=None)
    candidate_merge(org=acme.org, keep=a, other=b, choices={}, actor=None)
    assert sorted(MergeRecord.objects.filter(kept=a).values_list("merged_candidate_id", flat=True)) == [b.pk, c.pk]


def test_an_owner_who_left_the_organisation_cannot_be_chosen(acme, pair):
    keep, other = pair
    leaver = UserFactory()
    membership = MembershipFactory(user=leaver, organization=acme.org)
    Candidate.objects.filter(pk=other.pk).update(owner=leaver)
    membership.delete()
    with pytest.raises(ValidationError) as failure:
        candidate_merge(org=acme.org, keep=keep, other=other, choices={"owner": "other"}, actor=None)
    assert "owner" in failure.value.message_dict


# --- The merge page -------------------------------------------------------------------


def _merge_url(org, keep, other) -> str:
    return f"/o/{org.slug}/candidates/duplicates/merge/{keep.pk}/{other.pk}/"


def test_the_merge_page_compares_the_differing_fields_side_by_side(acme, pair):
    keep, other = pair
    response = acme.client.get(_merge_url(acme.org, keep, other))
    assert response.status_code == 200
    rows = {row["name"]: row for row in response.context["rows"]}
    assert set(rows) == {"first_name", "email", "phone", "current_title", "linkedin_url"}
    assert rows["email"]["chosen"] == "keep" and rows["current_title"]["chosen"] == "other"
    assert rows["linkedin_url"]["other"] == "https://www.linkedin.com/in/janedoe"
    assert response.context["union"] == {"skills": 3, "tags": 2, "resumes": 2, "links": 2}
    html = response.content.decode()
    assert 'name="current_title" value="other" id="current_title-other" checked' in html
    assert "Do not contact</strong> stays on" in html


def test_posting_the_merge_page_merges_and_redirects_to_the_kept_candidate(acme, pair):
    keep, other = pair
    response = acme.client.post(
        _merge_url(acme.org, keep, other), {"email": "other", "first_name": "keep", "phone": "keep"}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/o/{acme.org.slug}/candidates/{keep.pk}/"
    assert f"Merged Janet Doe (#{other.pk}) into Jane Doe." in response.content.decode()
    keep.refresh_from_db()
    # Fields not posted take their defaults: the title, empty on keep, comes from the other record.
    assert (keep.email, keep.phone, keep.current_title) == ("jane.doe@new.example", "", "Staff Engineer")
    assert not Candidate.objects.filter(pk=other.pk).exists()
    assert MergeRecord.objects.get().chosen_fields["email"] == "other"


def test_a_merge_that_fails_shows_the_error_next_to_the_field_and_changes_nothing(acme, pair):
    keep, _ = pair
    broken = CandidateFactory(organization=acme.org, first_name="Jane", phone="12")
    response = acme.client.post(_merge_url(acme.org, keep, broken), {"phone": "other"})
    assert response.status_code == 400
    assert "not a phone number we can read" in response.content.decode()
    assert response.context["merge_failed"]
    assert Candidate.objects.filter(pk=broken.pk).exists() and not MergeRecord.objects.exists()


def test_another_organisation_gets_404_on_the_merge_page_and_nothing_changes(acme, globex, pair):
    keep, other = pair
    url = _merge_url(acme.org, keep, other)
    assert globex.client.get(url).status_code == 404
    assert globex.client.post(url, {"email": "other"}).status_code == 404
    # Nor can acme's ids be used under globex's own address.
    own_url = f"/o/{globex.org.slug}/candidates/duplicates/merge/{keep.pk}/{other.pk}/"
    assert globex.client.get(own_url).status_code == 404
    assert globex.client.post(own_url, {"email": "other"}).status_code == 404
    # A member cannot pull another organisation's candidate into a merge either.
    theirs = _add(globex.org, "Jane", "Doe")
    assert acme.client.post(_merge_url(acme.org, keep, theirs)).status_code == 404
    assert acme.client.get(_merge_url(acme.org, keep, keep)).status_code == 404
    assert Candidate.objects.filter(pk__in=[keep.pk, other.pk, theirs.pk]).count() == 3
    assert not MergeRecord.objects.exists()
