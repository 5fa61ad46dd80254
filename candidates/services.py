"""Every write to candidates: create, update, upsert (imports), bulk actions, résumés, delete.

Services normalise and validate, raise `ValidationError` with field messages a recruiter
can act on, keep the search fields current and emit a `CandidateEvent`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, overload

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from candidates import normalise, search
from candidates.duplicates import matching as duplicate_matching
from candidates.duplicates.services import queue_refresh as queue_duplicates_refresh
from candidates.models import Candidate, DigestFrequency, Label, Skill, Tag
from talentcircles import audit, events
from talentcircles.audit import maintenance as audit_maintenance
from talentcircles.models import Membership, Organization, User

# Fields a recruiter, an import or the API may write directly.
PROFILE_FIELDS = (
    "first_name", "last_name", "email", "phone", "headline", "current_title", "current_company",
    "industry", "city", "region", "country_code", "time_zone", "linkedin_url", "links", "source",
    "referrer", "owner", "stage", "do_not_contact", "email_undeliverable",
)  # fmt: skip
_NORMALISERS = {
    "email": normalise.email,
    "linkedin_url": normalise.linkedin_url,
    "industry": normalise.industry,
    "country_code": normalise.country_code,
}
_TEXT_FIELDS = {f for f in PROFILE_FIELDS if f not in {"links", "owner", "do_not_contact", "email_undeliverable"}}


def profile_clean(data: dict, *, country_code: str = "") -> dict:
    """Normalised profile values, or a ValidationError mapping each bad field to its message.

    Pure: no database access, so imports can clean thousands of rows cheaply. A phone
    without a country code is read in `data["country_code"]`, else `country_code`.
    """
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not candidate profile fields: {sorted(unknown)}")
    cleaned, errors = {}, {}
    for name, value in data.items():
        if name in _TEXT_FIELDS:
            value = "" if value is None else str(value).strip()
        try:
            cleaned[name] = _NORMALISERS[name](value) if name in _NORMALISERS else value
        except ValidationError as exc:
            errors[name] = exc.messages
    if "phone" in cleaned and "phone" not in errors:
        try:
            cleaned["phone"] = normalise.phone(cleaned["phone"], cleaned.get("country_code", country_code))
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean(org: Organization, data: dict, *, instance: Candidate | None = None) -> dict:
    """`profile_clean`, plus the rules that need the database (the owner's membership)."""
    owner = data.get("owner")
    errors = {}
    if owner is not None and not Membership.objects.for_org(org).filter(user=owner).exists():
        errors["owner"] = ["The owner must be a member of this organisation."]
    try:
        cleaned = profile_clean(data, country_code=instance.country_code if instance else "")
    except ValidationError as exc:
        errors |= exc.message_dict
    if errors:
        raise ValidationError(errors)
    return cleaned


def _check_unique(org: Organization, candidate: Candidate) -> None:
    others = Candidate.objects.for_org(org).exclude(pk=candidate.pk)
    errors = {}
    for field, label in (("email", "e-mail"), ("linkedin_url", "LinkedIn URL")):
        value = getattr(candidate, field)
        twin = value and others.filter(**{field: value}).only("first_name", "last_name").first()
        if twin:
            errors[field] = [f"{twin.full_name} (#{twin.pk}) already has this {label}."]
    if errors:
        raise ValidationError(errors)


def guess_time_zone(candidate: Candidate, changed: Iterable[str] = ()) -> None:
    """Fill the time zone from the country (or the city, in a country of several zones).

    No zone yet: the guess. The country changed and no zone was chosen with it: the guess, even
    none, since the old zone was another country's. Only the city changed: the guess when it finds
    one. A country chosen from the list also clears `country_unmapped`, the old value to fix.
    """
    changed = set(changed)
    if candidate.country_code:
        candidate.country_unmapped = ""
    if "time_zone" in changed:
        return
    guess = normalise.time_zone_for(country=candidate.country_code, city=candidate.city)
    if not candidate.time_zone or "country_code" in changed or ("city" in changed and guess):
        candidate.time_zone = guess or ("" if "country_code" in changed else candidate.time_zone)


def _validate(candidate: Candidate, changed: Iterable[str] = ()) -> None:
    guess_time_zone(candidate, changed)
    candidate.full_clean(exclude=["organization", "owner", "user", "skills", "tags"], validate_unique=False)
    _check_unique(candidate.organization, candidate)


# The overloads tell callers which kind of label comes back; the body works on the abstract Label
# (a type variable would not do: mypy types `model.objects` on it as Label's manager all the same).
@overload
def labels_for(model: type[Skill], org: Organization, names: Iterable[str]) -> list[Skill]: ...
@overload
def labels_for(model: type[Tag], org: Organization, names: Iterable[str]) -> list[Tag]: ...
def labels_for(model: type[Label], org: Organization, names: Iterable[str]) -> list[Any]:
    """The organisation's skills (or tags) with these names, created as needed, in the given order."""
    wanted: dict[str, str] = {}
    for name in names:
        label = normalise.label(name)
        if label:
            wanted.setdefault(label.casefold(), label)
    if not wanted:
        return []
    existing = {obj.key: obj for obj in model.objects.for_org(org).filter(key__in=wanted)}
    missing = [model(organization=org, name=name, key=key) for key, name in wanted.items() if key not in existing]
    model.objects.bulk_create(missing, ignore_conflicts=True)
    if missing:
        existing = {obj.key: obj for obj in model.objects.for_org(org).filter(key__in=wanted)}
    return [existing[key] for key in wanted]


def _set_labels(
    candidate: Candidate, skills: Iterable[str] | None, tags: Iterable[str] | None, *, audited: bool = False
) -> dict[str, list]:
    """Set the skills and tags given (None: leave them); `audited`: {"skills": [old names, new names], …}."""
    changes: dict[str, list] = {}
    for relation, model, names in (("skills", Skill, skills), ("tags", Tag, tags)):
        if names is None:
            continue
        labels = labels_for(model, candidate.organization, names)
        manager = getattr(candidate, relation)
        before = sorted(manager.values_list("name", flat=True)) if audited else []
        manager.set(labels)
        after = sorted(label.name for label in labels)
        if audited and before != after:
            changes[relation] = [before, after]
    return changes


def _emit(candidate: Candidate, kind: str, actor: User | None, **details) -> None:
    events.emit(
        events.CandidateEvent(
            organization_id=candidate.organization_id,
            candidate_id=candidate.pk,
            kind=kind,
            actor_id=actor.pk if actor else None,
            details=details,
        )
    )


@transaction.atomic
def candidate_create(
    *,
    org: Organization,
    actor: User | None,
    data: dict,
    skills: Iterable[str] = (),
    tags: Iterable[str] = (),
) -> Candidate:
    candidate = Candidate(organization=org, **_clean(org, data))
    _validate(candidate)
    candidate.save()
    _set_labels(candidate, skills, tags)
    search.refresh([candidate.pk])
    queue_duplicates_refresh(org.pk, [candidate.pk])
    _emit(candidate, events.CREATED, actor, source=candidate.source)
    return candidate


@transaction.atomic
def candidate_update(
    *,
    candidate: Candidate,
    actor: User | None,
    data: dict,
    skills: Iterable[str] | None = None,
    tags: Iterable[str] | None = None,
) -> Candidate:
    cleaned = _clean(candidate.organization, data, instance=candidate)
    # A stage change from an edit form or PATCH still goes through the one stage path,
    # so it is recorded with the time spent in the previous stage.
    stage = cleaned.pop("stage", candidate.stage)
    _check_stage(stage)
    changed = [name for name, value in cleaned.items() if getattr(candidate, name) != value]
    changes = {name: [getattr(candidate, name), cleaned[name]] for name in changed}
    for name in changed:
        setattr(candidate, name, cleaned[name])
    _validate(candidate, changed)
    candidate.updated_at = timezone.now()
    candidate.save()
    changes |= _set_labels(candidate, skills, tags, audited=True)
    if changes:
        audit.record(actor, candidate.organization, audit.Action.FIELD_CHANGED, target=candidate, changes=changes)
    search.refresh([candidate.pk])
    if duplicate_matching.MATCHING_FIELDS.intersection(changed):
        queue_duplicates_refresh(candidate.organization_id, [candidate.pk])
    if changed or skills is not None or tags is not None:
        _emit(candidate, events.UPDATED, actor, fields=changed)
    if stage != candidate.stage:
        _move_stage(candidate.organization, [candidate], stage, actor, "")
    return candidate


@dataclass(frozen=True)
class UpsertResult:
    candidate: Candidate
    outcome: Literal["created", "updated", "skipped"]


def find_existing(org: Organization, *, email: str = "", linkedin_url: str = "") -> Candidate | None:
    """The candidate an incoming record refers to: by normalised e-mail, then LinkedIn URL."""
    candidates = Candidate.objects.for_org(org)
    if email:
        match = candidates.filter(email=email).first()
        if match:
            return match
    if linkedin_url:
        return candidates.filter(linkedin_url=linkedin_url).first()
    return None


@transaction.atomic
def candidate_upsert(
    *,
    org: Organization,
    actor: User | None,
    data: dict,
    skills: Iterable[str] = (),
    refresh_search: bool = True,
) -> UpsertResult:
    """Create a candidate, or fill the empty fields of the one it duplicates.

    A match never overwrites what is already there (a recruiter may have typed it);
    skills are added, not replaced. Importing the same record twice changes nothing.
    """
    cleaned = _clean(org, data)
    existing = find_existing(org, email=cleaned.get("email", ""), linkedin_url=cleaned.get("linkedin_url", ""))
    if existing is None:
        candidate = Candidate(organization=org, **cleaned)
        _validate(candidate)
        candidate.save()
        _set_labels(candidate, skills, None)
        if refresh_search:  # else the caller refreshes search and duplicates for its batch
            search.refresh([candidate.pk])
            queue_duplicates_refresh(org.pk, [candidate.pk])
        _emit(candidate, events.IMPORTED, actor, outcome="created")
        return UpsertResult(candidate, "created")

    filled = [
        name
        for name, value in cleaned.items()
        if value not in ("", None, [], False) and getattr(existing, name) in ("", None, [])
    ]
    changes = {name: [getattr(existing, name), cleaned[name]] for name in filled}
    for name in filled:
        setattr(existing, name, cleaned[name])
    new_skills = labels_for(Skill, org, skills)
    known = set(existing.skills.values_list("pk", flat=True)) if new_skills else set()
    added = [s for s in new_skills if s.pk not in known]
    if not filled and not added:
        return UpsertResult(existing, "skipped")
    _validate(existing)
    existing.updated_at = timezone.now()
    existing.save()
    existing.skills.add(*added)
    if added:
        changes["skills"] = [[], sorted(skill.name for skill in added)]  # added to the ones it had
    audit.record(actor, org, audit.Action.FIELD_CHANGED, target=existing, changes=changes, details={"import": True})
    if refresh_search:
        search.refresh([existing.pk])
        if duplicate_matching.MATCHING_FIELDS.intersection(filled):
            queue_duplicates_refresh(org.pk, [existing.pk])
    _emit(existing, events.IMPORTED, actor, outcome="updated", fields=filled)
    return UpsertResult(existing, "updated")


@transaction.atomic
def candidate_archive(*, candidate: Candidate, actor: User | None) -> Candidate:
    return candidate_set_stage(candidate=candidate, actor=actor, stage=Candidate.Stage.ARCHIVED)


def _check_stage(stage: str) -> None:
    if stage not in Candidate.Stage.values:
        raise ValidationError(
            {"stage": [f"“{stage}” is not a stage. Choose one of: {', '.join(Candidate.Stage.values)}."]}
        )


@transaction.atomic
def candidate_set_stage(*, candidate: Candidate, actor: User | None, stage: str, reason: str = "") -> Candidate:
    """The one way a stage changes: records who, from, to, why and how long the old stage lasted."""
    _check_stage(stage)
    return (
        _move_stage(candidate.organization, [candidate], stage, actor, reason)[0]
        if candidate.stage != stage
        else candidate
    )


def _move_stage(
    org: Organization,
    candidates: list[Candidate],
    stage: str,
    actor: User | None,
    reason: str,
    also: dict | None = None,
) -> list:
    now = timezone.now()
    moved = []
    for candidate in candidates:
        previous, began = candidate.stage, candidate.stage_changed_at
        candidate.stage, candidate.stage_changed_at, candidate.updated_at = stage, now, now
        moved.append(
            events.CandidateEvent(
                organization_id=org.pk, candidate_id=candidate.pk, kind=events.STAGE_CHANGED, occurred_at=now,
                actor_id=actor.pk if actor else None,
                details={"previous": previous, "stage": stage, "reason": reason,
                         "time_in_previous_seconds": int((now - began).total_seconds())},
            )
        )  # fmt: skip
    # One announcement for the batch: subscribers handle it with a few statements, not a few per candidate.
    events.emit_many(moved)
    audit.record_many(
        audit.build(
            actor, org, audit.Action.FIELD_CHANGED, target=(audit.TargetType.CANDIDATE, event.candidate_id),
            changes={"stage": [event.details["previous"], stage]}, details={"reason": reason} if reason else None,
        )
        for event in moved
    )  # fmt: skip
    # Every row gets the same values: one UPDATE, not bulk_update's CASE per row.
    ids = [candidate.pk for candidate in candidates]
    for start in range(0, len(ids), 5000):  # SQLite caps the number of query parameters
        Candidate.objects.filter(pk__in=ids[start : start + 5000]).update(
            stage=stage, stage_changed_at=now, updated_at=now, **(also or {})
        )
    return candidates


@transaction.atomic
def candidate_set_digest_frequency(*, candidate: Candidate, digest_frequency: str) -> bool:
    """How often community e-mails come ("never": none); True when this changed it.

    A conditional update: of two simultaneous one-click unsubscribes only one reports the change.
    """
    if digest_frequency not in DigestFrequency.values:
        raise ValidationError(
            {"digest_frequency": [f"Choose one of: {', '.join(label for _, label in DigestFrequency.choices)}."]}
        )
    now = timezone.now()
    changed = (
        Candidate.objects.filter(pk=candidate.pk)
        .exclude(digest_frequency=digest_frequency)
        .update(digest_frequency=digest_frequency, updated_at=now)
    )
    candidate.digest_frequency = digest_frequency
    if changed:
        candidate.updated_at = now
    return bool(changed)


@transaction.atomic
def candidate_delete(*, candidate: Candidate, actor: User | None) -> None:
    for resume in candidate.resumes.all():
        resume.file.delete(save=False)
    _emit(candidate, events.DELETED, actor)
    audit.record(actor, candidate.organization, audit.Action.DELETED, target=candidate)
    audit_maintenance.redact_candidate(organization_id=candidate.organization_id, candidate_id=candidate.pk)
    candidate.delete()


# --- Bulk actions: on a selection or on "all N matching" (any queryset of the organisation) ---


@dataclass(frozen=True)
class BulkResult:
    affected: int
    ids: tuple[int, ...] = ()  # the candidates changed, where the action says which (a stage move)


def _ids(org: Organization, candidates: QuerySet) -> list[int]:
    return list(candidates.filter(organization=org).values_list("pk", flat=True))


@transaction.atomic
def candidates_tag(*, org: Organization, candidates: QuerySet, names: Iterable[str]) -> BulkResult:
    tags = labels_for(Tag, org, names)
    if not tags:
        raise ValidationError({"tags": ["Name at least one tag."]})
    ids = _ids(org, candidates)
    through = Candidate.tags.through
    links = [through(candidate_id=cid, tag_id=tag.pk) for cid in ids for tag in tags]
    through.objects.bulk_create(links, ignore_conflicts=True, batch_size=5000)
    return BulkResult(len(ids))


@transaction.atomic
def candidates_untag(*, org: Organization, candidates: QuerySet, names: Iterable[str]) -> BulkResult:
    keys = [normalise.label(n).casefold() for n in names if normalise.label(n)]
    if not keys:
        raise ValidationError({"tags": ["Name at least one tag."]})
    ids = _ids(org, candidates)
    Candidate.tags.through.objects.filter(candidate_id__in=ids, tag__organization=org, tag__key__in=keys).delete()
    return BulkResult(len(ids))


@transaction.atomic
def candidates_assign_owner(*, org: Organization, candidates: QuerySet, owner: User | None) -> BulkResult:
    if owner is not None and not Membership.objects.for_org(org).filter(user=owner).exists():
        raise ValidationError({"owner": ["The owner must be a member of this organisation."]})
    targets = candidates.filter(organization=org)
    owner_id = owner.pk if owner else None
    previous = list(targets.exclude(owner_id=owner_id).values_list("pk", "owner_id"))
    affected = targets.update(owner=owner, updated_at=timezone.now())
    audit.record_many(
        audit.build(None, org, audit.Action.FIELD_CHANGED, target=(audit.TargetType.CANDIDATE, pk),
                    changes={"owner": [old, owner_id]})
        for pk, old in previous
    )  # fmt: skip
    return BulkResult(affected)


@transaction.atomic
def candidates_set_stage(
    *,
    org: Organization,
    candidates: QuerySet,
    stage: str,
    actor: User | None,
    reason: str = "",
    also: dict | None = None,
) -> BulkResult:
    """Move many candidates to `stage`. `also`: more columns (values or expressions) to set on the moved
    rows in the same UPDATE, so a caller that changes them anyway writes each row once."""
    _check_stage(stage)
    changing = list(candidates.filter(organization=org).exclude(stage=stage).only("stage", "stage_changed_at"))
    _move_stage(org, changing, stage, actor, reason, also)
    return BulkResult(len(changing), tuple(c.pk for c in changing))
