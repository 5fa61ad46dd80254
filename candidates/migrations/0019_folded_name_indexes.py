"""The organisation's candidates by folded first name and by folded last name (PostgreSQL).

A one-word search that is a name ("james") looks people up by these before the full text
(`candidates.search._names_first`): a btree yields the first 500 of 35,000 Jameses and stops, where
the GIN index of the search vector builds a bitmap of all of them first. `tc_fold` is the
IMMUTABLE folding function of migration 0013, so the index holds what the search compares.
Built CONCURRENTLY, so writes to candidates go on while a large table is indexed (about 4 s
each at a million rows); SQLite searches its folded text and needs neither.
"""

from django.db import migrations

_INDEXES = {
    "cand_org_first_folded": "first_name",
    "cand_org_last_folded": "last_name",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in _INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name}"
                f" ON candidates_candidate (organization_id, public.tc_fold({column}))"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in _INDEXES:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("candidates", "0018_skill_holders_index")]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
