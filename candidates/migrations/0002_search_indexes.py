"""PostgreSQL-only search indexes: GIN on the weighted tsvector, trigram GIN on the full name.

SQLite has neither; candidates.search uses a simpler path there.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS cand_search_vector ON candidates_candidate USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS cand_search_name_trgm ON candidates_candidate USING gin (search_name gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS cand_search_name_trgm",
    "DROP INDEX IF EXISTS cand_search_vector",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("candidates", "0001_initial")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
