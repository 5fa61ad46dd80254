# Coordinator and read-only roles (issue #21): choices only, no data changes.

from django.db import migrations, models

ROLES = [
    ("admin", "Admin"),
    ("recruiter", "Recruiter"),
    ("coordinator", "Coordinator"),
    ("read_only", "Read-only (hiring manager)"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("talentcircles", "0011_retention_policy"),
    ]

    operations = [
        migrations.AlterField(
            model_name="membership",
            name="role",
            field=models.CharField(choices=ROLES, default="recruiter", max_length=20),
        ),
        migrations.AlterField(
            model_name="invitation",
            name="role",
            field=models.CharField(choices=ROLES, default="recruiter", max_length=20),
        ),
    ]
