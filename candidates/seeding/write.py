"""Writing many seeded candidates fast: COPY through a staging table on PostgreSQL, bulk_create elsewhere.

PostgreSQL: ids are reserved from the table's sequence, rows and their skills are streamed with
COPY, each row written once with its search columns. SQLite: `bulk_create` in batches (correct,
slower). Every run draws a fresh run id that goes into each e-mail and LinkedIn URL, so running
again (with the same seed or not) adds new people and never collides with earlier rows.
"""

from __future__ import annotations

import json
import secrets
import string
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection, transaction

from candidates import search
from candidates.duplicates.models import DuplicatePair
from candidates.duplicates.services import duplicates_rebuild
from candidates.models import Candidate, Skill
from candidates.seeding.people import COLUMNS, People, skill_vocabulary
from candidates.services import labels_for
from talentcircles.bulk import column_of
from talentcircles.models import Membership, Organization

_TABLES = "candidates_candidate, candidates_candidate_skills, candidates_skill"
_STAGE = "seed_candidates"

Rows = list[tuple[tuple, list[int]]]


def candidates_seed(
    *, org: Organization, candidates: int, batch: int, seed: int, say: Callable[[str], None] = print
) -> None:
    """Create `candidates` realistic candidates in `org`, `batch` rows per transaction, saying the progress."""
    skills = labels_for(Skill, org, skill_vocabulary())
    people = People(
        org_id=org.pk,
        run_id=_run_id(org),
        seed=seed,
        owner_ids=list(Membership.objects.for_org(org).values_list("user_id", flat=True)),
        skill_ids={skill.name: skill.pk for skill in skills},
    )
    skill_names = {pk: name for name, pk in people.skill_ids.items()}
    postgresql = connection.vendor == "postgresql"
    say(f"seeding {candidates:,} candidates into “{org.slug}” (run {people.run_id}, {connection.vendor})")
    started = time.perf_counter()
    spent = dict.fromkeys(("generate", "write", "commit"), 0.0)
    for offset in range(0, candidates, batch):
        size = min(batch, candidates - offset)
        with _timed(spent, "generate"):
            rows = [people.row(i) for i in range(offset, offset + size)]
        with transaction.atomic():
            with _timed(spent, "write"):
                if postgresql:
                    _copy_batch(rows, skill_names)
                else:
                    search.refresh(_bulk_create_batch(rows))
            committing = time.perf_counter()
        spent["commit"] += time.perf_counter() - committing  # deferred foreign-key checks run here
        done = offset + size
        elapsed = time.perf_counter() - started
        say(
            f"  {done:>10,} / {candidates:,}  {elapsed:7.1f} s  ({done / elapsed:,.0f} rows/s)  "
            + "  ".join(f"{step} {seconds:.1f} s" for step, seconds in spent.items())
        )
    if postgresql:
        with _timed(spent, "vacuum analyze"):
            _tidy_up()
    with _timed(spent, "duplicates"):  # the rows were written around the services, so their pairs are found here
        pairs = duplicates_rebuild(org=org)
        if postgresql:  # the profile's read of the pairs plans badly on a freshly filled table without statistics
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {DuplicatePair._meta.db_table}")
    say(f"  {pairs:,} likely duplicate pairs")
    elapsed = time.perf_counter() - started
    say(
        f"created {candidates:,} candidates in {elapsed:.1f} s ({candidates / elapsed:,.0f} rows/s); "
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in spent.items())
    )


def _tidy_up() -> None:
    """Fresh statistics for the planner, and (outside a transaction) a VACUUM, which marks the new
    pages all-visible so that index-only scans need not visit them."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {_TABLES}" if connection.in_atomic_block else f"VACUUM (ANALYZE) {_TABLES}")


def _run_id(org: Organization) -> str:
    """Six characters no earlier run in this organisation used, so e-mails never collide."""
    alphabet = string.ascii_lowercase + string.digits
    while True:
        run_id = secrets.choice(string.ascii_lowercase) + "".join(secrets.choice(alphabet) for _ in range(5))
        if not Candidate.objects.for_org(org).filter(email__contains=f".{run_id}").exists():
            return run_id


def _copy_batch(rows: Rows, skill_names: dict[int, str]) -> None:
    connection.ensure_connection()
    raw = connection.connection  # psycopg 3, inside the atomic block Django opened
    with raw.cursor() as cursor:
        # Ids come from the table's own sequence, so the skills can be linked without reading rows back.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('candidates_candidate', 'id')) FROM generate_series(1, %s)",
            [len(rows)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        # Columns this command does not fill (added to the model since) get their model default,
        # as the ORM would give them: COPY itself knows nothing of Django's defaults.
        others = [f for f in Candidate._meta.concrete_fields if f.column not in {"id", "search_vector", *COLUMNS}]
        defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in others)
        columns = ", ".join(["id", *COLUMNS, *(column_of(field) for field in others)])
        # Rows go to a bare staging table first, so each is written to the candidates table (and its
        # indexes) once, with its search vector: an UPDATE afterwards wrote every row twice.
        cursor.execute(f"CREATE TEMPORARY TABLE {_STAGE} (LIKE candidates_candidate) ON COMMIT DROP")
        cursor.execute(f"ALTER TABLE {_STAGE} ADD COLUMN skill_names text NOT NULL DEFAULT ''")
        with cursor.copy(f"COPY {_STAGE} ({columns}, skill_names) FROM STDIN") as copy:
            for pk, (row, skill_ids) in zip(ids, rows, strict=True):
                copy.write_row((pk, *row, *defaults, " ".join(skill_names[skill_id] for skill_id in skill_ids)))
        vector = search.vector_sql(lambda name: f"s.{name}", skills="s.skill_names")
        name = search.name_sql(lambda name: f"s.{name}")
        staged = ", ".join(
            name if c == "search_name" else f"s.{c}" for c in ["id", *COLUMNS, *(f.column for f in others)]
        )
        cursor.execute(
            f"INSERT INTO candidates_candidate ({columns}, search_vector) "  # noqa: S608 (our column names)
            f"SELECT {staged}, {vector} FROM {_STAGE} s ORDER BY s.id"
        )
        cursor.execute(f"DROP TABLE {_STAGE}")
        with cursor.copy("COPY candidates_candidate_skills (candidate_id, skill_id) FROM STDIN") as copy:
            for pk, (_, skill_ids) in zip(ids, rows, strict=True):
                for skill_id in skill_ids:
                    copy.write_row((pk, skill_id))


def _bulk_create_batch(rows: Rows) -> list[int]:
    created = Candidate.objects.bulk_create(
        [Candidate(**dict(zip(COLUMNS, _python_values(row), strict=True))) for row, _ in rows], batch_size=2000
    )
    Through = Candidate.skills.through
    Through.objects.bulk_create(
        [
            Through(candidate_id=candidate.pk, skill_id=skill_id)
            for candidate, (_, skill_ids) in zip(created, rows, strict=True)
            for skill_id in skill_ids
        ],
        batch_size=5000,
    )
    return [candidate.pk for candidate in created]


@contextmanager
def _timed(spent: dict[str, float], step: str) -> Iterator[None]:
    clock = time.perf_counter()
    try:
        yield
    finally:
        spent[step] = spent.get(step, 0.0) + time.perf_counter() - clock


def _python_values(row: tuple) -> tuple:
    # COPY takes `links` as JSON text; the ORM wants the list.
    links = COLUMNS.index("links")
    return (*row[:links], json.loads(row[links]), *row[links + 1 :])
