"""Candidate search: weighted full text plus trigram names on PostgreSQL, folded text on SQLite.

Weights: A name and e-mail; B title, company, headline and skills; C résumé text. Accent- and
case-blind on both: the stored search columns and the query words are folded alike
(candidates.folding; `tc_fold` in SQL), and names and work also hold their German pairs
collapsed (Mueller → muller), so Müller, Muller and Mueller find each other.
`refresh(ids)` keeps the stored `search_name`, `search_vector` (PostgreSQL) and `search_text`
(SQLite) current; every write that changes those inputs calls it (services, imports, résumé
text, merges, erasure).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable

from django.db import connection
from django.db.models import BooleanField, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

from candidates import folding, typos

# The search columns as expressions of a row's columns, so the refresh below and an import's
# INSERT … SELECT (candidates.importing.staging) build them alike. `{first_name}` etc. stand
# for the row's columns; `{skills}` and `{resumes}` for the space-joined skill names and text.
# `tc_fold` and `tc_fold_with_collapsed` are SQL functions (migration 0013; on SQLite
# candidates.sqlite_functions). Résumé text is folded but not collapsed: doubling long texts
# would double the cost of every résumé's vector for a rare spelling.
SEARCH_INPUTS = ("first_name", "last_name", "email", "current_title", "current_company", "headline")
_NAME_EXPRESSION = "tc_fold({first_name} || ' ' || {last_name})"
_IDENTITY = """{first_name} || ' ' || {last_name} || ' ' || {email} || ' '
                          || replace(replace(split_part({email}, '@', 1), '.', ' '), '_', ' ')"""
_WORK = "{current_title} || ' ' || {current_company} || ' ' || {headline} || ' ' || {skills}"
_VECTOR_EXPRESSION = f"""
    setweight(to_tsvector('simple', tc_fold_with_collapsed({_IDENTITY})), 'A')
    || setweight(to_tsvector('simple', tc_fold_with_collapsed({_WORK})), 'B')
    || setweight(to_tsvector('simple', tc_fold({{resumes}})), 'C')"""
# SQLite has no full text here: one folded text that every query word must occur in.
_TEXT_EXPRESSION = f"""tc_fold_with_collapsed({{first_name}} || ' ' || {{last_name}} || ' ' || {{email}} || ' '
    || {_WORK}) || ' ' || tc_fold({{resumes}})"""


def name_sql(column: Callable[[str], str]) -> str:
    """SQL for `search_name`, `column(name)` giving the SQL of each input column."""
    return _NAME_EXPRESSION.format(**{name: column(name) for name in ("first_name", "last_name")})


def vector_sql(column: Callable[[str], str], *, skills: str, resumes: str = "''") -> str:
    """SQL for `search_vector` (PostgreSQL): weights A name and e-mail, B work and skills, C résumés."""
    return _VECTOR_EXPRESSION.format(**{name: column(name) for name in SEARCH_INPUTS}, skills=skills, resumes=resumes)


def text_sql(column: Callable[[str], str], *, skills: str, resumes: str = "''") -> str:
    """SQL for `search_text` (SQLite): the folded name, e-mail, work, skills and résumé text."""
    return _TEXT_EXPRESSION.format(**{name: column(name) for name in SEARCH_INPUTS}, skills=skills, resumes=resumes)


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


def _own_column(name: str) -> str:
    return f"candidates_candidate.{name}"


_SQLITE_SKILLS = """coalesce((SELECT group_concat(s.name, ' ') FROM candidates_candidate_skills cs
    JOIN candidates_skill s ON s.id = cs.skill_id WHERE cs.candidate_id = candidates_candidate.id), '')"""
_SQLITE_RESUMES = """coalesce((SELECT group_concat(substr(r.text, 1, 200000), ' ') FROM candidates_resume r
    WHERE r.candidate_id = candidates_candidate.id), '')"""
_TEXT_SQL = (
    f"UPDATE candidates_candidate SET search_name = {name_sql(_own_column)}, "  # noqa: S608 (constants only)
    f"search_text = {text_sql(_own_column, skills=_SQLITE_SKILLS, resumes=_SQLITE_RESUMES)} WHERE id IN ({{}})"
)

BATCH = 5000
SQLITE_BATCH = 500  # SQLite caps a statement's parameters


def refresh(candidate_ids: Iterable[int]) -> None:
    ids = list(candidate_ids)
    postgresql = connection.vendor == "postgresql"
    size = BATCH if postgresql else SQLITE_BATCH
    with connection.cursor() as cursor:
        for start in range(0, len(ids), size):
            batch = ids[start : start + size]
            if postgresql:
                cursor.execute(_TSV_SQL, {"ids": batch})
            else:
                cursor.execute(_TEXT_SQL.format(",".join(["%s"] * len(batch))), batch)


def terms(query: str) -> list[str]:
    """Words of a query, lower-cased, keeping letters, digits and inner @ . + - (e-mails, C++)."""
    return [t for t in re.findall(r"[\w@.+#-]+", query.lower()) if t.strip(".-")][:8]


def folded_terms(query: str) -> list[str]:
    """`terms(query)` folded as the stored search columns are: "Müller" → "muller"."""
    return [word for word in (folding.fold(t) for t in terms(query)) if word.strip(".-")]


def _forms(word: str) -> list[str]:
    """The word as typed (folded) and, when it differs, with German pairs collapsed."""
    collapsed = folding.collapse(word)
    return [word] if collapsed == word else [word, collapsed]


def _alternatives(word: str, *, prefix: bool, typos_too: bool = False) -> str:
    # Quoting keeps tsquery syntax characters in a word from being read as operators.
    quoted = ["'" + form.replace("'", "") + "'" + (":*" if prefix else "") for form in _forms(word)]
    if typos_too:
        # Weight A: a swap is a misspelt name (or e-mail), like the trigram match beside it.
        swaps = {form for swap in typos.transpositions(word) for form in _forms(swap)}
        quoted += ["'" + swap + "':A" for swap in sorted(swaps)]
    return quoted[0] if len(quoted) == 1 else "(" + " | ".join(quoted) + ")"


def _tsquery(words: list[str], *, prefix_last: bool = True) -> str:
    # Only the last word is a prefix, the one still being typed: a prefix reads the posting
    # list of every lexeme it starts, and each e-mail is its own lexeme ("james.smith.1@…"),
    # so "james:*" reads some 30,000 of them at a million candidates where "james" reads one.
    last = len(words) - 1
    return " & ".join(_alternatives(w, prefix=prefix_last and i == last) for i, w in enumerate(words))


def _looks_like_a_name(words: list[str]) -> bool:
    return not any("@" in w or any(ch.isdigit() for ch in w) for w in words)


FUZZY_FALLBACK_BELOW = 25
WORD_SIMILARITY_THRESHOLD = 0.5  # pg_trgm's default is 0.6; talentcircles/env.py sets this for every session
# The query's tsquery text goes through `tc_fold` too: a letter candidates.folding does not know
# is then folded by `unaccent` as the stored vector's was.
_MATCHES = "search_vector @@ to_tsquery('simple', tc_fold(%s))"


def _matching(tsquery: str, *, negate: bool = False, or_like_a_name: str = "") -> RawSQL:
    """Vectors matching `tsquery` (`negate`: the others), or names with a word like `or_like_a_name`.

    With an empty `tsquery`, only the names like `or_like_a_name`.
    """
    sql, params = (f"NOT ({_MATCHES})" if negate else _MATCHES), [tsquery]
    if or_like_a_name:
        like = "tc_fold(%s) <%% search_name"
        sql, params = (f"({sql} OR {like})", [tsquery, or_like_a_name]) if tsquery else (like, [or_like_a_name])
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 (constant SQL; the words are parameters)


def _fulltext(queryset: QuerySet, words: list[str], *, prefix_last: bool = True) -> QuerySet:
    return queryset.alias(fulltext=_matching(_tsquery(words, prefix_last=prefix_last))).filter(fulltext=True)


def _misspelt(words: list[str]) -> tuple[list[RawSQL], list[RawSQL] | None]:
    """Conditions for candidates matching every word as typed or with two neighbouring letters swapped
    (`swapped`), and for the others whose every word is so or like a word of the name (`similar`; None
    when no word is long enough to be likened).

    A swap ("jonh", "torvlads") is an exact lexeme lookup. A word of MIN_TYPO_LENGTH letters or more
    may also be trigram-similar to a word of the name (`<%`, at least WORD_SIMILARITY_THRESHOLD, a
    session setting: talentcircles/env.py), which is dearer: the trigram index offers every name with
    a word like each word typed, and for common words ("jonh jones") that is tens of thousands of
    names, 25 to 40 ms at a million. So the similar names are a fallback of their own, asked for only
    when the swaps do not fill a page (`_window_sql`, `matches`).

    Each word on its own, so a word nobody has ("turing nasa") finds nobody, where similar whole
    names found Alan Turing. Against a whole name a single word's few trigrams score low, and its
    commonest ones ("  j", "es ") made the index offer tens of thousands of names to reject. A single
    word's similar names are asked for apart from its swaps: as one OR the planner guessed thousands
    of matches for "jamse" and, under a LIMIT, scanned the table computing word similarity row by row
    (129 ms against 13 at 100,000 candidates).
    """
    last = len(words) - 1
    alternatives = [_alternatives(word, prefix=i == last, typos_too=True) for i, word in enumerate(words)]
    swaps = " & ".join(alternatives)
    if not any(len(word) >= typos.MIN_TYPO_LENGTH for word in words):
        return [_matching(swaps)], None
    unswapped = _matching(swaps, negate=True)
    if len(words) == 1:
        return [_matching(swaps)], [unswapped, _matching("", or_like_a_name=words[0])]
    likes = [word if len(word) >= typos.MIN_TYPO_LENGTH else "" for word in words]
    alike = [_matching(found, or_like_a_name=like) for found, like in zip(alternatives, likes, strict=True)]
    return [_matching(swaps)], [unswapped, *alike]


# Misspelt names come from the trigram index, which costs 20 to 70 ms at a million rows
# even when it finds nothing. It is consulted only for name-like queries whose exact
# (prefix) matches do not fill a page: then a typo is the likely reason.


def matches(queryset: QuerySet, query: str) -> QuerySet:
    """`queryset` narrowed to candidates matching `query` (all of them when the query is empty)."""
    words = folded_terms(query)
    if not words:
        return queryset
    if connection.vendor != "postgresql":
        return _portable(queryset, words)
    exact = _fulltext(queryset, words)
    if not (_few(exact) and _looks_like_a_name(words)):
        return exact
    swapped, similar = _misspelt(words)
    found = exact | queryset.filter(*swapped)
    return found | queryset.filter(*similar) if similar is not None and _few(found) else found


def _few(found: QuerySet) -> bool:
    """Fewer than FUZZY_FALLBACK_BELOW: too few to fill a page, so a misspelling is the likely reason."""
    return found.order_by().values("pk")[:FUZZY_FALLBACK_BELOW].count() < FUZZY_FALLBACK_BELOW


def window_ids(queryset: QuerySet, query: str, size: int) -> list[int]:
    """Ids of up to `size` candidates matching `query`: the set relevance ranking orders.

    The words as typed, taken whole, come first: they rank at least as high as the
    completions of a prefix, and when they fill the window the index reads one posting
    list per word instead of one per lexeme the prefix starts. Completions fill the rest,
    and only when those are fewer than FUZZY_FALLBACK_BELOW does a name-like query also
    take misspellings (a typo is then the likely reason).
    """
    words = folded_terms(query)
    if connection.vendor != "postgresql" or not words:
        return list(matches(queryset, query).order_by().values_list("pk", flat=True)[:size])
    sql, params = _window_sql(queryset, words, size)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def ranked_window(queryset: QuerySet, query: str, window: int) -> tuple[list[int], int]:
    """The window of `window_ids`, ranked: the ids of its first `window` candidates, best first
    (`rank` descending, then last name and id), and how many matched, counted up to `window` + 1.

    One statement: each row's rank is computed as the window's scan yields it, from the row it
    has just read, and the database sorts the window (its collation orders the names, as an
    ORDER BY on the page would). The page then reads its own rows by id, in this order, and
    ranks nothing again: ranking the window a second time, from the ids, cost as much as
    finding it (500 rows fetched by id and their vectors read again: 15 to 20 ms at a million).
    """
    words = folded_terms(query)
    score = rank(query)
    sql: str
    params: list | tuple
    if connection.vendor != "postgresql" or not words:
        found = matches(queryset, query).order_by().annotate(search_score=score)
        sql, params = _ids_sql(found, window + 1, "search_score", "last_name")
    else:
        sql, params = _window_sql(queryset, words, window + 1, score=score)
    ranked = (
        "SELECT id FROM (SELECT id, search_score, last_name, row_number() OVER () AS n"  # noqa: S608 (compiled SQL)
        f" FROM ({sql}) AS found) AS numbered ORDER BY n > %s, search_score DESC, last_name, id"
    )
    with connection.cursor() as cursor:
        cursor.execute(ranked, [*params, window])
        ids = [row[0] for row in cursor.fetchall()]
    return ids[:window], len(ids)


def _window_sql(queryset: QuerySet, words: list[str], size: int, *, score=None) -> tuple[str, list]:
    """One statement for the window, so a search costs one round trip whichever branch answers.

    PostgreSQL runs a UNION ALL branch only when the LIMIT above it still wants rows, and one-time
    filters on the CTEs' sizes skip the swapped letters unless the exact matches are few, and the
    similar names unless the exact matches and the swaps together are few. A one-word name is looked
    up by first and last name before the full text (`_names_first`).
    With a `score` expression each row also carries it and its last name (`ranked_window`).
    """
    extra = ("search_score", "last_name") if score is not None else ()
    columns = ", ".join(["id", *extra])
    branch = _branches(queryset.annotate(search_score=score) if score is not None else queryset, size, extra)
    prefix, whole = _tsquery(words), _tsquery(words, prefix_last=False)
    name = _one_name(words)
    named, params, exact = _names_first(branch, columns, size, "named", name and _forms(name), _matching(whole))
    exact.append(branch(_matching(prefix), _matching(whole, negate=True)))
    # The pieces are SQL Django compiled, with their parameters kept apart. Each fallback runs only
    # when what came before it is fewer than FUZZY_FALLBACK_BELOW (a one-time filter on the CTEs' sizes).
    exact_sql, exact_params = _union(exact, size)
    sql = f"WITH {named}exact({columns}) AS MATERIALIZED ({exact_sql})"
    params += exact_params
    select = f" SELECT {columns} FROM exact"  # noqa: S608 (column names of our own)
    if _looks_like_a_name(words):
        # Every exact match is a prefix match, so leaving those out lists nobody twice.
        (swaps, *also), similar = _misspelt(words)
        not_prefix = _matching(prefix, negate=True)
        alike = ", ".join(f"alike.{column}" for column in columns.split(", "))
        forms = name and sorted({form for swap in typos.transpositions(name) for form in _forms(swap)})
        named, named_params, swapped = _names_first(
            branch, columns, size, "named_swaps", forms, swaps, *also, not_prefix
        )
        swapped_sql, swapped_params = _union(swapped, size)
        sql += (
            f", {named}swapped({columns}) AS MATERIALIZED (SELECT {alike} FROM ({swapped_sql}) AS alike({columns})"  # noqa: S608
            " WHERE (SELECT count(*) FROM exact) < %s)"
        )
        params += [*named_params, *swapped_params, FUZZY_FALLBACK_BELOW]
        select += f" UNION ALL SELECT {columns} FROM swapped"  # noqa: S608 (column names of our own)
        if similar is not None:
            similar_sql, similar_params = branch(not_prefix, *similar)
            select += (
                f" UNION ALL SELECT {alike} FROM ({similar_sql}) AS alike({columns})"  # noqa: S608
                " WHERE (SELECT count(*) FROM exact) + (SELECT count(*) FROM swapped) < %s"
            )
            params += [*similar_params, FUZZY_FALLBACK_BELOW]
    return f"{sql}{select} LIMIT %s", [*params, size]


def _one_name(words: list[str]) -> str:
    """The query's word when it is one word of letters, as a first or last name is; else ""."""
    return words[0] if len(words) == 1 and words[0].isalpha() else ""


