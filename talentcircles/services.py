"""Writes to the tenancy core: organisations, memberships, invitations, API tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from talentcircles import audit
from talentcircles.models import ApiToken, Invitation, Membership, Organization, User

INVITATION_SALT = "talentcircles.invitation"


class ServiceError(Exception):
    """A rule was broken; the message is written for the person who can fix it."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "community"
    slug, n = base, 2
    while Organization.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organization_create(*, name: str, owner: User, slug: str = "", **fields) -> Organization:
    """Create an organisation and make `owner` its admin."""
    org = Organization(name=name, slug=slug or _unique_slug(name), **fields)
    org.sender_name = org.sender_name or name
    org.full_clean()
    org.save()
    membership = Membership.objects.create(user=owner, organization=org, role=Membership.Role.ADMIN)
    audit.record(owner, org, audit.Action.MEMBER_ADDED, target=membership, details={"role": membership.role})
    return org


# The slug is the organisation's address (every link and API client uses it): not a setting.
_EDITABLE_ORGANIZATION_FIELDS = {
    field.name for field in Organization._meta.concrete_fields if field.editable and not field.primary_key
} - {"slug", "created_at"}


@transaction.atomic
def organization_update(*, org: Organization, **fields: Any) -> Organization:
    """Change the organisation's settings (`fields`: its field names and new values) and save them.

    Validates the whole organisation first (`full_clean`: the send window's order, the brand
    colour, the limits); a refused change raises the ValidationError keyed by field, saves nothing
    and leaves `org` as it is stored.
    """
    unknown = set(fields) - _EDITABLE_ORGANIZATION_FIELDS
    if unknown:
        raise TypeError(f"Not an organisation setting: {', '.join(sorted(unknown))}")
    before = {name: getattr(org, name) for name in fields}
    for name, value in fields.items():
        setattr(org, name, value)
    try:
        org.full_clean()
    except ValidationError:
        org.refresh_from_db(fields=list(fields))
        raise
    changed = list(fields)
    if {"send_window_start", "send_window_end"} & set(fields) and org.send_window_set_at is None:
        org.send_window_set_at = timezone.now()  # the checklist's "Set your send window" is done
        changed.append("send_window_set_at")
    org.save(update_fields=changed)
    if changes := audit.diff(before, fields):
        audit.record(None, org, audit.Action.SETTING_CHANGED, target=org, changes=changes)
    return org


def organization_dismiss_checklist(*, org: Organization) -> None:
    """Hide the getting-started checklist on the organisation's home page (for every member)."""
    Organization.objects.filter(pk=org.pk, setup_checklist_dismissed_at=None).update(
        setup_checklist_dismissed_at=timezone.now()
    )


@transaction.atomic
def membership_set_role(*, org: Organization, membership_id: int, role: str) -> Membership:
    """Give a member another role; the organisation keeps at least one admin.

    The admins are locked while counted, so two admins demoting each other at once cannot both succeed.
    Their API tokens follow at once (a token acts with its member's current role).
    """
    if role not in Membership.Role.values:
        raise ServiceError(f"Not a role: {role}.", field="role")
    admins = list(Membership.objects.for_org(org).filter(role=Membership.Role.ADMIN).select_for_update())
    membership = Membership.objects.for_org(org).select_related("user").get(pk=membership_id)
    if membership.is_admin and role != Membership.Role.ADMIN and [m.pk for m in admins] == [membership.pk]:
        raise ServiceError(
            f"{membership.user.email} is the only admin: make someone else admin first, so the organisation keeps one."
        )
    if membership.role != role:
        changes = {"role": [membership.role, role]}
        membership.role = role
        membership.save(update_fields=["role"])
        audit.record(None, org, audit.Action.ROLE_CHANGED, target=membership, changes=changes)
    return membership


def membership_remove(*, org: Organization, membership_id: int, by: Membership) -> None:
    membership = Membership.objects.for_org(org).get(pk=membership_id)
    other_admins = Membership.objects.for_org(org).filter(role=Membership.Role.ADMIN).exclude(pk=membership.pk)
    if membership.is_admin and not other_admins.exists():
        raise ServiceError("An organisation needs at least one admin; make someone else admin first.")
    audit.record(by.user, org, audit.Action.MEMBER_REMOVED, target=membership, details={"role": membership.role})
    membership.delete()


# --- Invitations ----------------------------------------------------------------


