"""Joining the community and recruiters' personal invitations to it.

`community_join` turns a portal user into a member: it links the organisation's existing
candidate with that e-mail (sourced, imported or invited) instead of creating a duplicate,
records both consents with their wording version, source and IP, and joins the chosen
public circles, all in one transaction.

`community_invite` writes a `CommunityInvitation` row per person and queues their e-mails
(engagement/circles/invitations.py, which also reads the links back).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from candidates import normalise
from candidates.consent import consent_record
from candidates.models import Candidate, ConsentRecord
from candidates.privacy import candidate_resubscribe, candidate_update_by_self
from candidates.services import candidate_create, find_existing
from engagement.circles import tasks
from engagement.circles.models import Circle, CommunityInvitation
from engagement.circles.services import circle_join
from messaging.policy import community_recipients
from talentcircles.models import Organization, User

# A candidate invited this recently is not invited again by a bulk action: one e-mail, not three.
REINVITE_AFTER = timedelta(days=7)
# Profile fields the join form asks for; blanks never overwrite what the organisation holds.
JOIN_PROFILE_FIELDS = ("first_name", "last_name", "headline", "industry", "city", "country_code")


# --- Joining ------------------------------------------------------------------------------------


def own_candidate(org: Organization, user: User) -> Candidate | None:
    """The user's (not erased) candidate record in the organisation, if they joined."""
    return Candidate.objects.for_org(org).filter(user=user, erased_at=None).order_by("pk").first()


def _record_consents(candidate: Candidate, *, user: User, messages_consent: bool, ip_address: str | None) -> None:
    portal = ConsentRecord.Source.PORTAL
    consent_record(
        candidate=candidate,
        purpose=ConsentRecord.Purpose.COMMUNITY_TERMS,
        granted=True,
        source=portal,
        ip_address=ip_address,
        actor=user,
    )
    if messages_consent and candidate.unsubscribed_at:
        # Ticking "receive messages" after having stopped them is asking to receive them again.
        candidate_resubscribe(candidate=candidate, source=portal, actor=user, ip_address=ip_address)
    else:
        consent_record(
            candidate=candidate,
            purpose=ConsentRecord.Purpose.MESSAGES,
            granted=messages_consent,
            source=portal,
            ip_address=ip_address,
            actor=user,
        )


def _candidate_to_link(org: Organization, user: User, invitation: CommunityInvitation | None) -> Candidate | None:
    mine = own_candidate(org, user)
    if mine is not None:
        return mine
    candidate: Candidate | None
    if invitation is not None:
        candidate = Candidate.objects.select_for_update().get(pk=invitation.candidate_id)
    else:
        candidate = find_existing(org, email=normalise.email(user.email))
    if candidate is None or candidate.erased_at is not None:
        return None
    if candidate.user_id and candidate.user_id != user.pk:
        # Another account holds this record; never hand one person's data to a second account.
        raise ValidationError(
            {"email": ["This profile is already linked to another account. Sign in with that account instead."]}
        )
    return candidate


@transaction.atomic
def community_join(
    *,
    org: Organization,
    user: User,
    profile: dict,
    circles: Iterable[Circle] = (),
    messages_consent: bool,
    ip_address: str | None = None,
    invitation: CommunityInvitation | None = None,
) -> Candidate:
    """Make `user` a member of the organisation's community and return their candidate record.

    Links the candidate the invitation names, else the organisation's candidate with the
    user's e-mail, else creates one (source "portal"). The typed profile fills in or updates
    the record (blanks change nothing); the community terms consent and the messages
    consent (given or not) are recorded; the chosen public circles are joined.
    """
    unknown = set(profile) - set(JOIN_PROFILE_FIELDS)
    if unknown:
        raise ValueError(f"Not join form fields: {sorted(unknown)}")
    typed = {name: value for name, value in profile.items() if value not in ("", None)}
    candidate = _candidate_to_link(org, user, invitation)
    if candidate is None:
        candidate = candidate_create(
            org=org,
            actor=user,
            data={**typed, "email": user.email, "source": Candidate.Source.PORTAL},
        )
    if candidate.user_id != user.pk:
        candidate.user, candidate.updated_at = user, timezone.now()
        candidate.save(update_fields=["user", "updated_at"])
    if typed:
        candidate = candidate_update_by_self(candidate=candidate, data=typed)
    _record_consents(candidate, user=user, messages_consent=messages_consent, ip_address=ip_address)
    for circle in circles:
        circle_join(candidate=candidate, circle=circle)
    if invitation is not None:
        CommunityInvitation.objects.filter(pk=invitation.pk, accepted_at=None).update(accepted_at=timezone.now())
    return candidate


# --- Invitations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteResult:
    invited: int
    skipped: int


def _invitable(org: Organization, candidates: QuerySet[Candidate], now) -> list[Candidate]:
    """Those who may be messaged, on top of which: not in the portal yet, not invited in the last 7 days."""
    recent = CommunityInvitation.objects.for_org(org).filter(sent_at__gte=now - REINVITE_AFTER).values("candidate_id")
    # The contact policy for community mail: consent and unsubscribe rules only.
    eligible = community_recipients(
        Candidate.objects.filter(organization=org, pk__in=candidates.values("pk"), user=None)
    ).exclude(pk__in=recent)
    return list(eligible.only("pk", "email"))


@transaction.atomic
def community_invite(*, org: Organization, candidates: QuerySet[Candidate], invited_by: User | None) -> InviteResult:
    """Invite candidates to join the community by e-mail, each with a personal signed link.

    Skipped: no e-mail, already in the portal, erased, unsubscribed, do-not-contact,
    undeliverable, consent to messages withdrawn, suppressed, or invited in the last 7 days.
    The e-mails are sent by a task once the invitations are committed.
    """
    now = timezone.now()
    total = candidates.filter(organization=org).count()
    chosen = _invitable(org, candidates, now)
    invitations = CommunityInvitation.objects.bulk_create(
        [CommunityInvitation(organization=org, candidate=c, invited_by=invited_by, sent_at=now) for c in chosen],
        batch_size=1000,
    )
    ids = [invitation.pk for invitation in invitations]
    if ids:
        transaction.on_commit(lambda: tasks.community_invitations_send_task.delay(ids))
    return InviteResult(invited=len(ids), skipped=total - len(ids))