# A name's folded first and last name, each indexed with the organisation (migration 0019).
_FIRST_NAME_IS = "tc_fold(first_name) = ANY(%s::text[])"
_LAST_NAME_IS = "tc_fold(last_name) = ANY(%s::text[])"


def _names_first(
    branch: Callable[..., tuple[str, list]], columns: str, size: int, cte: str, names: list[str] | str,
    matching: RawSQL, *also: RawSQL,
) -> tuple[str, list, list[tuple[str, list]]]:  # fmt: skip
    """Branches for the candidates `matching` (a full-text condition) and `also`: first those whose
    first name, then those whose last name, is one of `names`, gathered by a CTE named `cte`; then the
    others. Returns the CTE ("…, " to put after WITH; "" without `names`), its parameters and the branches.

    A common first name ("james": 35,000 people at a million) is one of the full text's longest
    posting lists, and a GIN index answers only with a bitmap of all of them, 10 to 13 ms before the
    first row, where the window wants any 500. The btree on the folded name yields them in order and
    stops at the LIMIT (1.6 ms). A name is one of its vector's words, so these match `matching` too:
    it is left out of their branches, or the planner would AND the two indexes' bitmaps.
    """
    if not names:
        return "", [], [branch(matching, *also)]
    first = RawSQL(_FIRST_NAME_IS, [names], output_field=BooleanField())  # noqa: S611 (constant SQL)
    last = RawSQL(f"{_LAST_NAME_IS} AND NOT {_FIRST_NAME_IS}", [names, names], output_field=BooleanField())  # noqa: S611
    named_sql, params = _union([branch(first, *also), branch(last, *also)], size)
    # The others by the full text as before, then those already gathered left out: a condition inside
    # its branch (folding each row's names, or a hashed subplan) changed the plan for very common words
    # from a sequential scan to a bitmap ("python": 8.5 → 17.8 ms). Leaving out k of its rows still leaves
    # enough: the gathered ones (k or more) make up for them under the LIMIT.
    others_sql, others_params = branch(matching, *also)
    kept = ", ".join(f"others.{column}" for column in columns.split(", "))
    others = (
        f"SELECT {kept} FROM ({others_sql}) AS others({columns}) WHERE others.id NOT IN (SELECT id FROM {cte})",  # noqa: S608
        others_params,
    )
    gathered = f"SELECT {columns} FROM {cte}"  # noqa: S608 (names of our own)
    return f"{cte}({columns}) AS MATERIALIZED ({named_sql}), ", params, [(gathered, []), others]


