"""The fast path of an import: many records upserted with a constant number of queries.

`upsert_batch` gives each record the outcome `candidates.services.candidate_upsert`
would (same cleaning, with unreadable optional fields left out as `cleaning` says, same
validation messages, same de-duplication: normalised e-mail, then LinkedIn URL; a match
only fills empty fields and adds skills; no name and no match is a skip), but
looks existing candidates up in one query per batch and writes with bulk statements.
Records are validated before anything is written, so a bad row is reported and never
stored. Rows that race with another writer make the bulk insert fail with an
IntegrityError; the runner then replays that batch row by row.

`test_import_runner.py` runs the same files through both paths and expects the same
candidates and the same messages.
"""

from __future__ import annotations

import copy
import functools
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection
from django.db.models import BooleanField, Model, Q
from django.db.models.base import ModelState
from django.db.models.expressions import RawSQL
from django.utils import timezone

from candidates import normalise, search
from candidates.importing import staging
from candidates.importing.cleaning import NO_NAME, check_fields, readable
from candidates.importing.records import Record
from candidates.models import Candidate, Skill, Tag
from candidates.services import labels_for
from talentcircles import audit, events
from talentcircles.models import Organization, User

_UNIQUE_LABELS = {"email": "e-mail", "linkedin_url": "LinkedIn URL"}


@dataclass(frozen=True)
class RowOutcome:
    row: int
    outcome: str  # created | updated | skipped | failed
    reason: str = ""
    candidate_id: int | None = None
    warnings: tuple[str, ...] = ()  # the optional fields cleaning left out


def failure_reason(exc: ValidationError) -> str:
    """`email: “x” is not a valid e-mail address.`, one field after another."""
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    parts = []
    for name, messages in exc.message_dict.items():
        text = " ".join(messages)
        parts.append(text if name == NON_FIELD_ERRORS else f"{name}: {text}")
    return " ".join(parts)


def _current(candidate: Candidate, name: str):
    # The owner by id: reading `candidate.owner` would load the user, one query per row.
    return candidate.owner_id if name == "owner" else getattr(candidate, name)


@functools.lru_cache(maxsize=8192)
def _label_key(name: str) -> str:
    # A file repeats the same few hundred skills thousands of times.
    return normalise.label(name).casefold()


def _label_keys(names: list[str]) -> list[str]:
    return list(dict.fromkeys(key for key in map(_label_key, names) if key))


@dataclass
class _Labels:
    """A batch's skills (or tags): the organisation's objects by key, and who already has which."""

    model: type[Skill] | type[Tag]
    by_key: dict[str, Skill | Tag] = field(default_factory=dict)
    held: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))  # id(candidate) → label ids
    added: list[tuple[Candidate, int]] = field(default_factory=list)

    def load(self, org: Organization, names: list[str], matched: list[Candidate]) -> None:
        if not names:
            return
        self.by_key = {label.key: label for label in labels_for(self.model, org, names)}
        by_pk = {candidate.pk: candidate for candidate in matched}
        for candidate_id, label_id in self.through._default_manager.filter(candidate_id__in=by_pk).values_list(
            "candidate_id", self.column
        ):
            self.held[id(by_pk[candidate_id])].add(label_id)

    def new_for(self, candidate: Candidate, names: list[str]) -> list[int]:
        wanted = [self.by_key[key].pk for key in _label_keys(names) if key in self.by_key]
        return [pk for pk in wanted if pk not in self.held[id(candidate)]]

    def add(self, candidate: Candidate, label_ids: list[int]) -> None:
        self.held[id(candidate)].update(label_ids)
        self.added += [(candidate, pk) for pk in label_ids]

    @property
    def through(self) -> type[Model]:
        return Candidate.skills.through if self.model is Skill else Candidate.tags.through

    @property
    def column(self) -> str:
        return "skill_id" if self.model is Skill else "tag_id"

    def names_added(self) -> dict[int, list[str]]:
        """id(candidate) → names of the labels added to it, in the order they were added."""
        name_by_pk = {label.pk: label.name for label in self.by_key.values()}
        names: dict[int, list[str]] = defaultdict(list)
        for candidate, pk in self.added:
            names[id(candidate)].append(name_by_pk[pk])
        return names

    def links(self) -> tuple[str, str, list[tuple[Candidate, int]]]:
        """What `staging.write` copies: the through table, its label column and the links to add."""
        return self.through._meta.db_table, self.column, self.added

    def bulk_create(self) -> None:
        links = [self.through(candidate_id=candidate.pk, **{self.column: pk}) for candidate, pk in self.added]
        self.through._default_manager.bulk_create(links, ignore_conflicts=True, batch_size=2000)


