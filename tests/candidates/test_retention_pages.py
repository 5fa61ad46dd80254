"""The admin's retention pages (policy, forecast, people due, exclusions) and the renewal link's page."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from candidates.models import Candidate, ConsentRecord
from candidates.privacy import candidate_erase
from candidates.retention import services
from candidates.retention.models import RetentionExclusion, RetentionRun
from candidates.retention.renewal import RENEWAL_LINK_DAYS, renewal_token
from candidates.retention.run import retention_apply
from talentcircles.models import Membership
from tests.factories import CandidateFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

# Session, user, membership; the count (capped), the page, the notices sent to its people;
# the navigation's memberships.
DUE_QUERIES = 7


def _url(name: str, org, *args) -> str:
    return reverse(name, args=[org.slug, *args])


def overdue(org, n: int = 1, **fields) -> list[Candidate]:
    """People whose clock started three years ago: due at the next run."""
    people = [CandidateFactory(organization=org, **fields) for _ in range(n)]
    long_ago = timezone.now() - timedelta(days=3 * 365)
    Candidate.objects.filter(pk__in=[p.pk for p in people]).update(retention_anchor_at=long_ago)
    return people


@pytest.fixture
def recruiter(acme) -> Client:
    user = UserFactory(email="recruiter@acme.example")
    MembershipFactory(user=user, organization=acme.org, role=Membership.Role.RECRUITER)
    client = Client()
    client.force_login(user)
    return client


# --- Who may see them --------------------------------------------------------------------------------


def _pages(org, candidate_id: int) -> list[str]:
    return [
        _url("retention_settings", org),
        _url("retention_due", org),
        _url("retention_exclusions", org),
        _url("retention_exclude", org, candidate_id),
    ]


def test_another_organisations_admin_gets_404_everywhere(acme, globex):
    (person,) = overdue(acme.org)
    services.retention_exclusion_set(org=acme.org, candidate_id=person.pk, reason="Legal hold", by=acme.user)
    for url in _pages(acme.org, person.pk):
        assert globex.client.get(url).status_code == 404, url
    assert globex.client.post(_url("retention_exclusion_remove", acme.org, person.pk)).status_code == 404
    # And their own organisation's pages do not reach acme's people.
    assert globex.client.get(_url("retention_exclude", globex.org, person.pk)).status_code == 404
    assert globex.client.post(_url("retention_exclusion_remove", globex.org, person.pk)).status_code == 404
    assert RetentionExclusion.objects.filter(candidate=person).exists()


def test_only_admins_see_the_pages(acme, recruiter):
    (person,) = overdue(acme.org)
    for url in _pages(acme.org, person.pk):
        assert recruiter.get(url).status_code == 403, url  # a member whose role does not allow it
        assert acme.client.get(url).status_code == 200, url


# --- The policy and the forecast -----------------------------------------------------------------------


def test_the_settings_page_forecasts_and_lists_the_runs(acme):
    overdue(acme.org, 2)
    retention_apply(org=acme.org, dry_run=True)
    html = acme.client.get(_url("retention_settings", acme.org)).content.decode()
    tomorrow = timezone.now().astimezone(UTC).date()
    assert f"2 people will be anonymised on {tomorrow.day} {tomorrow:%B %Y}" in html
    assert "Next 30 days</a>: <strong>2</strong>" in html
    assert "dry run" in html


def test_a_bad_period_is_refused_next_to_its_field(acme):
    response = acme.client.post(_url("retention_settings", acme.org), {"enabled": "on", "months": "2"})
    assert response.status_code == 400
    assert "greater than or equal to 6" in response.content.decode()
    acme.org.refresh_from_db()
    assert acme.org.retention_months == 24


def test_the_policy_is_saved_and_switching_it_on_gives_notice(acme):
    acme.org.retention_enabled = False
    acme.org.save(update_fields=["retention_enabled"])
    response = acme.client.post(_url("retention_settings", acme.org), {"enabled": "on", "months": "36"})
    assert response.status_code == 302
    acme.org.refresh_from_db()
    assert (acme.org.retention_enabled, acme.org.retention_months) == (True, 36)
    assert acme.org.retention_notice_from is not None
    html = acme.client.get(_url("retention_settings", acme.org)).content.decode()
    assert 'id="retention-grace"' in html


# --- The people due --------------------------------------------------------------------------------------


@pytest.mark.parametrize("people", [2, 30])
def test_the_due_list_query_count_is_pinned(acme, django_assert_num_queries, people):
    overdue(acme.org, people)
    url = _url("retention_due", acme.org) + "?within=60"
    acme.client.get(url)
    with django_assert_num_queries(DUE_QUERIES):
        response = acme.client.get(url)
    assert len(response.context["rows"]) == min(people, 25)


def test_the_due_list_names_people_and_leaves_out_the_kept(acme):
    ada, grace = overdue(acme.org, 2)
    CandidateFactory(organization=acme.org, first_name="Recent")
    services.retention_exclusion_set(org=acme.org, candidate_id=grace.pk, reason="Legal hold", by=acme.user)
    response = acme.client.get(_url("retention_due", acme.org) + "?within=bogus")
    assert response.context["within"] == 30
    assert [row["candidate"] for row in response.context["rows"]] == [ada]
    assert ada.full_name in response.content.decode() and "Recent" not in response.content.decode()


def test_the_due_list_pages_keep_the_period_and_the_kept_list_pages_too(acme, monkeypatch):
    monkeypatch.setattr("candidates.retention.views.PER_PAGE", 2)
    people = overdue(acme.org, 3)
    html = acme.client.get(_url("retention_due", acme.org) + "?within=60").content.decode()
    assert 'aria-label="Pages of people due"' in html and 'href="?within=60&amp;page=2"' in html
    second = acme.client.get(_url("retention_due", acme.org) + "?within=60&page=2")
    assert len(second.context["rows"]) == 1 and 'href="?within=60&amp;page=1"' in second.content.decode()
    for person in people:
        services.retention_exclusion_set(org=acme.org, candidate_id=person.pk, reason="Legal hold", by=acme.user)
    kept = acme.client.get(_url("retention_exclusions", acme.org)).content.decode()
    assert 'aria-label="Pages of people kept"' in kept and 'href="?page=2"' in kept


# --- Exclusions -----------------------------------------------------------------------------------------


def test_an_admin_keeps_a_person_with_a_reason_shown_on_the_profile(acme):
    (person,) = overdue(acme.org)
    url = _url("retention_exclude", acme.org, person.pk)
    response = acme.client.post(url, {"reason": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    assert acme.client.post(url, {"reason": "In a long hiring process"}).status_code == 302
    profile = acme.client.get(_url("candidate_detail", acme.org, person.pk)).content.decode()
    assert "Kept whatever the retention policy says: In a long hiring process" in profile
    listed = acme.client.get(_url("retention_exclusions", acme.org)).content.decode()
    assert "In a long hiring process" in listed
    assert retention_apply(org=acme.org).due == 0

    assert acme.client.post(_url("retention_exclusion_remove", acme.org, person.pk)).status_code == 302
    assert not RetentionExclusion.objects.exists()
    assert retention_apply(org=acme.org).anonymised == 1
    assert acme.client.get(url).status_code == 404  # erased: nothing left to keep


# --- The renewal link --------------------------------------------------------------------------------------


def test_the_link_asks_on_get_and_renews_on_post(acme):
    (person,) = overdue(acme.org, first_name="Ada")
    url = _url("retention_renew", acme.org, renewal_token(person))
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.get(url)
    assert response.status_code == 200 and "Keep me in the community" in response.content.decode()
    assert Candidate.objects.get(pk=person.pk).retention_anchor_at < timezone.now() - timedelta(days=365)
    response = visitor.post(url, {"csrfmiddlewaretoken": visitor.cookies["csrftoken"].value})
    assert response.status_code == 200 and 'id="retention-renewed"' in response.content.decode()
    person.refresh_from_db()
    assert person.retention_anchor_at > timezone.now() - timedelta(minutes=5)
    assert ConsentRecord.objects.filter(candidate=person, source=ConsentRecord.Source.RENEWAL_LINK).exists()
    assert retention_apply(org=acme.org).due == 0


def test_a_tampered_link_or_another_organisations_is_404(acme, globex):
    (person,) = overdue(acme.org)
    token = renewal_token(person)
    for url in [
        _url("retention_renew", acme.org, token[:-2] + ("aa" if not token.endswith("aa") else "bb")),
        _url("retention_renew", acme.org, "not-a-token"),
        _url("retention_renew", globex.org, token),
    ]:
        assert Client().get(url).status_code == 404, url
        assert Client().post(url).status_code == 404, url
    assert Candidate.objects.get(pk=person.pk).retention_anchor_at < timezone.now() - timedelta(days=365)


def test_an_expired_link_or_one_for_an_erased_person_says_so(acme):
    (person,) = overdue(acme.org)
    issued = timezone.now() - timedelta(days=RENEWAL_LINK_DAYS + 1)
    response = Client().post(_url("retention_renew", acme.org, renewal_token(person, now=issued)))
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert ConsentRecord.objects.filter(candidate=person).count() == 0
    token = renewal_token(person)
    candidate_erase(candidate=person, source=ConsentRecord.Source.ADMIN)
    assert Client().get(_url("retention_renew", acme.org, token)).status_code == 410


def test_the_run_is_recorded_for_the_admin(acme):
    overdue(acme.org, 3)
    run = retention_apply(org=acme.org, now=datetime.combine(date.today(), datetime.min.time(), tzinfo=UTC))
    assert RetentionRun.objects.get() == run and run.anonymised == 3
    html = acme.client.get(_url("retention_settings", acme.org)).content.decode()
    assert "<td>3</td><td>3</td><td>0</td><td>0</td>" in html
