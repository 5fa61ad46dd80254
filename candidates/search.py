"""Candidate search: weighted full text plus trigram names on PostgreSQL, LIKE on SQLite.

Weights: A name and e-mail; B title, company, headline and skills; C résumé text.
`refresh(ids)` keeps the stored `search_name` and `search_vector` current; every write
that changes those inputs calls it (services, imports, résumé uploads, merges).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

# The search columns as expressions of a row's columns, so the refresh below and an import's
# INSERT … SELECT (candidates.importing.staging) build them alike. `{first_name}` etc. stand
# for the row's columns; `{skills}` and `{resumes}` for the space-joined skill names and text.
SEARCH_INPUTS = ("first_name", "last_name", "email", "current_title", "current_company", "headline")
_NAME_EXPRESSION = "lower({first_name} || ' ' || {last_name})"
_VECTOR_EXPRESSION = """
    setweight(to_tsvector('simple', {first_name} || ' ' || {last_name} || ' ' || {email} || ' '
                          || replace(replace(split_part({email}, '@', 1), '.', ' '), '_', ' ')), 'A')
    || setweight(to_tsvector('simple', {current_title} || ' ' || {current_company} || ' ' || {headline} || ' '
                             || {skills}), 'B')
    || setweight(to_tsvector('simple', {resumes}), 'C')"""


def name_sql(column: Callable[[str], str]) -> str:
    """SQL for `search_name`, `column(name)` giving the SQL of each input column."""
    return _NAME_EXPRESSION.format(**{name: column(name) for name in ("first_name", "last_name")})


def vector_sql(column: Callable[[str], str], *, skills: str, resumes: str = "''") -> str:
    """SQL for `search_vector` (PostgreSQL): weights A name and e-mail, B work and skills, C résumés."""
    return _VECTOR_EXPRESSION.format(**{name: column(name) for name in SEARCH_INPUTS}, skills=skills, resumes=resumes)


# Skills and résumés are aggregated once per batch and joined: a correlated subquery per
# row made the plan depend on fresh statistics (one index probe per skill when stale).
def _row_column(name: str) -> str:
    return f"c.{name}"


_TSV_SQL = f"""
UPDATE candidates_candidate AS c SET
  search_name = {name_sql(_row_column)},
  search_vector = {vector_sql(_row_column, skills="coalesce(skills.names, '')", resumes="coalesce(resumes.body, '')")}