def _write_portable(
    new: list[Candidate], updated: list[Candidate], updated_fields: set[str], labels: list[_Labels]
) -> None:
    """The batch's writes on SQLite: bulk statements, then the search columns refreshed."""
    Candidate.objects.bulk_create(new, batch_size=1000)
    if updated:
        Candidate.objects.bulk_update(updated, [*sorted(updated_fields), "updated_at"], batch_size=500)
    for label in labels:
        label.bulk_create()
    search.refresh(sorted({c.pk for c in new} | {c.pk for c in updated}))


def _existing(org: Organization, prepared: list[tuple[Record, dict]]) -> tuple[dict, dict]:
    emails = {cleaned["email"] for _record, cleaned in prepared if cleaned.get("email")}
    urls = {cleaned["linkedin_url"] for _record, cleaned in prepared if cleaned.get("linkedin_url")}
    by_email: dict[str, Candidate] = {}
    by_url: dict[str, Candidate] = {}
    if emails or urls:
        # The search columns are large and never read here.
        found = Candidate.objects.for_org(org).defer("search_vector", "search_name", "search_text")
        for candidate in found.filter(_identity_filter(emails, urls)):
            if candidate.email:
                by_email[candidate.email] = candidate
            if candidate.linkedin_url:
                by_url[candidate.linkedin_url] = candidate
    return by_email, by_url


def _identity_filter(emails: set[str], urls: set[str]) -> Q | RawSQL:
    """Candidates holding one of these e-mails or LinkedIn URLs.

    The explicit `<> ''` lets PostgreSQL use the partial unique indexes: it cannot infer it from
    a list of more than 100 values, and would scan the table. On PostgreSQL each list is one
    array parameter: a thousand-value IN list costs more to build and send than the lookup.
    """
    if connection.vendor != "postgresql":
        return (Q(email__in=emails) & ~Q(email="") if emails else Q()) | (
            Q(linkedin_url__in=urls) & ~Q(linkedin_url="") if urls else Q()
        )
    clauses, params = [], []
    for column, values in (("email", emails), ("linkedin_url", urls)):
        if values:
            clauses.append(f"({column} = ANY(%s) AND {column} <> '')")
            params.append(sorted(values))
    # Only our own column names are formatted in; the values are parameters.
    return RawSQL(" OR ".join(clauses), params, output_field=BooleanField())  # noqa: S611


# Defaults that are mutable objects (the links list): each new candidate gets its own.
_MUTABLE_DEFAULTS = tuple(
    f.attname for f in Candidate._meta.concrete_fields if f.has_default() and f.default in (list, dict)
)


def new_candidate(prototype: Candidate, values: dict) -> Candidate:
    """What `Candidate(organization=org, **values)` gives, from an unsaved `prototype` of the batch.

    `Model.__init__` works out every field's default for every row (a quarter of an import's
    Python time went there); the batch's rows share the prototype's defaults (the same creation
    time) instead. Candidate has no `post_init` receivers, the one other thing `__init__` does.
    """
    candidate = Candidate.__new__(Candidate)
    candidate.__dict__.update(prototype.__dict__)
    candidate._state = ModelState()
    candidate._state.fields_cache = dict(prototype._state.fields_cache)
    for name in _MUTABLE_DEFAULTS:
        candidate.__dict__[name] = copy.copy(prototype.__dict__[name])
    for name, value in values.items():
        setattr(candidate, name, value)
    return candidate


def _twin_message(name: str, twin: Candidate) -> str:
    who = f"{twin.full_name} (#{twin.pk})" if twin.pk else twin.full_name
    return f"{name}: {who} already has this {_UNIQUE_LABELS[name]}."


Outcome = tuple[str, str, Candidate | None, list[str]]  # (outcome, reason, candidate, fields filled)


def upsert_batch(*, org: Organization, actor: User | None, records: list[Record]) -> list[RowOutcome]:
    """Upsert `records` (call inside a transaction); one outcome per record, in order."""
    batch = _Upsert(org, records)
    for position, record, cleaned in batch.prepared:
        email, url = cleaned.get("email", ""), cleaned.get("linkedin_url", "")
        target = (batch.by_email.get(email) if email else None) or (batch.by_url.get(url) if url else None)
        if target is None:
            batch.outcomes[position] = batch.create(record, cleaned)
        else:
            batch.outcomes[position] = batch.fill(target, record, cleaned)
    batch.write()
    return batch.announce(actor)


