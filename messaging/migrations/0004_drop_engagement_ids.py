"""Drop the integer columns messaging kept for engagement: `Thread.circle_id`, `Thread.enrollment_id`,
`Message.sequence_step_id`. Engagement's link rows (`CircleOutreach`, `SequenceMessage`) hold them now.

Engagement fills those rows from these columns first: its migration 0010 declares
`run_before = [("messaging", "0004_drop_engagement_ids")]`, so the order is stated by the higher
app and this app names no engagement migration.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("messaging", "0003_message_automated"),
    ]

    operations = [
        migrations.RemoveField(model_name="message", name="sequence_step_id"),
        migrations.RemoveField(model_name="thread", name="circle_id"),
        migrations.RemoveField(model_name="thread", name="enrollment_id"),
    ]
