"""The audit trail page (/o/<org>/settings/audit/): admins only, filters, keyset pages, CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from talentcircles import audit
from talentcircles.audit.models import AuditEntry
from talentcircles.audit.selectors import PAGE_SIZE
from talentcircles.models import Membership
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def _url(org, query: str = "", name: str = "audit_trail") -> str:
    url = reverse(name, args=[org.slug])
    return f"{url}?{query}" if query else url


def _entry(org, action=Action.PROFILE_VIEWED, *, actor=None, candidate_id=1, days_ago=0, **fields):
    return AuditEntry.objects.create(
        organization=org, action=action, actor=actor, actor_kind="member" if actor else "system",
        target_type="candidate", target_id=candidate_id, target_label=f"Candidate #{candidate_id}",
        created_at=timezone.now() - timedelta(days=days_ago), **fields,
    )  # fmt: skip


@pytest.fixture
def colleague(acme):
    user = UserFactory(email="colleague@example.com")
    MembershipFactory(user=user, organization=acme.org, role=Membership.Role.RECRUITER)
    return user


def _shown(response) -> list[int]:
    return [entry.pk for entry in response.context["entries"]]


def test_recruiters_are_refused_and_other_organisations_get_404(acme, globex, colleague, client):
    client.force_login(colleague)
    assert client.get(_url(acme.org)).status_code == 403  # a member whose role does not allow it
    assert client.get(_url(acme.org, name="audit_trail_export")).status_code == 403
    assert globex.client.get(_url(acme.org)).status_code == 404
    assert globex.client.get(_url(acme.org, name="audit_trail_export")).status_code == 404


def test_it_shows_only_this_organisations_entries_newest_first(acme, globex):
    old, new = _entry(acme.org, days_ago=2), _entry(acme.org, Action.MERGED, actor=acme.user)
    _entry(globex.org)
    response = acme.client.get(_url(acme.org))
    assert response.status_code == 200
    assert _shown(response) == [new.pk, old.pk]
    assert response.context["total"] == 2
    html = response.content.decode()
    assert "Candidates merged" in html and acme.user.email in html


def test_it_filters_by_actor_action_candidate_and_dates(acme, colleague):
    mine = _entry(acme.org, Action.FIELD_CHANGED, actor=acme.user, candidate_id=5, changes={"city": ["A", "B"]})
    theirs = _entry(acme.org, Action.PROFILE_VIEWED, actor=colleague, candidate_id=6)
    old = _entry(acme.org, Action.PROFILE_VIEWED, actor=colleague, candidate_id=5, days_ago=10)
    today = timezone.localdate()
    cases = {
        f"actor={colleague.pk}": [theirs.pk, old.pk],
        "action=field_changed": [mine.pk],
        "candidate=5": [mine.pk, old.pk],
        f"date_from={today - timedelta(days=1)}": [theirs.pk, mine.pk],
        f"date_to={today - timedelta(days=5)}": [old.pk],
        f"actor={colleague.pk}&candidate=5": [old.pk],
    }
    for query, expected in cases.items():
        assert sorted(_shown(acme.client.get(_url(acme.org, query)))) == sorted(expected), query


def test_bad_filters_are_shown_next_to_their_fields_and_left_out(acme):
    _entry(acme.org)
    response = acme.client.get(_url(acme.org, "candidate=abc&date_from=2026-05-02&date_to=2026-05-01&action=nope"))
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"candidate", "date_to", "action"}
    export = acme.client.get(_url(acme.org, "candidate=abc", name="audit_trail_export"))
    assert export.status_code == 400  # never a wider export than was asked for


def test_pages_follow_each_other_by_keyset_without_gaps_or_repeats(acme):
    entries = [_entry(acme.org, candidate_id=n) for n in range(PAGE_SIZE + 3)]
    first = acme.client.get(_url(acme.org, "action=profile_viewed"))
    cursor = first.context["next_cursor"]
    assert cursor and len(_shown(first)) == PAGE_SIZE
    second = acme.client.get(_url(acme.org, f"action=profile_viewed&before={cursor}"))
    assert second.context["next_cursor"] == ""
    assert sorted(_shown(first) + _shown(second)) == sorted(entry.pk for entry in entries)
    assert acme.client.get(_url(acme.org, "before=garbage")).status_code == 200  # the first page


@pytest.mark.parametrize("entries", [3, 30])
def test_the_query_count_is_pinned(acme, colleague, django_assert_num_queries, entries):
    for n in range(entries):
        _entry(acme.org, Action.FIELD_CHANGED, actor=colleague if n % 2 else acme.user, changes={"x": [1, 2]})
    acme.client.get(_url(acme.org))
    # Session, user, membership; the members for the "Who" filter; the capped count; the page with
    # its actors; the navigation's memberships.
    with django_assert_num_queries(7):
        response = acme.client.get(_url(acme.org, "action=field_changed"))
    assert len(response.context["entries"]) == entries


def test_the_csv_export_streams_the_filtered_entries_and_is_itself_audited(acme, colleague):
    _entry(acme.org, Action.FIELD_CHANGED, actor=acme.user, changes={"city": ["=HYPERLINK()", "Paris"]})
    _entry(acme.org, Action.PROFILE_VIEWED, actor=colleague, ip_address="192.0.2.1")
    response = acme.client.get(_url(acme.org, "action=field_changed", name="audit_trail_export"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="acme-audit-')
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))
    assert [(row["action"], row["actor_email"]) for row in rows] == [("field_changed", acme.user.email)]
    assert rows[0]["changes"] == '{"city": ["=HYPERLINK()", "Paris"]}'  # JSON text: no cell starts with "="
    exported = AuditEntry.objects.get(action=Action.DATA_EXPORTED)
    assert (exported.actor, exported.target_type) == (acme.user, "audit_trail")
    assert exported.details == {"format": "csv", "filters": {"action": "field_changed"}}


def test_the_candidate_page_links_admins_to_the_candidates_history(acme, colleague, client):
    from candidates import services

    ada = services.candidate_create(org=acme.org, actor=None, data={"first_name": "Ada"})
    link = f'{_url(acme.org)}?candidate={ada.pk}"'
    assert link in acme.client.get(reverse("candidate_detail", args=[acme.org.slug, ada.pk])).content.decode()
    client.force_login(colleague)
    assert "Audit history" not in client.get(reverse("candidate_detail", args=[acme.org.slug, ada.pk])).content.decode()
    history = acme.client.get(_url(acme.org, f"candidate={ada.pk}"))
    assert {entry.action for entry in history.context["entries"]} == {Action.PROFILE_VIEWED}


def test_recorded_entries_show_on_the_page(acme):
    audit.record(acme.user, acme.org, Action.SETTING_CHANGED, target=acme.org, changes={"daily_send_cap": [200, 150]})
    html = acme.client.get(_url(acme.org)).content.decode()
    assert "daily_send_cap" in html and "200 → 150" in html
