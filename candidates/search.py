"""Candidate search: weighted full text plus trigram names on PostgreSQL, LIKE on SQLite.

Weights: A name and e-mail; B title, company, headline and skills; C résumé text.
`refresh(ids)` keeps the stored `search_name` and `search_vector` current; every write
that changes those inputs calls it (services, imports, résumé uploads, merges).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import connection
from django.db.models import BooleanField, F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL

_TSV_SQL = """
UPDATE candidates_candidate AS c SET
  search_name = lower(c.first_name || ' ' || c.last_name),
  search_vector =
    setweight(to_tsvector('simple', c.first_name || ' ' || c.last_name || ' ' || c.email || ' '
                          || replace(replace(split_part(c.email, '@', 1), '.', ' '), '_', ' ')), 'A')
    || setweight(to_tsvector('simple', c.current_title || ' ' || c.current_company || ' ' || c.headline || ' '
                 || coalesce((SELECT string_agg(s.name, ' ') FROM candidates_candidate_skills cs
                              JOIN candidates_skill s ON s.id = cs.skill_id WHERE cs.candidate_id = c.id), '')), 'B')
    || setweight(to_tsvector('simple', coalesce((SELECT string_agg(left(r.text, 200000), ' ')
                                                 FROM candidates_resume r WHERE r.candidate_id = c.id), '')), 'C')
WHERE c.id = ANY(%s)
"""
_NAME_SQL = "UPDATE candidates_candidate SET search_name = lower(first_name || ' ' || last_name) WHERE id IN ({})"

BATCH = 5000
TRIGRAM_THRESHOLD = 0.3


def refresh(candidate_ids: Iterable[int]) -> None:
    ids = list(candidate_ids)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            if connection.vendor == "postgresql":
                cursor.execute(_TSV_SQL, [batch])
            else:
                cursor.execute(_NAME_SQL.format(",".join(["%s"] * len(batch))), batch)


def terms(query: str) -> list[str]:
    """Words of a query, lower-cased, keeping letters, digits and inner @ . + - (e-mails, C++)."""
    return [t for t in re.findall(r"[\w@.+#-]+", query.lower()) if t.strip(".-")][:8]


def _prefix_tsquery(words: list[str]) -> str:
    # Each word becomes a prefix match so results follow typing; quoting keeps
    # tsquery syntax characters in a word from being read as operators.
    return " & ".join("'" + w.replace("'", "") + "':*" for w in words)


def apply(queryset: QuerySet, query: str) -> QuerySet:
    """Filter `queryset` to matches of `query`, annotated with `rank` (higher is better)."""
    words = terms(query)
    if not words:
        return queryset.annotate(rank=Value(0.0, output_field=FloatField()))
    if connection.vendor == "postgresql":
        return _postgres(queryset, words)
    return _portable(queryset, words)


def _postgres(queryset: QuerySet, words: list[str]) -> QuerySet:
    tsquery = _prefix_tsquery(words)
    phrase = " ".join(words)
    fulltext = RawSQL("search_vector @@ to_tsquery('simple', %s)", [tsquery], output_field=BooleanField())
    fuzzy_name = RawSQL("search_name %% %s", [phrase], output_field=BooleanField())
    rank = RawSQL(
        "ts_rank_cd(search_vector, to_tsquery('simple', %s)) + similarity(search_name, %s)",
        [tsquery, phrase],
        output_field=FloatField(),
    )
    return (
        queryset.alias(fulltext=fulltext, fuzzy_name=fuzzy_name)
        .filter(Q(fulltext=True) | Q(fuzzy_name=True))
        .annotate(rank=rank)
    )


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
    return (
        queryset.annotate(name_similarity=similar)
        .filter(Q(pk__in=every_word.values("pk")) | Q(name_similarity__gte=TRIGRAM_THRESHOLD))
        .annotate(rank=F("name_similarity") + Value(0.1))
    )
