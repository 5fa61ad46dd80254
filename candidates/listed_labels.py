"""A list's skills and tags, read for a whole page in one query (`LabelledCandidates`).

A list shows each candidate's skills and tags by name. Two `Prefetch(..., to_attr=...)` read them
with two queries, each compiled by the ORM and turned into model instances, then sorted out per
candidate: some 4 ms of a search page's 40 at a million candidates, for 25 rows and 150 names.
Here one UNION of the two join tables returns (candidate, kind, name) rows in name order, and each
candidate gets `listed_skills` and `listed_tags` as plain lists of `ListedLabel`s, which answer
`.name` as a Skill or Tag does (the list rows and the API's label fields read nothing else).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import F, IntegerField, Value
from django.db.models.query import ModelIterable

from candidates.models import Candidate

# Rows read from the database at once while streaming (`.iterator()` over an export): one labels
# query per batch, however long the list.
BATCH = 500


@dataclass(frozen=True, slots=True)
class ListedLabel:
    name: str

    def __str__(self) -> str:
        return self.name


def attach_labels(candidates: list[Candidate]) -> None:
    """Set `listed_skills` and `listed_tags` on each of `candidates`, in name order (one query)."""
    if not candidates:
        return
    ids = [candidate.pk for candidate in candidates]
    found: dict[int, tuple[list[ListedLabel], list[ListedLabel]]] = {pk: ([], []) for pk in ids}
    for candidate_id, kind, name in _labels_of(ids):
        found[candidate_id][kind].append(ListedLabel(name))
    for candidate in candidates:
        skills, tags = found[candidate.pk]
        # Where the `listed_*` cached properties of Candidate look first.
        candidate.__dict__["listed_skills"], candidate.__dict__["listed_tags"] = skills, tags


def _labels_of(ids: list[int]):
    through_skills: Any = Candidate.skills.through  # auto-created join tables: the plugin cannot type them
    through_tags: Any = Candidate.tags.through
    skills = through_skills.objects.filter(candidate_id__in=ids).annotate(
        kind=Value(0, output_field=IntegerField()), label=F("skill__name")
    )
    tags = through_tags.objects.filter(candidate_id__in=ids).annotate(
        kind=Value(1, output_field=IntegerField()), label=F("tag__name")
    )
    columns = ("candidate_id", "kind", "label")
    return skills.values_list(*columns).union(tags.values_list(*columns), all=True).order_by("label")


class LabelledCandidates(ModelIterable):
    """A candidate queryset's rows with their labels attached, a batch of rows to one labels query."""

    def __iter__(self) -> Iterator[Candidate]:
        batch: list[Candidate] = []
        for candidate in super().__iter__():
            batch.append(candidate)
            if len(batch) == BATCH:
                attach_labels(batch)
                yield from batch
                batch = []
        attach_labels(batch)
        yield from batch