def invitation_revoke(*, org: Organization, invitation_id: int) -> None:
    """Withdraw a pending invitation of `org`: its link stops working.

    Raises Invitation.DoesNotExist for an id `org` has no invitation under, and ServiceError
    when the invitee has accepted it meanwhile (they are a member now).
    """
    invitations = Invitation.objects.for_org(org).filter(pk=invitation_id)
    # One conditional DELETE: an acceptance racing with it either happens first or finds nothing.
    deleted, _ = invitations.filter(accepted_at__isnull=True).delete()
    if deleted:
        return
    invitation = invitations.get()
    raise ServiceError(
        f"{invitation.email} has already accepted this invitation; remove them under Members if they should go."
    )


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"id": invitation.pk, "email": invitation.email}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("invitation_accept", args=[invitation_token(invitation)])


@transaction.atomic
def invitation_create(*, org: Organization, email: str, role: str, invited_by: User) -> Invitation:
    email = email.strip().lower()
    if Membership.objects.for_org(org).filter(user__email__iexact=email).exists():
        raise ServiceError(f"{email} is already a member of {org.name}.", field="email")
    invitation = Invitation.objects.create(organization=org, email=email, role=role, invited_by=invited_by)
    transaction.on_commit(lambda: _send_invitation(invitation))
    return invitation


def _send_invitation(invitation: Invitation) -> None:
    context = {
        "invitation": invitation,
        "org": invitation.organization,
        "url": invitation_url(invitation),
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
    }
    send_mail(
        subject=render_to_string("emails/invitation_subject.txt", context).strip(),
        message=render_to_string("emails/invitation_body.txt", context),
        html_message=render_to_string("emails/invitation_body.html", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[invitation.email],
    )


def invitation_from_token(token: str) -> Invitation:
    """The still-open invitation behind a link, or a ServiceError saying what is wrong with it."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise ServiceError("This invitation link has expired. Ask the person who invited you for a new one.") from None
    except signing.BadSignature:
        raise ServiceError(
            "This invitation link is not valid: it may have been altered or copied incompletely."
        ) from None
    invitation = Invitation.objects.select_related("organization").filter(pk=data["id"], email=data["email"]).first()
    if invitation is None:
        raise ServiceError("This invitation was withdrawn. Ask the person who invited you for a new one.")
    if invitation.accepted_at:
        raise ServiceError("This invitation has already been used.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    invitation = invitation_from_token(token)
    if user.email.lower() != invitation.email.lower():
        raise ServiceError(
            f"This invitation was sent to {invitation.email}, but you are signed in as {user.email}. "
            "Sign out and sign in (or sign up) with the invited address."
        )
    updated = Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True).update(
        accepted_at=timezone.now(), accepted_by=user
    )
    if not updated:  # accepted in a parallel request
        raise ServiceError("This invitation has already been used.")
    membership, created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    if created:
        details = {"role": membership.role, "invited_by_id": invitation.invited_by_id}
        audit.record(user, membership.organization, audit.Action.MEMBER_ADDED, target=membership, details=details)
    return membership


# --- API tokens -----------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once; only its digest is stored


def api_token_create(*, membership: Membership, name: str, read_only: bool = False) -> IssuedToken:
    """A new key for `membership`: it acts with the member's role as it is at each request, and
    only reads if `read_only`."""
    name = name.strip()
    if not name:
        raise ServiceError("Give the token a name so you can recognise it later.", field="name")
    for _attempt in range(3):
        key = ApiToken.new_key()
        try:
            with transaction.atomic():
                token = ApiToken.objects.create(
                    membership=membership,
                    name=name[:80],
                    key_digest=ApiToken.digest(key),
                    key_hint=key[:8],
                    read_only=read_only,
                )
                audit.record(membership.user, membership.organization_id, audit.Action.TOKEN_CREATED, target=token)
            return IssuedToken(token=token, key=key)
        except IntegrityError:  # astronomically unlikely digest clash: draw again
            continue
    raise ServiceError("Could not create a token; please try again.")


@transaction.atomic
def api_token_revoke(*, membership: Membership, token_id: int) -> ApiToken:
    token = ApiToken.objects.filter(membership=membership).get(pk=token_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(membership.user, membership.organization_id, audit.Action.TOKEN_REVOKED, target=token)
    return token


# Writing on every request would serialise all of a token's API calls on one row.
TOKEN_TOUCH_EVERY = timedelta(seconds=60)


def api_token_touch(*, token: ApiToken, now: datetime | None = None) -> None:
    """Record that the token was used, at most once a minute."""
    now = now or timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


# --- The signed-in user's own profile -------------------------------------------------------


@transaction.atomic
def user_profile_update(*, user: User, **fields: object) -> User:
    """Update the user's name, title and time zone; a ValidationError names the field to fix."""
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=[f.name for f in User._meta.fields if f.name not in fields])
    user.save(update_fields=list(fields))
    return user
