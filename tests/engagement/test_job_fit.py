"""Who fits a job: the ranking on crafted communities, its reasons, the contact policy and tenancy."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from candidates.consent import consent_record
from candidates.models import ConsentRecord
from candidates.services import candidate_create
from engagement.circles.jobs.fit import FitFilters, job_fits
from engagement.circles.jobs.fit.rules import level_of_title, parse_place
from engagement.circles.jobs.interest import job_interest_raise
from engagement.circles.jobs.models import JobInterest
from messaging.outbox import thread_start
from tests.engagement.job_support import make_job

pytestmark = pytest.mark.django_db

JOB_SKILLS = ["Python", "Django", "PostgreSQL", "Kafka", "Docker"]


def person(tenant, first, *, skills, city="", country="", title="", **data):
    return candidate_create(
        org=tenant.org,
        actor=tenant.user,
        data={
            "first_name": first, "last_name": "Fit", "email": f"{first.lower()}@example.net", "city": city,
            "country_code": country, "current_title": title, **data,
        },
        skills=skills,
    )  # fmt: skip


@pytest.fixture
def community(acme):
    """Five people for a senior backend job in Berlin, from a perfect fit to one sharing nothing."""
    now = timezone.now()
    return {
        "ada": person(acme, "Ada", skills=JOB_SKILLS[:4], city="Berlin", country="DE", title="Senior Backend Engineer"),
        "bob": person(acme, "Bob", skills=JOB_SKILLS, city="Lisbon", country="PT", title="Backend Engineer"),
        "cy": person(acme, "Cy", skills=JOB_SKILLS[:4], city="Munich", country="DE", title="Senior Backend Engineer"),
        "dee": person(acme, "Dee", skills=["Python"], city="Berlin", country="DE", title="Junior Developer"),
        "eve": person(acme, "Eve", skills=["Figma"], city="Berlin", country="DE", title="Senior Designer"),
        "now": now,
    }


def senior_backend(acme, title="Senior Backend Engineer", **data):
    fields = {"skills": JOB_SKILLS, "locations": ["Berlin, Germany"], "seniority": "senior", **data}
    return make_job(acme, title=title, **fields)


def names(page):
    return [row.candidate.first_name for row in page.rows]


def test_it_ranks_by_skills_first_then_place_and_level(acme, community):
    page = job_fits(org=acme.org, job=senior_backend(acme))
    # Bob holds all five skills: he leads, wherever he is. Ada and Cy hold four: Ada, in Berlin, beats Cy,
    # elsewhere in Germany. Dee has one skill; Eve none of them, so she does not fit at all.
    assert names(page) == ["Bob", "Ada", "Cy", "Dee"]
    assert page.count == 4
    assert page.rows[1].score > page.rows[0].score  # a higher score does not outrank more skills
    ada = page.rows[1]
    assert ada.reasons[:3] == ["4 of 5 skills", "in Berlin", "senior"]
    assert sorted(ada.matched_skills) == sorted(JOB_SKILLS[:4])
    assert ada.missing_skills == ["Docker"]
    assert page.rows[2].reasons[:2] == ["4 of 5 skills", "in Germany"]
    assert page.rows[0].reasons[:2] == ["5 of 5 skills", "not in Berlin, Germany"]


def test_recent_replies_and_stage_show_in_the_reasons_and_lift_the_score(acme, community):
    now = community["now"]
    cy = community["cy"]
    cy.last_replied_at = now - timedelta(days=12)
    cy.stage = "engaged"
    cy.save(update_fields=["last_replied_at", "stage"])
    page = job_fits(org=acme.org, job=senior_backend(acme), now=now)
    row = next(r for r in page.rows if r.candidate == cy)
    assert "replied 12 days ago" in row.reasons and "engaged" in row.reasons
    assert row.parts["engagement_pts"] == 10 and row.parts["stage_pts"] == 3


def test_equal_scores_rank_by_matched_skills_then_by_id(acme):
    first = person(acme, "First", skills=["Python"])
    second = person(acme, "Second", skills=["Python"])
    page = job_fits(org=acme.org, job=make_job(acme, skills=["Python", "Go"], locations=[], remote_policy="remote"))
    assert [row.candidate for row in page.rows] == [first, second]
    assert page.rows[0].score == page.rows[1].score


def test_past_interest_in_a_similar_job_counts(acme, community):
    earlier = make_job(acme, title="Platform Engineer", skills=["Kafka"], open_it=True)
    job_interest_raise(candidate=community["cy"], job=earlier)
    page = job_fits(org=acme.org, job=senior_backend(acme))
    row = next(r for r in page.rows if r.candidate == community["cy"])
    assert row.parts["interest_pts"] == 3
    assert "interested in “Platform Engineer” before" in row.reasons


def test_the_filters_narrow_by_skills_matched_and_place(acme, community):
    job = senior_backend(acme)
    assert names(job_fits(org=acme.org, job=job, filters=FitFilters(min_skills=4))) == ["Bob", "Ada", "Cy"]
    assert names(job_fits(org=acme.org, job=job, filters=FitFilters(where="place"))) == ["Ada", "Dee"]
    assert names(job_fits(org=acme.org, job=job, filters=FitFilters(where="country"))) == ["Ada", "Cy", "Dee"]


def test_a_remote_job_without_places_fits_everyone_everywhere(acme, community):
    page = job_fits(org=acme.org, job=senior_backend(acme, locations=[], remote_policy="remote"))
    assert names(page)[:2] == ["Bob", "Ada"]
    assert "remote job" in page.rows[0].reasons


def test_people_the_contact_policy_rules_out_are_left_out(acme, community):
    now = community["now"]
    community["ada"].unsubscribed_at = now
    community["ada"].save(update_fields=["unsubscribed_at"])
    community["dee"].stage = "hired"
    community["dee"].save(update_fields=["stage"])
    consent_record(candidate=community["bob"], purpose=ConsentRecord.Purpose.MESSAGES, granted=False, source="portal")
    assert names(job_fits(org=acme.org, job=senior_backend(acme))) == ["Cy"]


def test_people_held_back_for_now_are_shown_greyed_with_why(acme, community):
    thread_start(org=acme.org, candidate=community["bob"], recruiter=acme.user, subject="Hi", body="Hello Bob")
    page = job_fits(org=acme.org, job=senior_backend(acme))
    bob = next(r for r in page.rows if r.candidate == community["bob"])
    assert not bob.selectable and "Contacted" in bob.held_back
    assert all(row.selectable for row in page.rows if row.candidate != community["bob"])


def test_someone_already_interested_in_the_job_says_so(acme, community):
    job = senior_backend(acme, open_it=True)
    job_interest_raise(candidate=community["dee"], job=job)
    row = next(r for r in job_fits(org=acme.org, job=job).rows if r.candidate == community["dee"])
    assert "already interested in this job" in row.reasons
    assert JobInterest.objects.filter(job=job).count() == 1


def test_another_organisations_people_never_fit(acme, globex, community):
    person(globex, "Gil", skills=JOB_SKILLS, city="Berlin", country="DE", title="Senior Backend Engineer")
    assert "Gil" not in names(job_fits(org=acme.org, job=senior_backend(acme)))
    with pytest.raises(ValueError):
        job_fits(org=globex.org, job=senior_backend(acme, title="x"))


def test_a_job_without_skills_has_nobody_to_rank(acme, community):
    page = job_fits(org=acme.org, job=make_job(acme, skills=[]))
    assert page.rows == [] and page.count == 0


def test_pages_follow_the_ranking(acme):
    for n in range(30):
        person(acme, f"P{n:02d}", skills=["Python"] if n % 2 else ["Python", "Go"])
    job = make_job(acme, skills=["Python", "Go"], locations=[], remote_policy="remote")
    first, second = job_fits(org=acme.org, job=job), job_fits(org=acme.org, job=job, page=2)
    assert (first.count, first.num_pages, len(first.rows), len(second.rows)) == (30, 2, 25, 5)
    everyone = [row.candidate.pk for row in first.rows + second.rows]
    assert len(set(everyone)) == 30
    assert [row.matched for row in first.rows[:15]] == [2] * 15


@pytest.mark.parametrize(
    ("title", "level"),
    [("Senior Backend Engineer", 3), ("Junior Developer", 1), ("Engineering Manager", 6), ("VP Engineering", 7),
     ("Staff Engineer", 4), ("Backend Engineer", 2), ("", 0)],
)  # fmt: skip
def test_the_level_is_read_from_the_title(title, level):
    assert level_of_title(title) == level


def test_a_place_names_its_country_apart():
    place = parse_place("Berlin, Germany")
    assert (place.names, place.country) == (("Berlin",), "DE")


def test_the_page_is_the_same_whether_few_or_all_people_are_read_first(acme, monkeypatch):
    """The tiers read first (TOP_READ people holding the most skills) never change the order."""
    from engagement.circles.jobs.fit import ranking

    skills = ["Python", "Go", "Rust", "SQL"]
    for n in range(40):
        person(acme, f"P{n:02d}", skills=skills[: 1 + n % 4], city="Berlin" if n % 3 else "Oslo")
    job = make_job(acme, skills=skills, locations=["Berlin"])

    def everyone(page):
        return [row.candidate.pk for row in job_fits(org=acme.org, job=job, page=page).rows]

    full = everyone(1) + everyone(2)
    monkeypatch.setattr(ranking, "TOP_READ", 12)
    monkeypatch.setattr(ranking, "MARGIN", 2)
    assert everyone(1) + everyone(2) == full
    assert len(full) == 40 and job_fits(org=acme.org, job=job).count_is_capped