FROM unnest(%(ids)s::bigint[]) AS batch(id)
LEFT JOIN (
  SELECT cs.candidate_id, string_agg(s.name, ' ') AS names
  FROM candidates_candidate_skills cs JOIN candidates_skill s ON s.id = cs.skill_id
  WHERE cs.candidate_id = ANY(%(ids)s) GROUP BY cs.candidate_id
) AS skills ON skills.candidate_id = batch.id
LEFT JOIN (
  SELECT r.candidate_id, string_agg(left(r.text, 200000), ' ') AS body
  FROM candidates_resume r WHERE r.candidate_id = ANY(%(ids)s) GROUP BY r.candidate_id
) AS resumes ON resumes.candidate_id = batch.id
WHERE c.id = batch.id
"""  # noqa: S608 (constants only)
_NAME_SQL = "UPDATE candidates_candidate SET search_name = lower(first_name || ' ' || last_name) WHERE id IN ({})"

BATCH = 5000
TRIGRAM_THRESHOLD = 0.3


def refresh(candidate_ids: Iterable[int]) -> None:
    ids = list(candidate_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            if connection.vendor == "postgresql":
                cursor.execute(_TSV_SQL, {"ids": batch})
            else:
                cursor.execute(_NAME_SQL.format(",".join(["%s"] * len(batch))), batch)


def terms(query: str) -> list[str]:
    """Words of a query, lower-cased, keeping letters, digits and inner @ . + - (e-mails, C++)."""
    return [t for t in re.findall(r"[\w@.+#-]+", query.lower()) if t.strip(".-")][:8]


def _tsquery(words: list[str], *, prefix_last: bool = True) -> str:
    # Quoting keeps tsquery syntax characters in a word from being read as operators.
    # Only the last word is a prefix, the one still being typed: a prefix reads the posting
    # list of every lexeme it starts, and each e-mail is its own lexeme ("james.smith.1@…"),
    # so "james:*" reads some 30,000 of them at a million candidates where "james" reads one.
    quoted = ["'" + w.replace("'", "") + "'" for w in words]
    if prefix_last:
        quoted[-1] += ":*"
    return " & ".join(quoted)


def _looks_like_a_name(words: list[str]) -> bool:
    return not any("@" in w or any(ch.isdigit() for ch in w) for w in words)


FUZZY_FALLBACK_BELOW = 25
WORD_SIMILARITY_THRESHOLD = 0.5  # pg_trgm's default is 0.6; talentcircles/env.py sets this for every session


def _fulltext(queryset: QuerySet, words: list[str], *, prefix_last: bool = True) -> QuerySet:
    tsquery = _tsquery(words, prefix_last=prefix_last)
    sql = RawSQL("search_vector @@ to_tsquery('simple', %s)", [tsquery], output_field=BooleanField())
    return queryset.alias(fulltext=sql).filter(fulltext=True)


def _fuzzy_name(queryset: QuerySet, words: list[str]) -> QuerySet:
    """Names like the query: the whole name for several words, any word of it for one word.

    Against a whole name a single word's few trigrams score low, and its commonest ones ("  j",
    "es ") made the index offer tens of thousands of names to reject ("jmaes": 600 ms to 1.2 s at
    a million candidates). Word similarity (`<%`, at least WORD_SIMILARITY_THRESHOLD, a session
    setting: talentcircles/env.py) needs most of the word's trigrams in one place. On 50 misspelt
    first or last names it found the intended name 39 times against 34, p95 22 ms against 694.
    """
    if len(words) == 1:
        sql = RawSQL("%s <%% search_name", [words[0]], output_field=BooleanField())
    else:
        sql = RawSQL("search_name %% %s", [" ".join(words)], output_field=BooleanField())
    return queryset.alias(fuzzy_name=sql).filter(fuzzy_name=True)


# Misspelt names come from the trigram index, which costs 20 to 70 ms at a million rows
# even when it finds nothing. It is consulted only for name-like queries whose exact
# (prefix) matches do not fill a page: then a typo is the likely reason.


def matches(queryset: QuerySet, query: str) -> QuerySet:
    """`queryset` narrowed to candidates matching `query` (all of them when the query is empty)."""
    words = terms(query)
    if not words:
        return queryset
    if connection.vendor != "postgresql":
        return _portable(queryset, words)
    exact = _fulltext(queryset, words)
    few = exact.order_by().values("pk")[:FUZZY_FALLBACK_BELOW].count() < FUZZY_FALLBACK_BELOW
    if not (few and _looks_like_a_name(words)):
        return exact
    return exact | _fuzzy_name(queryset, words)


def window_ids(queryset: QuerySet, query: str, size: int) -> list[int]:
    """Ids of up to `size` candidates matching `query`: the set relevance ranking orders.

    The words as typed, taken whole, come first: they rank at least as high as the
    completions of a prefix, and when they fill the window the index reads one posting
    list per word instead of one per lexeme the prefix starts. Completions fill the rest,
    and only when those are fewer than FUZZY_FALLBACK_BELOW does a name-like query also
    take trigram-similar names (a typo is then the likely reason).
    """
    words = terms(query)
    if connection.vendor != "postgresql" or not words:
        return list(matches(queryset, query).order_by().values_list("pk", flat=True)[:size])
    sql, params = _window_sql(queryset, words, size)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _window_sql(queryset: QuerySet, words: list[str], size: int) -> tuple[str, list]:
    """One statement for the window, so a search costs one round trip whichever branch answers.

    PostgreSQL runs a UNION ALL branch only when the LIMIT above it still wants rows, and a
    one-time filter on the CTE's size skips the trigram scan unless the exact matches are few.
    """
    whole = _vector_filter(queryset, _tsquery(words, prefix_last=False))
    completions = _vector_filter(
        _vector_filter(queryset, _tsquery(words)), _tsquery(words, prefix_last=False), negate=True
    )
    whole_sql, whole_params = _ids_sql(whole, size)
    completions_sql, completions_params = _ids_sql(completions, size)
    # The pieces are SQL Django compiled, with their parameters kept apart.
    sql = f"WITH exact(id) AS MATERIALIZED (({whole_sql}) UNION ALL ({completions_sql}) LIMIT %s) SELECT id FROM exact"  # noqa: S608
    params = [*whole_params, *completions_params, size]
    if _looks_like_a_name(words):
        # Every exact match is a prefix match, so leaving those out lists nobody twice.
        fuzzy = _fuzzy_name(_vector_filter(queryset, _tsquery(words), negate=True), words)
        fuzzy_sql, fuzzy_params = _ids_sql(fuzzy, size)
        sql += f" UNION ALL SELECT alike.id FROM ({fuzzy_sql}) AS alike(id) WHERE (SELECT count(*) FROM exact) < %s"  # noqa: S608
        params += [*fuzzy_params, FUZZY_FALLBACK_BELOW]
    return f"{sql} LIMIT %s", [*params, size]


def _vector_filter(queryset: QuerySet, tsquery: str, *, negate: bool = False) -> QuerySet:
    """`queryset` narrowed to the vectors matching `tsquery`, or with `negate` to the others."""
    if negate:
        return queryset.filter(RawSQL("NOT (search_vector @@ to_tsquery('simple', %s))", [tsquery], BooleanField()))
    return queryset.filter(RawSQL("search_vector @@ to_tsquery('simple', %s)", [tsquery], BooleanField()))


def _ids_sql(queryset: QuerySet, size: int) -> tuple[str, tuple]:
    ids = queryset.order_by().values_list("pk", flat=True)[:size]
    return ids.query.get_compiler(connection=connection).as_sql()


def in_window(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """A candidate `queryset` narrowed to `ids` (a window of up to a few hundred)."""
    if connection.vendor != "postgresql" or not ids:
        return queryset.filter(pk__in=ids)
    # One array parameter: an IN list of 500 literals costs more to bind, send and plan
    # than the index probes it asks for.
    sql = RawSQL('"candidates_candidate"."id" = ANY(%s::bigint[])', [ids], output_field=BooleanField())
    return queryset.alias(in_window=sql).filter(in_window=True)


def rank(query: str):
    """How well a candidate matches `query`, higher is better: an expression to annotate."""
    words = terms(query)
    if not words:
        return Value(0.0, output_field=FloatField())
    phrase = " ".join(words)
    if connection.vendor == "postgresql":
        return RawSQL(
            "ts_rank_cd(search_vector, to_tsquery('simple', %s)) + similarity(search_name, %s)",
            [_tsquery(words), phrase],
            output_field=FloatField(),
        )
    return RawSQL("similarity(search_name, %s) + 0.1", [phrase], output_field=FloatField())


def apply(queryset: QuerySet, query: str) -> QuerySet:
    """`matches` annotated with `rank`."""
    return matches(queryset, query).annotate(rank=rank(query))


_PORTABLE_FIELDS = ("search_name", "email", "current_title", "current_company", "headline", "skills__name")


def _portable(queryset: QuerySet, words: list[str]) -> QuerySet:
    """SQLite: every word appears in some searchable field, or the name is trigram-similar.

    `similarity()` is registered on SQLite connections by candidates.sqlite_functions,
    so misspellings are found here too; it is a full scan, fine at embedded sizes.
    """
    from candidates.models import Candidate

    phrase = " ".join(words)
    every_word = Candidate.objects.all()
    for word in words:
        any_field = Q()
        for field in _PORTABLE_FIELDS:
            any_field |= Q(**{f"{field}__icontains": word})
        every_word = every_word.filter(any_field)
    similar = RawSQL("similarity(search_name, %s)", [phrase], output_field=FloatField())
    return queryset.alias(name_similarity=similar).filter(
        Q(pk__in=every_word.values("pk")) | Q(name_similarity__gte=TRIGRAM_THRESHOLD)
    )