def _union(branches: list[tuple[str, list]], size: int) -> tuple[str, list]:
    """`branches` one after the other, stopping at `size` rows (PostgreSQL runs a branch only if wanted)."""
    if len(branches) == 1:
        return branches[0]
    sql = " UNION ALL ".join(f"({branch_sql})" for branch_sql, _ in branches)
    return f"{sql} LIMIT %s", [*(p for _, params in branches for p in params), size]


def _branches(queryset: QuerySet, size: int, extra: tuple[str, ...]) -> Callable[..., tuple[str, list]]:
    """A maker of the window's branches: `queryset`'s ids (and `extra`) where these conditions hold too.

    The queryset is compiled once and each branch adds its conditions to the end of its WHERE clause:
    compiling every branch as a queryset of its own cost some 2 ms of a search (four compilations).
    """
    query = queryset.order_by().values_list("id", *extra).query
    # What would follow the WHERE clause in the SQL: none of it, so a branch's conditions can end it.
    if not query.where or query.group_by or query.distinct or query.combinator or query.is_sliced:
        raise ValueError("A search window needs a plainly filtered queryset (no grouping, distinct, union or slice).")
    sql, params = query.get_compiler(connection=connection).as_sql()

    def branch(*conditions: RawSQL) -> tuple[str, list]:
        added = " AND ".join(f"({condition.sql})" for condition in conditions)
        return f"{sql} AND {added} LIMIT {int(size)}", [*params, *(p for c in conditions for p in c.params)]

    return branch


