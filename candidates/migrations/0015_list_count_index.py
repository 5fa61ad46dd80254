"""The candidates a list can show (not erased), indexed by organisation and stage.

The list counts up to 10,001 of them (`talentcircles.pagination`). With no index matching that
filter PostgreSQL planned a sequential scan, which for an organisation whose rows lie after
another's million read through those first: 0.4–1.8 s for a 100,000-candidate organisation.
This partial index answers the capped count, by default (every stage but archived) or filtered
by stage, with an index-only scan of at most 10,001 entries and no table row, whatever the
table's layout (tests/candidates/test_list_count_index.py pins that the counts can use it).
One more index each new row pays for; it holds two small columns.
"""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0014_duplicate_pairs"),
        ("talentcircles", "0010_setup_checklist"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(
                condition=models.Q(("erased_at", None)),
                fields=["organization", "stage"],
                name="cand_org_listed",
            ),
        ),
    ]
