"""The candidates the list shows by default (not erased, not archived), indexed by organisation.

The list counts up to 10,001 of them (`talentcircles.pagination`). With no index matching that
filter PostgreSQL planned a sequential scan, which for an organisation whose rows lie after
another's million read through those first: 0.4–1.8 s for a 100,000-candidate organisation.
This partial index answers the capped count with an index-only scan of at most 10,001 entries
whatever the table's layout (tests/candidates/test_list_count_index.py pins that the count can
use it). One more index each new row pays for; it holds only the organisation id.
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
                condition=models.Q(("erased_at", None), models.Q(("stage", "archived"), _negated=True)),
                fields=["organization"],
                name="cand_org_listed",
            ),
        ),
    ]
