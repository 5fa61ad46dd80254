"""Accent- and case-blind search: the folding functions, SQLite's search text, every row's search columns again.

PostgreSQL: the `unaccent` extension (a trusted extension: the database's owner may create
it) and two IMMUTABLE SQL functions over it, so that what they compute can be stored and
indexed (`unaccent()` itself is only STABLE: its dictionary could change):

- `tc_fold(text)`: lower case without accents ("Müller" → "muller"), `search_name` and the
  query words;
- `tc_fold_with_collapsed(text)`: that, followed by the same with German ae/oe/ue written as
  a/o/u when the text has any ("mueller" → "mueller muller"), for names and work in the
  search vector.

Both name the extension's schema, so an index or a stored column never depends on the
search_path of the session that computes it. The existing GIN indexes (`cand_search_vector`,
`cand_search_name_trgm`, migration 0002) index the stored, now folded, columns; the backfill
below recomputes them for every candidate (on SQLite it fills the new `search_text`). It
calls `candidates.search.refresh`, the code of this release: a new database has no rows
for it to touch.
"""

from django.db import migrations, models

_FUNCTIONS = [
    "CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public",
    """CREATE OR REPLACE FUNCTION public.tc_fold(text) RETURNS text
       LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
       AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$""",
    # PL/pgSQL for its variables: the same in SQL with subqueries cost 111 µs a call against 8.
    """CREATE OR REPLACE FUNCTION public.tc_fold_with_collapsed(text) RETURNS text
       LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
       AS $$
       DECLARE
         folded text := public.tc_fold($1);
         collapsed text := replace(replace(replace(folded, 'ae', 'a'), 'oe', 'o'), 'ue', 'u');
       BEGIN
         RETURN CASE WHEN collapsed = folded THEN folded ELSE folded || ' ' || collapsed END;
       END $$""",
]
# The extension stays: pg_trgm's migration leaves its own too, and another database object may use it.
_DROP_FUNCTIONS = ["DROP FUNCTION IF EXISTS public.tc_fold_with_collapsed(text)", "DROP FUNCTION IF EXISTS public.tc_fold(text)"]
BATCH = 5000


def create_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _FUNCTIONS:
            schema_editor.execute(statement)


def drop_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in _DROP_FUNCTIONS:
            schema_editor.execute(statement)


def refold(apps, schema_editor):
    from candidates import search

    Candidate = apps.get_model("candidates", "Candidate")
    ids = list(Candidate.objects.using(schema_editor.connection.alias).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        search.refresh(ids[start : start + BATCH])


class Migration(migrations.Migration):
    dependencies = [("candidates", "0012_countries_from_the_list")]

    operations = [
        migrations.RunPython(create_functions, drop_functions, elidable=False),
        migrations.AddField(
            model_name="candidate",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.RunPython(refold, migrations.RunPython.noop, elidable=False),
    ]
