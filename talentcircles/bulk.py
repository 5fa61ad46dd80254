"""Bulk writes that Django's ORM makes costly in Python."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from enum import Enum
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import connection, models

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper
    from django.db.models.options import Options

M = TypeVar("M", bound=models.Model)

# SQLite allows 32,766 parameters per statement; PostgreSQL 65,535.
MAX_PARAMETERS = 30_000


def bulk_update_rows(objs: Sequence[models.Model], fields: Sequence[str], *, batch_size: int = 500) -> int:
    """Write `fields` of saved instances of one model: one `UPDATE … FROM (VALUES …)` per batch.

    The same rows and values as `QuerySet.bulk_update`, without its `CASE WHEN pk = … THEN …` for
    every row and field, which costs several milliseconds of Python per hundred rows. Plain values
    only (no expressions). Returns how many rows were written.
    """
    if not objs:
        return 0
    meta = _concrete_meta(objs[0])
    columns = [meta.pk, *(concrete_field(meta, name) for name in fields)]
    batch_size = max(1, min(batch_size, MAX_PARAMETERS // len(columns)))
    written = 0
    for start in range(0, len(objs), batch_size):
        batch = objs[start : start + batch_size]
        params = [
            column.get_db_prep_save(getattr(obj, column.attname), connection) for obj in batch for column in columns
        ]
        with connection.cursor() as cursor:
            cursor.execute(_update_sql(meta, columns, len(batch)), params)
            written += cursor.rowcount
    return written


def _update_sql(meta: Options[Any], columns: list[models.Field], rows: int) -> str:
    quote = connection.ops.quote_name
    table, key = quote(meta.db_table), quote(column_of(meta.pk))
    if connection.vendor == "postgresql":
        # PostgreSQL types a VALUES list from its literals: say what each column is.
        row = "(" + ", ".join(f"%s::{column.db_type(connection)}" for column in columns) + ")"
        names = [quote(column_of(column)) for column in columns]
        source = f"(VALUES {', '.join([row] * rows)}) AS v ({', '.join(names)})"
    else:  # SQLite names the columns of a VALUES list column1, column2, …
        row = "(" + ", ".join(["%s"] * len(columns)) + ")"
        names = [f"column{number}" for number in range(1, len(columns) + 1)]
        source = f"(VALUES {', '.join([row] * rows)}) AS v"
    assignments = ", ".join(
        f"{quote(column_of(column))} = v.{name}" for column, name in zip(columns[1:], names[1:], strict=True)
    )
    # Only our own table and column names are formatted in; every value is a parameter.
    return f"UPDATE {table} SET {assignments} FROM {source} WHERE {table}.{key} = v.{names[0]}"  # noqa: S608


# Fields whose Python value psycopg writes as PostgreSQL expects it, with no Django conversion.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BigIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.SmallIntegerField,
    models.BooleanField,
    models.DateTimeField,
    models.DateField,
    models.ForeignKey,
)


def copy_insert(objs: Sequence[M]) -> Sequence[M]:
    """Save new instances of one model like `QuerySet.bulk_create` does (ids set on them), cheaper.

    On PostgreSQL: the ids are drawn from the table's sequence in one query, then the rows go in
    one COPY, which psycopg encodes in C, instead of an INSERT whose every cell Django prepares
    and psycopg quotes in Python. Elsewhere, bulk_create. Plain values only (no expressions); a
    unique violation raises IntegrityError for the whole batch, as bulk_create does.
    """
    if not objs:
        return objs
    meta = _concrete_meta(objs[0])
    if connection.vendor != "postgresql":
        return type(objs[0])._default_manager.bulk_create(objs)
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    convert = [_converter(field) for field in fields]
    stamped = [field for field in fields if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)]
    quote = connection.ops.quote_name
    names = [quote(column_of(field)) for field in [meta.pk, *fields]]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, column_of(meta.pk), len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
            for field in stamped:
                field.pre_save(obj, True)
        rows = (
            [obj.pk, *(to_db(obj.__dict__[field.attname]) for field, to_db in zip(fields, convert, strict=True))]
            for obj in objs
        )
        copy_rows(cursor, quote(meta.db_table), names, rows)
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
    return objs


def copy_rows(cursor: CursorWrapper, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` into `columns` of `table` (PostgreSQL), on a Django cursor.

    Through the raw psycopg cursor, as Django's wrapper has no COPY; errors still come out as
    Django's (IntegrityError and so on). Names are formatted in: pass only our own.
    """
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def column_of(field: models.Field) -> str:
    """The column of a field stored in its model's table (the stubs allow None, which Django gives a few others)."""
    if field.column is None:
        raise ValueError(f"{field} has no column of its own.")
    return field.column


def _concrete_meta(obj: models.Model) -> Options[Any]:
    model = obj._meta.concrete_model
    if model is None:  # only abstract models have none, and they have no instances
        raise TypeError(f"{type(obj).__name__} is abstract.")
    return model._meta


def concrete_field(meta: Options[Any], name: str) -> models.Field:
    """`meta.get_field(name)`, refusing a field not stored in the model's table (a reverse relation, a many-to-many)."""
    field = meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{meta.label}.{name} is not stored in the model's table.")
    return field


def _converter(field: models.Field) -> Callable[[Any], Any]:
    if isinstance(field, models.JSONField):
        return lambda value: None if value is None else json.dumps(value, cls=field.encoder)
    if isinstance(field, _PLAIN_FIELDS) and not field.choices:
        return _as_is
    if isinstance(field, _PLAIN_FIELDS):
        return _choice
    return lambda value: field.get_db_prep_save(value, connection)


def _as_is(value: Any) -> Any:
    return value


def _choice(value: Any) -> Any:
    # A TextChoices member is a str already; an IntegerChoices member an int: drop the enum type.
    return value.value if isinstance(value, Enum) else value
