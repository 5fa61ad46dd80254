"""Five indexes on candidates that every new row paid for and no query needed in full.

Into an organisation of 1,000,000, the import's `INSERT … SELECT` of 20,000 new people cost
113–120 µs a row of PostgreSQL CPU without these five against 131–155 µs with them (paired
runs, the five dropped inside a rolled-back transaction, the table vacuumed before each).
Each one either repeats an index we keep or holds, for most rows, a NULL that no query looks
for:

- `organization_id` alone: every index in `Candidate.Meta.indexes` leads with the
  organisation, so each of them serves `WHERE organization_id = …` (and the cascade when an
  organisation is deleted). Dropped.
- `owner_id` and `user_id` alone (the foreign keys' own indexes): looked up for one user at a
  time (a user's deletion setting them to NULL, a portal sign-in finding its profiles), never
  for NULL. Now partial, `WHERE … IS NOT NULL`: candidates with no owner (every import without
  one) and with no portal account (nearly all) are not in them. The list's owner filters,
  "unowned" included, use `cand_org_owner`, which is unchanged.
- `cand_org_contacted` and `cand_org_replied`: the filters are ranges (`last_contacted_before`,
  `last_contacted_after`), which never match NULL; the sorts ask for NULLs first (ascending) or
  last (descending), an order the index could not give either way. No query reads
  `last_replied_at` yet. Now partial, `WHERE … IS NOT NULL`: a candidate never contacted (every
  new one) is not in them.

The foreign-key indexes are dropped by name rather than by `AlterField`, which would drop and
re-add (and so re-check over every row) the foreign-key constraints as well.
"""

from django.conf import settings
from django.db import migrations, models

_FOREIGN_KEY_INDEXES = {
    "organization": ("candidates_candidate_organization_id_18eff910", "organization_id"),
    "owner": ("candidates_candidate_owner_id_1f45a7f6", "owner_id"),
    "user": ("candidates_candidate_user_id_6cbd42d8", "user_id"),
}


def _drop(field: str) -> migrations.RunSQL:
    name, column = _FOREIGN_KEY_INDEXES[field]
    return migrations.RunSQL(
        f"DROP INDEX IF EXISTS {name}",
        reverse_sql=f"CREATE INDEX {name} ON candidates_candidate ({column})",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("candidates", "0007_last_replied_at"),
        ("talentcircles", "0005_analytics_settings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(model_name="candidate", name="cand_org_contacted"),
        migrations.RemoveIndex(model_name="candidate", name="cand_org_replied"),
        migrations.SeparateDatabaseAndState(
            database_operations=[_drop(field) for field in _FOREIGN_KEY_INDEXES],
            state_operations=[
                migrations.AlterField(
                    model_name="candidate",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="candidates",
                        to="talentcircles.organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="candidate",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="owned_candidates",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="candidate",
                    name="user",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=models.deletion.SET_NULL,
                        related_name="candidate_profiles",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(
                condition=models.Q(("last_contacted_at__isnull", False)),
                fields=["organization", "last_contacted_at"],
                name="cand_org_contacted",
            ),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(
                condition=models.Q(("last_replied_at__isnull", False)),
                fields=["organization", "last_replied_at"],
                name="cand_org_replied",
            ),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(condition=models.Q(("owner__isnull", False)), fields=["owner"], name="cand_owner"),
        ),
        migrations.AddIndex(
            model_name="candidate",
            index=models.Index(condition=models.Q(("user__isnull", False)), fields=["user"], name="cand_user"),
        ),
    ]
