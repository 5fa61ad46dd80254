"""Fill the link rows from the integer columns messaging kept for engagement (messaging 0004 drops them after).

- `SequenceMessage`: every message with a `sequence_step_id` whose thread names an existing
  enrollment of the same organisation (the step is kept when it still exists in that sequence).
- `CircleOutreach`: every thread with a `circle_id` naming one of its organisation's circles.

Ids that name nothing any more (a deleted enrollment or circle) have nothing to link to and are
left out. Plain SQL that SQLite and PostgreSQL both run, in batches of ids, each batch its own
transaction (the migration is not atomic): a large table is never held in one transaction, and a
run that stops half-way continues where it stopped (rows already linked are skipped).
"""

from django.db import migrations, transaction

BATCH = 200_000

SEQUENCE_MESSAGES_SQL = """
INSERT INTO engagement_sequencemessage (message_id, thread_id, enrollment_id, step_id, organization_id)
SELECT m.id, m.thread_id, e.id, s.id, m.organization_id
FROM messaging_message m
JOIN messaging_thread t ON t.id = m.thread_id
JOIN engagement_enrollment e ON e.id = t.enrollment_id AND e.organization_id = m.organization_id
LEFT JOIN engagement_sequencestep s ON s.id = m.sequence_step_id AND s.sequence_id = e.sequence_id
WHERE m.id >= %s AND m.id < %s AND m.sequence_step_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM engagement_sequencemessage l WHERE l.message_id = m.id)
"""
CIRCLE_OUTREACH_SQL = """
INSERT INTO engagement_circleoutreach (thread_id, circle_id, organization_id)
SELECT t.id, c.id, t.organization_id
FROM messaging_thread t
JOIN engagement_circle c ON c.id = t.circle_id AND c.organization_id = t.organization_id
WHERE t.id >= %s AND t.id < %s AND t.circle_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM engagement_circleoutreach l WHERE l.thread_id = t.id)
"""


def _in_batches(connection, bounds_sql: str, insert_sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(bounds_sql)
        low, high = cursor.fetchone()
    if low is None:
        return
    for start in range(low, high + 1, BATCH):
        with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
            cursor.execute(insert_sql, [start, start + BATCH])


def fill_links(apps, schema_editor):
    connection = schema_editor.connection
    _in_batches(
        connection,
        "SELECT MIN(id), MAX(id) FROM messaging_message WHERE sequence_step_id IS NOT NULL",
        SEQUENCE_MESSAGES_SQL,
    )
    _in_batches(
        connection,
        "SELECT MIN(id), MAX(id) FROM messaging_thread WHERE circle_id IS NOT NULL",
        CIRCLE_OUTREACH_SQL,
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("engagement", "0009_message_links")]
    # The columns read here go in messaging 0004; the order is declared here, by the higher app.
    run_before = [("messaging", "0004_drop_engagement_ids")]

    operations = [migrations.RunPython(fill_links, migrations.RunPython.noop)]
