"""`Message.automated`: written by a sequence rather than by a person.

Filled from `sequence_step_id`, which said the same until the sequences kept their own link rows
(engagement 0010; messaging 0004 then drops that column). Batched by id, each batch its own
transaction (the migration is not atomic), so a large table is never locked in one go and a run
that stops half-way simply continues when started again.
"""

from django.db import migrations, models, transaction
from django.db.models import Max, Min

BATCH = 100_000


def mark_sequence_messages(apps, schema_editor):
    message_model = apps.get_model("messaging", "Message")
    alias = schema_editor.connection.alias
    written = message_model.objects.using(alias).filter(sequence_step_id__isnull=False)
    bounds = written.aggregate(low=Min("pk"), high=Max("pk"))
    if bounds["low"] is None:
        return
    for start in range(bounds["low"], bounds["high"] + 1, BATCH):
        with transaction.atomic(using=alias):
            written.filter(pk__gte=start, pk__lt=start + BATCH, automated=False).update(automated=True)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("messaging", "0002_lean_foreign_key_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="automated",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(mark_sequence_messages, migrations.RunPython.noop),
    ]
