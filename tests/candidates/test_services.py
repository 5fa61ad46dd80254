"""Candidate services: normalisation, validation, de-duplication and bulk actions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from candidates import services
from candidates.models import Candidate, Skill, Tag
from talentcircles import events
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _create(org, **data):
    skills = data.pop("skills", ())
    data.setdefault("first_name", "Jane")
    return services.candidate_create(org=org, actor=None, data=data, skills=skills)


def test_it_normalises_what_people_type(acme):
    candidate = _create(
        acme.org,
        email="  Jane.Doe@Example.COM ",
        phone="020 7946 0958",
        country_code="gb",
        city="London",
        linkedin_url="https://uk.linkedin.com/in/Jane-Doe/?trk=public_profile",
        industry="computer software",
    )
    assert candidate.email == "jane.doe@example.com"
    assert candidate.phone == "+442079460958"
    assert candidate.country_code == "GB"
    assert candidate.time_zone == "Europe/London"
    assert candidate.linkedin_url == "linkedin.com/in/jane-doe"
    assert candidate.linkedin_href == "https://www.linkedin.com/in/jane-doe"
    assert candidate.industry == "Computer Software"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"first_name": ""}, "first_name"),
        ({"headline": "x" * 221}, "headline"),
        ({"linkedin_url": "https://example.com/in/jane"}, "linkedin_url"),
        ({"industry": "Underwater basket weaving"}, "industry"),
        ({"country_code": "Narnia"}, "country_code"),
    ],
)
def test_it_rejects_bad_input_with_a_field_message_and_saves_nothing(acme, data, field):
    with pytest.raises(ValidationError) as error:
        _create(acme.org, **data)
    assert field in error.value.message_dict
    assert not Candidate.objects.exists()


def test_email_and_linkedin_are_unique_per_organisation_case_insensitively(acme, globex):
    first = _create(acme.org, email="jane@example.com", linkedin_url="linkedin.com/in/jane")
    with pytest.raises(ValidationError) as error:
        _create(acme.org, email="JANE@example.com")
    assert f"#{first.pk}" in error.value.message_dict["email"][0]
    with pytest.raises(ValidationError):
        _create(acme.org, linkedin_url="https://www.linkedin.com/in/Jane/")
    assert _create(globex.org, email="jane@example.com").organization == globex.org


def test_skills_and_tags_are_organisation_scoped_and_case_insensitive(acme, globex):
    a = _create(acme.org, skills=["Python", "python ", "Django"])
    b = _create(acme.org, first_name="Bob", skills=["PYTHON"])
    _create(globex.org, skills=["Python"])
    assert sorted(s.name for s in a.skills.all()) == ["Django", "Python"]
    assert list(b.skills.all()) == [Skill.objects.get(organization=acme.org, key="python")]
    assert Skill.objects.filter(key="python").count() == 2


def test_the_owner_must_belong_to_the_organisation(acme, globex):
    with pytest.raises(ValidationError) as error:
        _create(acme.org, owner=globex.user)
    assert "owner" in error.value.message_dict
    assert _create(acme.org, owner=acme.user).owner == acme.user


def test_update_changes_fields_and_emits_an_event(acme):
    seen = []
    events.subscribe(seen.append)
    try:
        candidate = _create(acme.org, email="a@example.com")
        services.candidate_update(candidate=candidate, actor=acme.user, data={"current_title": "CTO"})
    finally:
        events.unsubscribe(seen.append)
    assert [e.kind for e in seen] == [events.CREATED, events.UPDATED]
    assert seen[1].details == {"fields": ["current_title"]}
    assert seen[1].actor_id == acme.user.pk
    assert Candidate.objects.get().current_title == "CTO"


class TestUpsert:
    def test_a_new_record_is_created(self, acme):
        result = services.candidate_upsert(org=acme.org, actor=None, data={"first_name": "Ann", "email": "ann@x.io"})
        assert result.outcome == "created"

    def test_a_match_by_email_fills_only_empty_fields(self, acme):
        typed = _create(acme.org, email="ann@x.io", current_title="Staff Engineer")
        result = services.candidate_upsert(
            org=acme.org,
            actor=None,
            data={
                "first_name": "Annie",
                "email": "ANN@x.io",
                "current_title": "Engineer",
                "current_company": "Initech",
            },
            skills=["Go"],
        )
        assert result.outcome == "updated"
        typed.refresh_from_db()
        assert (typed.first_name, typed.current_title, typed.current_company) == ("Jane", "Staff Engineer", "Initech")
        assert [s.name for s in typed.skills.all()] == ["Go"]

    def test_a_match_by_linkedin_url_when_there_is_no_email(self, acme):
        existing = _create(acme.org, linkedin_url="linkedin.com/in/ann")
        result = services.candidate_upsert(
            org=acme.org, actor=None, data={"first_name": "Ann", "linkedin_url": "https://www.linkedin.com/in/ann/"}
        )
        assert result.candidate == existing

    def test_importing_the_same_record_twice_changes_nothing(self, acme):
        data = {"first_name": "Ann", "email": "ann@x.io", "current_company": "Initech"}
        services.candidate_upsert(org=acme.org, actor=None, data=data, skills=["Go"])
        again = services.candidate_upsert(org=acme.org, actor=None, data=data, skills=["go"])
        assert again.outcome == "skipped"
        assert Candidate.objects.count() == 1


class TestBulkActions:
    @pytest.fixture
    def people(self, acme, globex):
        mine = [_create(acme.org, first_name=f"P{i}", email=f"p{i}@x.io") for i in range(4)]
        theirs = _create(globex.org, first_name="Other", email="p0@x.io")
        return mine, theirs

    def test_tagging_all_matching_touches_only_the_organisation(self, acme, globex, people):
        mine, theirs = people
        everyone = Candidate.objects.all()  # even a careless queryset stays inside the organisation
        result = services.candidates_tag(org=acme.org, candidates=everyone, names=["Hot", "2026"])
        assert result.affected == 4
        assert theirs.tags.count() == 0
        assert set(mine[0].tags.values_list("name", flat=True)) == {"Hot", "2026"}
        services.candidates_tag(org=acme.org, candidates=everyone, names=["hot"])  # idempotent
        assert Tag.objects.filter(organization=acme.org).count() == 2

        services.candidates_untag(org=acme.org, candidates=everyone.filter(pk=mine[0].pk), names=["HOT"])
        assert list(mine[0].tags.values_list("name", flat=True)) == ["2026"]

    def test_owner_and_stage_in_bulk(self, acme, people):
        mine, _ = people
        recruiter = MembershipFactory(organization=acme.org).user
        selection = Candidate.objects.filter(pk__in=[mine[0].pk, mine[1].pk])
        assert services.candidates_assign_owner(org=acme.org, candidates=selection, owner=recruiter).affected == 2
        assert (
            services.candidates_set_stage(org=acme.org, candidates=selection, stage="engaged", actor=None).affected == 2
        )
        assert set(Candidate.objects.filter(owner=recruiter).values_list("stage", flat=True)) == {"engaged"}
        with pytest.raises(ValidationError):
            services.candidates_assign_owner(org=acme.org, candidates=selection, owner=UserFactory())
        with pytest.raises(ValidationError):
            services.candidates_set_stage(org=acme.org, candidates=selection, stage="married", actor=None)

    def test_archived_candidates_leave_the_contactable_set(self, acme, people):
        mine, _ = people
        services.candidate_archive(candidate=mine[0], actor=None)
        contactable = Candidate.objects.for_org(acme.org).contactable()
        assert mine[0] not in contactable and mine[1] in contactable


def test_a_stage_changed_by_an_edit_goes_through_the_stage_path(acme):
    seen = []
    candidate = _create(acme.org)
    events.subscribe(seen.append)
    try:
        services.candidate_update(candidate=candidate, actor=acme.user, data={"stage": "engaged", "headline": "Hi"})
    finally:
        events.unsubscribe(seen.append)
    assert [e.kind for e in seen] == [events.UPDATED, events.STAGE_CHANGED]
    assert seen[1].details["previous"] == "new" and "time_in_previous_seconds" in seen[1].details
    candidate.refresh_from_db()
    assert candidate.stage == "engaged" and candidate.stage_changed_at >= candidate.created_at
