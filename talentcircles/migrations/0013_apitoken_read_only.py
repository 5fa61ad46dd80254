# Read-only API tokens (issue #21).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("talentcircles", "0012_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="read_only",
            field=models.BooleanField(
                default=False,
                help_text="Read-only tokens can read but never change anything, whatever their member's role.",
            ),
        ),
    ]
