"""The audit trail is append-only for everyone: the ORM, raw SQL (a trigger), the Django admin.

Only the retention purge and the erasure redaction change it, through `maintenance()`.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from talentcircles import audit
from talentcircles.audit import maintenance
from talentcircles.audit.models import AuditEntry, AuditImmutable
from talentcircles.audit.tasks import audit_purge_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(acme):
    return audit.record(
        acme.user, acme.org, audit.Action.FIELD_CHANGED, target=("candidate", 7), changes={"city": ["Paris", "Rome"]}
    )


def test_an_entry_cannot_be_saved_again_or_deleted(entry):
    entry.target_label = "tampered"
    with pytest.raises(AuditImmutable):
        entry.save()
    with pytest.raises(AuditImmutable):
        entry.delete()
    assert AuditEntry.objects.get(pk=entry.pk).target_label == "Candidate #7"


@pytest.mark.parametrize("write", ["update", "delete", "bulk_update"])
def test_querysets_refuse_to_update_or_delete(entry, write):
    calls = {
        "update": lambda: AuditEntry.objects.filter(pk=entry.pk).update(target_label="x"),
        "delete": lambda: AuditEntry.objects.filter(pk=entry.pk).delete(),
        "bulk_update": lambda: AuditEntry.objects.bulk_update([entry], ["target_label"]),
    }
    with pytest.raises(AuditImmutable):
        calls[write]()
    with pytest.raises(AuditImmutable):
        getattr(AuditEntry.objects, write if write != "bulk_update" else "update")(target_label="x")
    assert AuditEntry.objects.filter(pk=entry.pk, target_label="Candidate #7").exists()


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE talentcircles_auditentry SET changes = '{}' WHERE id = %s",
        "UPDATE talentcircles_auditentry SET created_at = created_at WHERE id = %s",
        "DELETE FROM talentcircles_auditentry WHERE id = %s",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(entry, sql):
    """The trigger (migration 0015), on SQLite and PostgreSQL alike, whoever runs the statement."""
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).changes == {"city": ["Paris", "Rome"]}


def test_maintenance_ends_with_its_block(entry):
    with maintenance.maintenance(), connection.cursor() as cursor:
        cursor.execute("UPDATE talentcircles_auditentry SET user_agent = 'ok' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM talentcircles_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).user_agent == "ok"


def test_maintenance_that_fails_leaves_the_rule_in_force(entry):
    with pytest.raises(RuntimeError), maintenance.maintenance():
        raise RuntimeError("boom")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM talentcircles_auditentry WHERE id = %s", [entry.pk])


def test_the_admin_shows_entries_but_offers_no_add_change_or_delete(entry):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    request = RequestFactory().get("/admin/")
    request.user = superuser
    model_admin = site._registry[AuditEntry]
    assert model_admin.has_view_permission(request, entry)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, entry)
    assert not model_admin.has_delete_permission(request, entry)
    assert model_admin.get_actions(request) == {}


def test_the_admin_change_page_is_read_only(client, entry):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    url = reverse("admin:talentcircles_auditentry_change", args=[entry.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(url, {"target_label": "x"}).status_code == 403
    delete = client.post(reverse("admin:talentcircles_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk, target_label="Candidate #7").exists()


def _aged(acme, days: int) -> AuditEntry:
    return AuditEntry.objects.create(
        organization=acme.org,
        action=audit.Action.PROFILE_VIEWED,
        target_type="candidate",
        target_id=days,
        created_at=timezone.now() - timedelta(days=days),
    )


def test_the_purge_removes_only_entries_past_the_retention(acme, settings):
    settings.AUDIT_RETENTION_DAYS = 730
    kept = [_aged(acme, 0), _aged(acme, 729)]
    for days in (731, 800, 2000):
        _aged(acme, days)
    assert audit_purge_task.delay().get() == 3
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == {entry.pk for entry in kept}
    assert audit_purge_task() == 0  # idempotent


def test_the_purge_works_in_batches_and_can_be_switched_off(acme, settings):
    for days in (900, 901, 902, 903, 904):
        _aged(acme, days)
    settings.AUDIT_RETENTION_DAYS = 0
    assert maintenance.purge_expired() == 0
    settings.AUDIT_RETENTION_DAYS = 365
    assert maintenance.purge_expired(batch=2) == 5
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_transactional_tests_can_still_empty_the_database(acme):
    """Django empties every table after such a test (flush): on SQLite through the maintenance path."""
    audit.record(acme.user, acme.org, audit.Action.PROFILE_VIEWED, target=("candidate", 1))
    assert AuditEntry.objects.count() == 1
