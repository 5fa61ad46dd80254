"""The person's rights over their data: edit it, stop messages, download it, erase it.

Erasure is one service used by the portal, the recruiter UI (on request) and the admin.
It keeps the anonymous row (stage, source, dates, organisation) so counts stay correct,
and a hash of the e-mail on the suppression list so the person is never messaged again.
Other apps remove or anonymise their own rows when they receive the ERASED event, which
is emitted inside the same transaction before this app blanks the profile.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from candidates import search, services
from candidates.consent import consent_set, consent_state
from candidates.duplicates import matching as duplicate_matching
from candidates.duplicates import services as duplicates
from candidates.importing.report import erase_from_import_reports
from candidates.models import (
    Candidate,
    ConsentRecord,
    DigestFrequency,
    MergeRecord,
    Resume,
    Suppression,
)
from candidates.resumes import resume_attach
from talentcircles import audit, events
from talentcircles.audit import maintenance as audit_maintenance
from talentcircles.models import Membership, Organization, User

ERASED_NAME = "Erased"
MAX_LINKS = 10
ERASED_IMPORT_ROW = "Removed: personal data erased on request."

# What a candidate may change about themselves in the portal. The e-mail is their account's
# (changed through allauth, with verification); stage, owner and source are the recruiter's.
SELF_EDITABLE_FIELDS = (
    "first_name", "last_name", "headline", "current_title", "current_company", "industry",
    "city", "region", "country_code", "time_zone", "linkedin_url", "links",
)  # fmt: skip

# Blanked on erasure: everything that describes the person. Stage, source, dates, organisation
# and owner stay, so the organisation's counts and funnels remain correct.
_ERASED_VALUES: dict[str, Any] = {
    "first_name": ERASED_NAME,
    "last_name": "",
    "email": "",
    "phone": "",
    "headline": "",
    "current_title": "",
    "current_company": "",
    "industry": "",
    "city": "",
    "region": "",
    "country_code": "",
    "country_unmapped": "",
    "time_zone": "",
    "linkedin_url": "",
    "referrer": "",
    "do_not_contact": True,
    "digest_frequency": DigestFrequency.NEVER,
}

_SOURCES = frozenset(ConsentRecord.Source.values)


def _check_source(source: str) -> None:
    if source not in _SOURCES:
        raise ValueError(f"Unknown source {source!r}; use one of {sorted(_SOURCES)}.")


def _emit(
    candidate: Candidate, kind: str, actor: User | None, related: dict[str, int] | None = None, **details
) -> None:
    events.emit(
        events.CandidateEvent(
            organization_id=candidate.organization_id,
            candidate_id=candidate.pk,
            kind=kind,
            actor_id=actor.pk if actor else None,
            related=related or {},
            details=details,
        )
    )


# --- Suppression ----------------------------------------------------------------------------


def normalised_email(email: str) -> str:
    value = (email or "").strip().strip("<>").lower()
    return value.removeprefix("mailto:")


def suppression_hash(email: str) -> str:
    """SHA-256 (hex) of the normalised e-mail address: what the suppression list stores."""
    return hashlib.sha256(normalised_email(email).encode()).hexdigest()


def is_suppressed(org: Organization, email: str) -> bool:
    """True when this address must never be messaged by the organisation (unsubscribed, erased, bounced)."""
    if not normalised_email(email):
        return False
    return Suppression.objects.for_org(org).filter(email_hash=suppression_hash(email)).exists()


def _suppress(candidate: Candidate, reason: str) -> None:
    if not candidate.email:
        return
    key: dict[str, Any] = {
        "organization_id": candidate.organization_id,
        "email_hash": suppression_hash(candidate.email),
    }
    if reason == Suppression.Reason.ERASED:
        # Erasure is the strongest reason: it is never lifted by "receive messages again".
        Suppression.objects.update_or_create(**key, defaults={"reason": reason})
    else:
        Suppression.objects.get_or_create(**key, defaults={"reason": reason})


def candidate_mark_undeliverable(*, candidate: Candidate) -> bool:
    """The address bounced: flag it and suppress it. True when this changed the record (first bounce)."""
    _suppress(candidate, Suppression.Reason.BOUNCED)
    now = timezone.now()
    changed = Candidate.objects.filter(pk=candidate.pk, email_undeliverable=False).update(
        email_undeliverable=True, updated_at=now
    )
    candidate.email_undeliverable = True
    return bool(changed)


# --- The candidate's own changes ------------------------------------------------------------


def _clean_links(value: Any) -> list[str]:
    links = [str(link).strip() for link in (value or []) if str(link).strip()]
    if len(links) > MAX_LINKS:
        raise ValidationError({"links": [f"Add at most {MAX_LINKS} links."]})
    validate = URLValidator(schemes=["http", "https"])
    for link in links:
        try:
            validate(link)
        except ValidationError:
            # Only web addresses: a `javascript:` link would run on the recruiter's page.
            raise ValidationError({"links": [f"“{link}” is not a web address (https://…)."]}) from None
    return links


def _self_clean(candidate: Candidate, data: dict) -> dict:
    unknown = set(data) - set(SELF_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not fields a candidate may edit: {sorted(unknown)}")
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "links" in data:
        try:
            cleaned["links"] = _clean_links(data["links"])
        except ValidationError as exc:
            errors |= exc.message_dict
    try:
        profile = {name: value for name, value in data.items() if name != "links"}
        cleaned |= services.profile_clean(profile, country_code=candidate.country_code)
    except ValidationError as exc:
        errors |= exc.message_dict
    if errors:
        raise ValidationError(errors)
    return cleaned


def _self_validate(candidate: Candidate, changed: list[str]) -> None:
    services.guess_time_zone(candidate, changed)
    candidate.full_clean(exclude=["organization", "owner", "user", "skills", "tags"], validate_unique=False)
    # The recruiters' message names the other record; a candidate must not learn who else is held.
    if (
        candidate.linkedin_url
        and Candidate.objects.for_org(candidate.organization_id)
        .filter(linkedin_url=candidate.linkedin_url)
        .exclude(pk=candidate.pk)
        .exists()
    ):
        raise ValidationError({"linkedin_url": ["This LinkedIn profile belongs to another member of this community."]})


@transaction.atomic
def candidate_update_by_self(*, candidate: Candidate, data: dict) -> Candidate:
    """The candidate edits their own profile in the portal; the timeline says they did.

    Emits PROFILE_CHANGED (not UPDATED) with the changed field names, the actor being the
    candidate's portal user. A refused change leaves `candidate` as it is stored.
    """
    cleaned = _self_clean(candidate, data)
    changed = [name for name, value in cleaned.items() if getattr(candidate, name) != value]
    if not changed:
        return candidate
    changes = {name: [getattr(candidate, name), cleaned[name]] for name in changed}
    for name in changed:
        setattr(candidate, name, cleaned[name])
    try:
        _self_validate(candidate, changed)
    except ValidationError:
        candidate.refresh_from_db()
        raise
    candidate.updated_at = timezone.now()
    candidate.save(update_fields=sorted({*changed, "time_zone", "country_unmapped", "updated_at"}))
    search.refresh([candidate.pk])
    if duplicate_matching.MATCHING_FIELDS.intersection(changed):
        duplicates.queue_refresh(candidate.organization_id, [candidate.pk])
    events.emit(
        events.CandidateEvent(
            organization_id=candidate.organization_id,
            candidate_id=candidate.pk,
            kind=events.PROFILE_CHANGED,
            actor_id=candidate.user_id,
            details={"fields": changed},
        )
    )
    audit.record(candidate.user, candidate.organization_id, audit.Action.FIELD_CHANGED, target=candidate,
                 changes=changes, actor_kind=audit.ActorKind.CANDIDATE)  # fmt: skip
    return candidate


@transaction.atomic
def resume_upload_by_self(*, candidate: Candidate, upload: UploadedFile) -> Resume:
    """The candidate adds a résumé in the portal; announced as their profile change."""
    resume = resume_attach(candidate=candidate, upload=upload, actor=candidate.user)
    events.emit(
        events.CandidateEvent(
            organization_id=candidate.organization_id,
            candidate_id=candidate.pk,
            kind=events.PROFILE_CHANGED,
            actor_id=candidate.user_id,
            related={"resume_id": resume.pk},
            details={"fields": ["resume"]},
        )
    )
    return resume


# --- Messages: preferences, stop all, receive again --------------------------------------------


@transaction.atomic
def candidate_unsubscribe(
    *,
    candidate: Candidate,
    source: str,
    actor: User | None = None,
    ip_address: str | None = None,
    related: dict[str, int] | None = None,
    details: dict | None = None,
) -> Candidate:
    """“Stop all messages”: never messaged again until they ask to be; recorded and announced once.

    Withdraws the messages consent, puts the address on the suppression list and emits
    UNSUBSCRIBED (which stops running sequences). Unsubscribing twice changes nothing.
    `related` and `details` go with the event (a written opt-out names the reply that asked).
    """
    _check_source(source)
    consent_set(
        candidate=candidate,
        purpose=ConsentRecord.Purpose.MESSAGES,
        granted=False,
        source=source,
        ip_address=ip_address,
        actor=actor,
    )
    _suppress(candidate, Suppression.Reason.UNSUBSCRIBED)
    now = timezone.now()
    # A conditional update: of two simultaneous clicks only one announces the unsubscribe.
    if Candidate.objects.filter(pk=candidate.pk, unsubscribed_at=None).update(unsubscribed_at=now, updated_at=now):
        candidate.unsubscribed_at = candidate.updated_at = now
        _emit(candidate, events.UNSUBSCRIBED, actor, related, **{**(details or {}), "source": source})
    else:
        candidate.unsubscribed_at = Candidate.objects.values_list("unsubscribed_at", flat=True).get(pk=candidate.pk)
    return candidate


@transaction.atomic
def candidate_resubscribe(
    *, candidate: Candidate, source: str, actor: User | None = None, ip_address: str | None = None
) -> Candidate:
    """“Receive messages again”: consent given anew, the unsubscribe lifted. Never for an erased person."""
    _check_source(source)
    if candidate.erased_at:
        raise ValidationError("This person's data was erased; they can no longer be messaged.")
    consent_set(
        candidate=candidate,
        purpose=ConsentRecord.Purpose.MESSAGES,
        granted=True,
        source=source,
        ip_address=ip_address,
        actor=actor,
    )
    if candidate.email:
        Suppression.objects.for_org(candidate.organization_id).filter(
            email_hash=suppression_hash(candidate.email), reason=Suppression.Reason.UNSUBSCRIBED
        ).delete()
    if candidate.unsubscribed_at is not None:
        candidate.unsubscribed_at, candidate.updated_at = None, timezone.now()
        candidate.save(update_fields=["unsubscribed_at", "updated_at"])
    return candidate


@transaction.atomic
def candidate_set_preferences(
    *,
    candidate: Candidate,
    digest_frequency: str,
    messages_consent: bool,
    source: str,
    actor: User | None = None,
    ip_address: str | None = None,
) -> Candidate:
    """Digest frequency and the messages consent, as chosen in the preferences centre.

    A consent is recorded only when it changes. Giving consent while unsubscribed is
    “receive messages again”; withdrawing it is recorded as a withdrawal.
    """
    _check_source(source)
    services.candidate_set_digest_frequency(candidate=candidate, digest_frequency=digest_frequency)
    if messages_consent and (candidate.unsubscribed_at or consent_state(candidate, "messages") is not True):
        candidate_resubscribe(candidate=candidate, source=source, actor=actor, ip_address=ip_address)
    elif not messages_consent:
        consent_set(
            candidate=candidate,
            purpose=ConsentRecord.Purpose.MESSAGES,
            granted=False,
            source=source,
            ip_address=ip_address,
            actor=actor,
        )
    return candidate


# --- Erasure -----------------------------------------------------------------------------------


def _delete_files(storage: Storage, names: list[str]) -> None:
    for name in names:
        storage.delete(name)


def _release_portal_user(candidate: Candidate) -> None:
    """Delete the portal account when it exists only for this profile; otherwise just unlink it."""
    user = candidate.user
    if user is None:
        return
    candidate.user = None
    candidate.save(update_fields=["user"])
    other_profiles = Candidate.objects.filter(user=user).exists()
    if not (user.is_staff or other_profiles or Membership.objects.filter(user=user).exists()):
        user.delete()


@transaction.atomic
def candidate_erase(*, candidate: Candidate, source: str, actor: User | None = None) -> Candidate:
    """Remove the person's personal data, files and portal account; keep an anonymous row and a hash.

    One transaction: ERASED is emitted first so other apps delete or anonymise their rows
    (timeline, circles, messages) in it too; then the suppression hash is stored, résumés
    deleted (their files once the transaction commits), the profile blanked, skills and tags
    unlinked, consent IP addresses dropped (the records stay, to demonstrate consent) and the
    portal account deleted. Erasing an erased candidate does nothing.
    """
    _check_source(source)
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if locked.erased_at is not None:
        return locked
    email, full_name = locked.email, locked.full_name
    _emit(locked, events.ERASED, actor, source=source)
    _suppress(locked, Suppression.Reason.ERASED)

    resumes = Resume.objects.filter(candidate=locked)
    resume_ids, file_names = [], []
    for resume_id, name in resumes.values_list("pk", "file"):
        resume_ids.append(str(resume_id))
        if name:
            file_names.append(name)
    resumes.delete()
    storage = Resume._meta.get_field("file").storage
    # Files are outside the transaction: removed only once the erasure is committed.
    transaction.on_commit(lambda: _delete_files(storage, file_names))

    now = timezone.now()
    for name, value in _ERASED_VALUES.items():
        setattr(locked, name, value)
    locked.links = []
    locked.erased_at = now
    locked.unsubscribed_at = locked.unsubscribed_at or now
    locked.updated_at = now
    locked.save()
    locked.skills.clear()
    locked.tags.clear()
    search.refresh([locked.pk])
    duplicates.duplicates_forget(candidate=locked)

    ConsentRecord.objects.filter(candidate=locked).update(ip_address=None)
    MergeRecord.objects.filter(kept=locked).update(merged_snapshot={})
    erase_from_import_reports(locked, email, full_name, replacement=ERASED_IMPORT_ROW)
    # The admin's history names what it changed: the person, and their résumés' file names.
    content_types = ContentType.objects.get_for_models(Candidate, Resume)
    LogEntry.objects.filter(
        Q(content_type=content_types[Candidate], object_id=str(locked.pk))
        | Q(content_type=content_types[Resume], object_id__in=resume_ids)
    ).update(object_repr=ERASED_NAME)
    audit_maintenance.record_erasure(candidate=locked, actor=actor, source=source)  # values redacted, fact kept
    _release_portal_user(locked)

    if candidate is not locked:
        candidate.refresh_from_db()  # the caller's instance shows the erasure too
    return locked


# --- “My data” -----------------------------------------------------------------------------------

DataProvider = Callable[[Candidate], Any]
CORE_SECTIONS = frozenset({"format", "exported_at", "organization", "profile", "skills", "tags", "consents", "resumes"})
_sections: dict[str, DataProvider] = {}


def register_data_section(name: str, provider: DataProvider) -> None:
    """Let another app add a section to the “my data” export (from its AppConfig.ready).

    `provider(candidate)` returns JSON-serialisable data (datetimes are fine) about that
    candidate only. Registering a name again replaces its provider.
    """
    if name in CORE_SECTIONS:
        raise ValueError(f"“{name}” is a section of the candidates app.")
    _sections[name] = provider


def unregister_data_section(name: str) -> None:
    _sections.pop(name, None)


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_my_data(candidate: Candidate) -> dict:
    """Everything held about the person, as JSON-ready data (one file in the portal)."""
    profile_fields = [name for name in services.PROFILE_FIELDS if name not in {"owner", "email_undeliverable"}]
    profile = {name: getattr(candidate, name) for name in profile_fields}
    if candidate.country_unmapped:  # a country typed before the list, kept to be fixed
        profile["country_unmapped"] = candidate.country_unmapped
    profile.update(
        digest_frequency=candidate.digest_frequency,
        unsubscribed_at=_iso(candidate.unsubscribed_at),
        last_contacted_at=_iso(candidate.last_contacted_at),
        created_at=_iso(candidate.created_at),
        updated_at=_iso(candidate.updated_at),
    )
    data: dict[str, Any] = {
        "format": "talentcircles-my-data/1",
        "exported_at": timezone.now().isoformat(),
        "organization": {"name": candidate.organization.name, "slug": candidate.organization.slug},
        "profile": profile,
        "skills": [skill.name for skill in candidate.skills.all()],
        "tags": [tag.name for tag in candidate.tags.all()],
        "consents": [
            {
                "purpose": record.purpose,
                "granted": record.granted,
                "wording_version": record.wording_version,
                "recorded_at": _iso(record.recorded_at),
                "source": record.source,
                "ip_address": record.ip_address,
            }
            for record in candidate.consents.order_by("recorded_at", "id")
        ],
        "resumes": [
            {"file_name": r.original_name, "kind": r.kind, "size": r.size, "uploaded_at": _iso(r.created_at)}
            for r in candidate.resumes.order_by("created_at", "id")
        ],
    }
    for name, provider in sorted(_sections.items()):
        data[name] = provider(candidate)
    return data
