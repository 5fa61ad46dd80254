"""Merging two records of the same person into one (the duplicates page's write path)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from candidates import search, services
from candidates.duplicates import services as duplicates
from candidates.models import Candidate, MergeRecord, Resume
from talentcircles import audit, events
from talentcircles.audit import maintenance as audit_maintenance
from talentcircles.models import Organization, User

# Profile fields whose value the recruiter picks from one side. The rest is combined:
# links, skills, tags and résumés are unioned; do-not-contact is kept if either side has it
# (a person who asked not to be contacted must not become contactable through a merge);
# e-mail-undeliverable follows the e-mail that is kept.
CHOOSABLE_FIELDS: tuple[str, ...] = tuple(
    name for name in services.PROFILE_FIELDS if name not in {"links", "do_not_contact", "email_undeliverable"}
)
KEEP, OTHER = "keep", "other"


def _value(candidate: Candidate, name: str):
    return candidate.owner_id if name == "owner" else getattr(candidate, name)


def differing_fields(keep: Candidate, other: Candidate) -> list[str]:
    """The choosable fields whose values differ between the two records, in profile order."""
    return [name for name in CHOOSABLE_FIELDS if _value(keep, name) != _value(other, name)]


def default_choices(keep: Candidate, other: Candidate) -> dict[str, str]:
    """For each differing field: keep's value when it has one, else the other's."""
    return {name: KEEP if _value(keep, name) not in ("", None) else OTHER for name in differing_fields(keep, other)}


def snapshot(candidate: Candidate) -> dict:
    """The candidate's profile as JSON-ready data, for the merge record."""
    data = {name: getattr(candidate, name) for name in services.PROFILE_FIELDS if name != "owner"}
    data.update(
        id=candidate.pk,
        owner_id=candidate.owner_id,
        user_id=candidate.user_id,
        skills=[skill.name for skill in candidate.skills.all()],
        tags=[tag.name for tag in candidate.tags.all()],
        resume_ids=list(candidate.resumes.values_list("pk", flat=True)),
        last_contacted_at=candidate.last_contacted_at.isoformat() if candidate.last_contacted_at else None,
        created_at=candidate.created_at.isoformat(),
        updated_at=candidate.updated_at.isoformat(),
    )
    return data


def _check_choices(choices: dict[str, str]) -> None:
    errors: dict[str, list[str]] = {}
    for name, side in choices.items():
        if name not in CHOOSABLE_FIELDS:
            errors.setdefault(NON_FIELD_ERRORS, []).append(f"“{name}” is not a field you can choose in a merge.")
        elif side not in (KEEP, OTHER):
            errors[name] = [f"Choose “{KEEP}” or “{OTHER}”, not “{side}”."]
    if errors:
        raise ValidationError(errors)


def _locked_pair(org: Organization, keep: Candidate, other: Candidate) -> tuple[Candidate, Candidate]:
    # Fresh rows, locked in id order so two merges of overlapping pairs cannot deadlock;
    # anything outside the organisation is simply not found.
    rows = Candidate.objects.for_org(org).select_for_update().filter(pk__in=[keep.pk, other.pk]).order_by("pk")
    found = {candidate.pk: candidate for candidate in rows}
    if len(found) != 2:
        raise Candidate.DoesNotExist("Both candidates must belong to the organisation.")
    return found[keep.pk], found[other.pk]


@transaction.atomic
def candidate_merge(
    *, org: Organization, keep: Candidate, other: Candidate, choices: dict[str, str], actor: User | None
) -> Candidate:
    """Merge `other` into `keep` in one transaction, record it, delete `other`; returns `keep`.

    `choices` maps a field of CHOOSABLE_FIELDS to "keep" or "other"; fields left out keep
    `keep`'s value. Chosen values go through `candidate_update`, so they are normalised and
    validated like any edit: a ValidationError there rolls the whole merge back.

    Skills, tags, links and résumés are unioned here. Circle memberships, messages and the
    timeline belong to apps this one cannot import: `engagement` and `messaging` re-point their
    rows when they receive the MERGED event, which is emitted while `other` still exists.

    Raises Candidate.DoesNotExist if either candidate is outside `org`, and ValidationError
    (field → messages) for a merge with itself, a bad choice or a value that does not validate.
    """
    if keep.pk == other.pk:
        raise ValidationError({NON_FIELD_ERRORS: ["A candidate cannot be merged with itself."]})
    _check_choices(choices)
    keep, other = _locked_pair(org, keep, other)
    merged_snapshot = snapshot(other)

    data = {
        name: (other.owner if name == "owner" else getattr(other, name))
        for name, side in choices.items()
        if side == OTHER
    }
    if choices.get("email") == OTHER:
        data["email_undeliverable"] = other.email_undeliverable
    data["do_not_contact"] = keep.do_not_contact or other.do_not_contact
    data["links"] = keep.links + [link for link in other.links if link not in keep.links]
    # Facts about the relationship rather than the profile: the earliest start, the latest contact.
    keep.created_at = min(keep.created_at, other.created_at)
    contacts = [at for at in (keep.last_contacted_at, other.last_contacted_at) if at]
    keep.last_contacted_at = max(contacts) if contacts else None
    keep.user_id = keep.user_id or other.user_id

    # `other` is deleted below; it gives up its unique values now so `keep` may take them.
    Candidate.objects.for_org(org).filter(pk=other.pk).update(email="", linkedin_url="")
    Resume.objects.for_org(org).filter(candidate=other).update(candidate=keep)
    MergeRecord.objects.for_org(org).filter(kept=other).update(kept=keep)  # earlier merges into `other`
    keep.skills.add(*other.skills.all())
    keep.tags.add(*other.tags.all())
    keep = services.candidate_update(candidate=keep, actor=actor, data=data)

    events.emit(
        events.CandidateEvent(
            organization_id=org.pk,
            candidate_id=keep.pk,
            kind=events.MERGED,
            actor_id=actor.pk if actor else None,
            related={"merged_candidate_id": other.pk},
            details={"chosen_fields": dict(choices)},
        )
    )
    MergeRecord.objects.create(
        organization=org,
        kept=keep,
        merged_candidate_id=other.pk,
        merged_snapshot=merged_snapshot,
        chosen_fields=dict(choices),
        merged_by=actor,
    )
    audit.record(
        actor, org, audit.Action.MERGED, target=keep,
        details={"merged_candidate_id": other.pk, "chosen_fields": dict(choices)},
    )  # fmt: skip
    # The merged record's own entries lose their values with it (what the kept one took is in its entries).
    audit_maintenance.redact_candidate(organization_id=org.pk, candidate_id=other.pk)
    other.delete()  # its pairs and dismissals go with it
    search.refresh([keep.pk])
    duplicates.queue_refresh(org.pk, [keep.pk])
    return keep
