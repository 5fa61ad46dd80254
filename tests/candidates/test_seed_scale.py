"""seed_scale: many realistic candidates in one organisation, fast, and safe to run again."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count

from candidates import normalise, search
from candidates.models import Candidate, Skill
from candidates.seeding.people import ascii_slug, skill_vocabulary
from candidates.selectors import CandidateFilters, candidate_list
from talentcircles.models import TIME_ZONE_CHOICES

pytestmark = pytest.mark.django_db


def _seed(org, candidates: int = 50, **options) -> str:
    out = StringIO()
    call_command("seed_scale", org=org.slug, candidates=candidates, batch=20, stdout=out, **options)
    return out.getvalue()


def test_it_creates_exactly_n_candidates_with_valid_unique_emails(acme):
    output = _seed(acme.org)

    emails = list(Candidate.objects.for_org(acme.org).values_list("email", flat=True))
    assert len(emails) == 50
    assert len(set(emails)) == 50
    assert all(email.isascii() and normalise.email(email) == email for email in emails)
    assert "created 50 candidates in" in output
    assert "rows/s" in output


def test_every_candidate_has_three_to_eight_of_the_organisations_skills(acme):
    _seed(acme.org)

    per_candidate = Candidate.objects.for_org(acme.org).annotate(n=Count("skills")).values_list("n", flat=True)
    assert all(3 <= n <= 8 for n in per_candidate)
    assert not Skill.objects.filter(candidates__organization=acme.org).exclude(organization=acme.org).exists()
    assert Skill.objects.for_org(acme.org).count() == len(skill_vocabulary())


def test_search_fields_are_filled_and_a_seeded_candidate_can_be_found(acme):
    _seed(acme.org)

    candidates = Candidate.objects.for_org(acme.org)
    assert not candidates.filter(search_name="").exists()
    if connection.vendor == "postgresql":
        assert not candidates.filter(search_vector__isnull=True).exists()
    someone = candidates.order_by("pk").last()
    found = candidate_list(org=acme.org, filters=CandidateFilters(search=someone.email))
    assert someone in found


def _lexemes(org) -> dict[int, set]:
    """Each candidate's search words with their weights (positions depend on the skills' order, which is free)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, v.lexeme, v.weights FROM candidates_candidate c, unnest(c.search_vector) v"
            " WHERE c.organization_id = %s",
            [org.pk],
        )
        words: dict[int, set] = {}
        for pk, lexeme, weights in cursor.fetchall():
            words.setdefault(pk, set()).add((lexeme, "".join(sorted(set(weights)))))
        return words


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors are PostgreSQL's")
def test_the_vectors_written_with_the_rows_are_those_the_search_refresh_computes(acme):
    _seed(acme.org)
    seeded = _lexemes(acme.org)
    search.refresh(Candidate.objects.for_org(acme.org).values_list("pk", flat=True))
    assert _lexemes(acme.org) == seeded
    assert len(seeded) == Candidate.objects.for_org(acme.org).count()


def test_running_twice_adds_n_more_without_collisions(acme):
    _seed(acme.org, seed=7)
    _seed(acme.org, seed=7)  # same names drawn again: the run id keeps e-mails and URLs apart

    candidates = Candidate.objects.for_org(acme.org)
    assert candidates.count() == 100
    assert candidates.values("email").distinct().count() == 100
    linkedin = list(candidates.exclude(linkedin_url="").values_list("linkedin_url", flat=True))
    assert len(linkedin) == len(set(linkedin))


def test_profiles_look_like_what_the_services_would_store(acme):
    _seed(acme.org, candidates=200)

    zones = {zone for zone, _ in TIME_ZONE_CHOICES}
    candidates = list(Candidate.objects.for_org(acme.org))
    for candidate in candidates:
        assert candidate.first_name and candidate.last_name and candidate.current_title
        assert candidate.industry in ("", *normalise.INDUSTRIES)
        assert candidate.time_zone in zones or candidate.time_zone == ""
        assert normalise.country_code(candidate.country_code) == candidate.country_code
        assert normalise.linkedin_url(candidate.linkedin_url) == candidate.linkedin_url
        assert normalise.phone(candidate.phone) == candidate.phone
        assert candidate.stage in Candidate.Stage.values and candidate.source in Candidate.Source.values
        assert candidate.updated_at >= candidate.created_at
        assert isinstance(candidate.links, list)
    assert any(not c.full_name.isascii() for c in candidates)  # accents, not only English names
    assert len({c.created_at.year for c in candidates}) >= 2  # spread over years


def test_an_unknown_organisation_is_a_command_error_naming_the_slug(db):
    with pytest.raises(CommandError, match="nowhere"):
        call_command("seed_scale", org="nowhere", candidates=5, stdout=StringIO())
    assert not Candidate.objects.exists()


def test_it_leaves_other_organisations_alone(acme, globex):
    _seed(acme.org, candidates=10)

    assert Candidate.objects.for_org(globex.org).count() == 0
    assert Skill.objects.for_org(globex.org).count() == 0


def test_names_become_plain_ascii_for_addresses():
    assert ascii_slug("Łukasz") == "lukasz"
    assert ascii_slug("O'Brien") == "obrien"
    assert ascii_slug("van der Berg") == "vanderberg"
    assert ascii_slug("Nguyễn") == "nguyen"
    assert ascii_slug("Weiß") == "weiss"
