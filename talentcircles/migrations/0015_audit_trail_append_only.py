"""The audit trail is append-only in the database too: a trigger refuses UPDATE and DELETE.

The retention purge and the redaction of an erased person pass only inside
`talentcircles.audit.maintenance.maintenance()`: on PostgreSQL the transaction-local setting
`talentcircles.audit_maintenance`, on SQLite a row in `talentcircles_audit_maintenance`.

SQLite drops a table's triggers when Django rebuilds the table (most field alterations there): a
later migration that alters `talentcircles_auditentry` must run these statements again.
tests/talentcircles/test_audit_immutability.py fails if the triggers are missing.
"""

from django.db import migrations

POSTGRESQL_FORWARD = """
CREATE OR REPLACE FUNCTION talentcircles_audit_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(current_setting('talentcircles.audit_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % refused.', TG_OP;
END;
$$;
CREATE TRIGGER talentcircles_auditentry_append_only
    BEFORE UPDATE OR DELETE ON talentcircles_auditentry
    FOR EACH ROW EXECUTE FUNCTION talentcircles_audit_append_only();
"""
POSTGRESQL_BACKWARD = """
DROP TRIGGER IF EXISTS talentcircles_auditentry_append_only ON talentcircles_auditentry;
DROP FUNCTION IF EXISTS talentcircles_audit_append_only();
"""

SQLITE_FORWARD = [
    "CREATE TABLE IF NOT EXISTS talentcircles_audit_maintenance (id INTEGER PRIMARY KEY AUTOINCREMENT)",
    """
    CREATE TRIGGER talentcircles_auditentry_no_update BEFORE UPDATE ON talentcircles_auditentry
    WHEN NOT EXISTS (SELECT 1 FROM talentcircles_audit_maintenance)
    BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE refused.'); END
    """,
    """
    CREATE TRIGGER talentcircles_auditentry_no_delete BEFORE DELETE ON talentcircles_auditentry
    WHEN NOT EXISTS (SELECT 1 FROM talentcircles_audit_maintenance)
    BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: DELETE refused.'); END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS talentcircles_auditentry_no_update",
    "DROP TRIGGER IF EXISTS talentcircles_auditentry_no_delete",
    "DROP TABLE IF EXISTS talentcircles_audit_maintenance",
]


def forward(apps, schema_editor):
    statements = [POSTGRESQL_FORWARD] if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for statement in statements:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    statements = [POSTGRESQL_BACKWARD] if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("talentcircles", "0014_audit_trail"),
    ]

    operations = [migrations.RunPython(forward, backward)]