def _ids_sql(queryset: QuerySet, size: int, *also: str) -> tuple[str, tuple]:
    ids = queryset.order_by().values_list("id", *also)[:size]
    return ids.query.get_compiler(connection=connection).as_sql()


def in_window(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """A candidate `queryset` narrowed to `ids` (a window of up to a few hundred)."""
    if connection.vendor != "postgresql" or not ids:
        return queryset.filter(pk__in=ids)
    # One array parameter: an IN list of 500 literals costs more to bind, send and plan
    # than the index probes it asks for.
    sql = RawSQL('"candidates_candidate"."id" = ANY(%s::bigint[])', [ids], output_field=BooleanField())
    return queryset.alias(in_window=sql).filter(in_window=True)


def in_ranked_order(queryset: QuerySet, ids: list[int]) -> QuerySet:
    """`in_window(queryset, ids)` ordered as `ids` are (a ranked window: `ranked_window`)."""
    if connection.vendor == "postgresql":
        position = RawSQL('array_position(%s::bigint[], "candidates_candidate"."id")', [ids])
    else:  # SQLite: the id's place in a JSON array, one parameter however long the window
        position = RawSQL(
            "(SELECT CAST(ranked.key AS integer) FROM json_each(%s) AS ranked"
            ' WHERE ranked.value = "candidates_candidate"."id")',
            [json.dumps(ids)],
        )
    return in_window(queryset, ids).alias(ranked_position=position).order_by("ranked_position")


def rank(query: str):
    """How well a candidate matches `query`, higher is better: an expression to annotate."""
    words = folded_terms(query)
    if not words:
        return Value(0.0, output_field=FloatField())
    phrase = " ".join(words)
    if connection.vendor == "postgresql":
        return RawSQL(
            "ts_rank_cd(search_vector, to_tsquery('simple', tc_fold(%s))) + similarity(search_name, %s)",
            [_tsquery(words), phrase],
            output_field=FloatField(),
        )
    return RawSQL("similarity(search_name, %s) + 0.1", [phrase], output_field=FloatField())


def apply(queryset: QuerySet, query: str) -> QuerySet:
    """`matches` annotated with `rank`."""
    return matches(queryset, query).annotate(rank=rank(query))


def _portable(queryset: QuerySet, words: list[str]) -> QuerySet:
    """SQLite: every word occurs in the folded `search_text`, or (in a name-like query) is a
    misspelling of a word of the name: two neighbouring letters swapped, or trigram-similar.

    `resembles_a_word()` is registered on SQLite connections by candidates.sqlite_functions;
    it is a full scan, fine at embedded sizes.
    """
    name_like = _looks_like_a_name(words)
    for word in words:
        found = Q()
        for form in _forms(word):
            found |= Q(search_text__contains=form)
        if name_like and len(word) >= typos.MIN_TYPO_LENGTH:
            found |= Q(
                RawSQL(
                    "resembles_a_word(%s, search_name, %s)",
                    [word, WORD_SIMILARITY_THRESHOLD],
                    output_field=BooleanField(),
                )
            )
        queryset = queryset.filter(found)
    return queryset
