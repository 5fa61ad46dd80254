"""How a batch reaches PostgreSQL: each candidate row written once, with its search columns.

Writing new candidates with COPY and then filling `search_name` and `search_vector` with an
UPDATE (`candidates.search.refresh`) wrote every row twice: the UPDATE cannot be HOT (both
columns are indexed), so all of the table's ~20 indexes, two of them GIN, took a second
entry, and the deferred foreign-key checks ran again for rows inserted by the same
transaction. Here the batch is copied into a temporary staging table, and then

- one `INSERT … SELECT` stores the new candidates, computing the search columns in the
  same statement from the staged values and the staged skill names;
- the skill and tag links are copied in;
- one `UPDATE … FROM` stores what the import filled in on matched candidates and their
  search columns, reading their skills (the new links included) and résumés.

Called inside the batch's transaction; a unique violation (another writer saved the same
e-mail meanwhile) raises IntegrityError, and the runner replays the batch row by row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from django.db import connection
from django.db.models import JSONField

from candidates import search
from candidates.models import Candidate
from talentcircles.bulk import column_of, concrete_field, copy_rows

_TABLE = Candidate._meta.db_table
# `search_text` is SQLite's search column (left empty here) and is not read with matched candidates.
_SEARCH_COLUMNS = ("search_name", "search_vector", "search_text")
_FIELDS = [field for field in Candidate._meta.concrete_fields if field.column not in _SEARCH_COLUMNS]
_COLUMNS = [column_of(field) for field in _FIELDS]
_JSON_COLUMNS = frozenset(column_of(field) for field in _FIELDS if isinstance(field, JSONField))
# The staging table lives as long as the database session (creating and dropping it cost more
# than a batch's COPY); its name carries the columns, so a session that outlives a migration
# adding a column makes a new one rather than copying into the old shape.
STAGING = "candidate_import_" + hashlib.sha1(",".join(_COLUMNS).encode(), usedforsecurity=False).hexdigest()[:10]

# Only constants are formatted into the SQL of this module (table and column names); ids are parameters.
_CREATE_STAGING = (
    f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} ON COMMIT DELETE ROWS AS "  # noqa: S608
    f"SELECT {', '.join(_COLUMNS)}, ''::text AS skill_names, false AS existing FROM {_TABLE} WITH NO DATA"
)
_SKILLS_OF_MATCHED = """
  SELECT cs.candidate_id, string_agg(skill.name, ' ') AS names
  FROM candidates_candidate_skills cs JOIN candidates_skill skill ON skill.id = cs.skill_id
  WHERE cs.candidate_id = ANY(%(ids)s) GROUP BY cs.candidate_id"""
_RESUMES_OF_MATCHED = """
  SELECT r.candidate_id, string_agg(left(r.text, 200000), ' ') AS body
  FROM candidates_resume r WHERE r.candidate_id = ANY(%(ids)s) GROUP BY r.candidate_id"""


def write(
    *,
    new: list[Candidate],
    skill_names: dict[int, list[str]],
    updated: list[Candidate],
    updated_fields: Iterable[str],
    links: Sequence[tuple[str, str, list[tuple[Candidate, int]]]],
) -> None:
    """Store `new` (ids drawn here) and the `updated_fields` of `updated`, then the label links.

    `skill_names` maps id(candidate) of a new candidate to the names of its skills (they go
    into its search vector); `links` holds (through table, label column, [(candidate,
    label id)]), copied once the new candidates have their ids.
    """
    _reserve_ids(new)
    with connection.cursor() as cursor:
        # Created here each time it is missing (a pooled connection may be a new session), and
        # emptied: rows left by an earlier batch of the same transaction must not be stored again.
        cursor.execute(_CREATE_STAGING)
        cursor.execute(f"TRUNCATE {STAGING}")
        copy_rows(cursor, STAGING, [*_COLUMNS, "skill_names", "existing"], _staged_rows(new, skill_names, updated))
        if new:
            cursor.execute(_insert_sql())
        for table, column, pairs in links:
            copy_rows(cursor, table, ["candidate_id", column], ((candidate.pk, pk) for candidate, pk in pairs))
        if updated:
            cursor.execute(_update_sql(sorted(set(updated_fields))), {"ids": [c.pk for c in updated]})


def _reserve_ids(new: list[Candidate]) -> None:
    # Ids from the table's own sequence, so links and events can name the rows before they exist.
    if not new:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [_TABLE, column_of(Candidate._meta.pk), len(new)],
        )
        for candidate, (pk,) in zip(new, cursor.fetchall(), strict=True):
            candidate.pk = pk
            candidate._state.adding, candidate._state.db = False, connection.alias


def _staged_rows(new: list[Candidate], skill_names: dict[int, list[str]], updated: list[Candidate]):
    for candidate in new:
        yield [*_values(candidate), " ".join(skill_names.get(id(candidate), ())), False]
    for candidate in updated:
        yield [*_values(candidate), "", True]


def _values(candidate: Candidate) -> list:
    # Python values as they are (psycopg writes str, int, bool, None and aware datetimes);
    # JSON as text. Far cheaper than a `get_db_prep_save` call per cell.
    values = candidate.__dict__
    return [json.dumps(values[f.attname]) if f.column in _JSON_COLUMNS else values[f.attname] for f in _FIELDS]


def _insert_sql() -> str:
    def staged(name: str) -> str:
        return f"s.{name}"

    return (
        f"INSERT INTO {_TABLE} ({', '.join(_COLUMNS)}, search_name, search_vector, search_text) "  # noqa: S608
        f"SELECT {', '.join(staged(c) for c in _COLUMNS)}, {search.name_sql(staged)}, "
        f"{search.vector_sql(staged, skills='s.skill_names')}, '' "
        f"FROM {STAGING} AS s WHERE NOT s.existing"
    )


def _update_sql(fields: list[str]) -> str:
    columns = [column_of(concrete_field(Candidate._meta, name)) for name in fields]

    def current(name: str) -> str:
        # The filled-in value where the import wrote this column, else the row's own.
        return f"s.{name}" if name in columns else f"c.{name}"

    assignments = [f"{column} = s.{column}" for column in [*columns, "updated_at"]]
    vector = search.vector_sql(current, skills="coalesce(skills.names, '')", resumes="coalesce(resumes.body, '')")
    return (
        f"UPDATE {_TABLE} AS c SET {', '.join(assignments)}, "  # noqa: S608
        f"search_name = {search.name_sql(current)}, search_vector = {vector} "
        f"FROM {STAGING} AS s "
        f"LEFT JOIN ({_SKILLS_OF_MATCHED}) AS skills ON skills.candidate_id = s.id "
        f"LEFT JOIN ({_RESUMES_OF_MATCHED}) AS resumes ON resumes.candidate_id = s.id "
        # The id list as well as the join: it leads the planner to the primary key whatever it guesses of the
        # staging table, which is never analysed.
        "WHERE s.existing AND c.id = s.id AND c.id = ANY(%(ids)s)"
    )