class _Upsert:
    """One batch of an import: the people already known, the labels, and what each row came to."""

    def __init__(self, org: Organization, records: list[Record]) -> None:
        self.org, self.records = org, records
        self.outcomes: dict[int, Outcome] = {}
        self.prepared: list[tuple[int, Record, dict]] = []
        self.warnings: dict[int, list[str]] = {}
        for position, record in enumerate(records):
            if record.error:
                self.outcomes[position] = ("failed", record.error, None, [])
                continue
            cleaned, self.warnings[position] = readable(record.data)
            self.prepared.append((position, record, cleaned))
        self.by_email, self.by_url = _existing(org, [(record, cleaned) for _, record, cleaned in self.prepared])
        matched = list({c.pk: c for c in [*self.by_email.values(), *self.by_url.values()]}.values())
        self.skills, self.tags = _Labels(Skill), _Labels(Tag)
        self.skills.load(org, [name for _, record, _ in self.prepared for name in record.skills], matched)
        self.tags.load(org, [name for _, record, _ in self.prepared for name in record.tags], matched)
        self.now = timezone.now()
        self.prototype = Candidate(organization=org)
        self.new: list[Candidate] = []
        self.dirty: dict[int, Candidate] = {}
        self.dirty_fields: set[str] = set()
        self.changes: dict[int, dict[str, list]] = {}  # id(record) → {field: [old, new]} of a known candidate

    def create(self, record: Record, cleaned: dict) -> Outcome:
        if not cleaned.get("first_name"):
            return ("skipped", NO_NAME, None, [])
        candidate = new_candidate(self.prototype, cleaned)
        try:
            check_fields(candidate, set(cleaned))
        except ValidationError as exc:
            return ("failed", failure_reason(exc), None, [])
        self.new.append(candidate)
        if cleaned.get("email"):
            self.by_email[cleaned["email"]] = candidate
        if cleaned.get("linkedin_url"):
            self.by_url[cleaned["linkedin_url"]] = candidate
        self.skills.add(candidate, self.skills.new_for(candidate, record.skills))
        self.tags.add(candidate, self.tags.new_for(candidate, record.tags))
        return ("created", "", candidate, [])

    def fill(self, target: Candidate, record: Record, cleaned: dict) -> Outcome:
        """Someone already known: only empty fields are filled and new labels added."""
        filled = [
            name
            for name, value in cleaned.items()
            if value not in ("", None, [], False) and _current(target, name) in ("", None, [])
        ]
        new_skills, new_tags = self.skills.new_for(target, record.skills), self.tags.new_for(target, record.tags)
        if not filled and not new_skills and not new_tags:
            return ("skipped", "", target, [])
        index = {"email": self.by_email, "linkedin_url": self.by_url}
        twins = [
            _twin_message(name, index[name][cleaned[name]])
            for name in filled
            if name in index and index[name].get(cleaned[name]) not in (None, target)
        ]
        if twins:
            return ("failed", " ".join(twins), None, [])
        before = {name: _current(target, name) for name in [*filled, "time_zone"]}
        for name in filled:
            setattr(target, name, cleaned[name])
        try:
            check_fields(target, set(filled))
        except ValidationError as exc:
            for name, value in before.items():
                setattr(target, name, value)
            return ("failed", failure_reason(exc), None, [])
        for name in filled:
            if name in index:
                index[name][cleaned[name]] = target
        self.skills.add(target, new_skills)
        self.tags.add(target, new_tags)
        if target.pk:
            self.changes[id(record)] = {name: [before[name], cleaned[name]] for name in filled}
            target.updated_at = self.now
            self.dirty[target.pk] = target
            self.dirty_fields.update(filled)
            if target.time_zone != before["time_zone"]:
                self.dirty_fields.add("time_zone")
        return ("updated", "", target, filled)

    def write(self) -> None:
        if connection.vendor == "postgresql":
            # Only labels a candidate lacks are added, so a clashing link means a concurrent write:
            # the IntegrityError sends the batch to the row-by-row path.
            staging.write(
                new=self.new,
                skill_names=self.skills.names_added(),
                updated=list(self.dirty.values()),
                updated_fields=self.dirty_fields,
                links=[self.skills.links(), self.tags.links()],
            )
        else:
            _write_portable(self.new, list(self.dirty.values()), self.dirty_fields, [self.skills, self.tags])

    def announce(self, actor: User | None) -> list[RowOutcome]:
        """Each row's outcome, in order; one announcement for the batch (the timeline writes its rows at once)."""
        results, announced, audited = [], [], []
        for position, record in enumerate(self.records):
            outcome, reason, stored, filled = self.outcomes[position]
            if stored is not None and outcome in ("created", "updated"):  # both always carry the candidate
                details = {"outcome": outcome} | ({"fields": filled} if outcome == "updated" else {})
                announced.append(
                    events.CandidateEvent(
                        organization_id=self.org.pk,
                        candidate_id=stored.pk,
                        kind=events.IMPORTED,
                        actor_id=actor.pk if actor else None,
                        details=details,
                    )
                )
            if stored is not None and self.changes.get(id(record)):
                changes = self.changes[id(record)]
                target = (audit.TargetType.CANDIDATE, stored.pk)
                audited.append(audit.build(actor, self.org, audit.Action.FIELD_CHANGED, target=target, changes=changes))
            warnings = tuple(self.warnings.get(position, ()))
            results.append(RowOutcome(record.row, outcome, reason, stored.pk if stored else None, warnings))
        events.emit_many(announced)
        audit.record_many(audited)
        return results
