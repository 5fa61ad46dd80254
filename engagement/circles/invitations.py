"""Invitations to the community: the signed link each carries, reading it back, and their e-mails.

A link (`django.core.signing`, its own salt, valid 14 days) names the invitation row, the candidate
and the organisation. `community_invitations_send` is what the task runs once invitations are committed.

An invitation is a recruiter's first contact with someone who is not (yet) in the community, so it
carries the recruiting unsubscribe (messaging's `/u/<token>` link and mailto, RFC 8058 one-click),
not the community's: "stop community e-mails" would mean nothing to a non-member and would not stop
the next invitation, while the recruiting unsubscribe stops every e-mail, invitations included.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from candidates.models import Candidate
from engagement.circles.models import CommunityInvitation
from messaging import links
from messaging.policy import community_recipients
from talentcircles.models import Organization

INVITATION_SALT = "engagement.community-invitation"
INVITATION_MAX_AGE = timedelta(days=14)


def invitation_token(invitation: CommunityInvitation) -> str:
    return signing.dumps(
        {"i": invitation.pk, "c": invitation.candidate_id, "o": invitation.organization_id}, salt=INVITATION_SALT
    )


def invitation_url(invitation: CommunityInvitation) -> str:
    path = reverse("community_invitation", args=[invitation.organization.slug, invitation_token(invitation)])
    return settings.SITE_URL + path


def invitation_from_token(org: Organization, token: str) -> CommunityInvitation:
    """The open invitation behind a link for this organisation, or a ValidationError saying what is wrong."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise ValidationError(
            "This invitation link has expired (links are valid for 14 days). "
            "You can still join the community below, or ask the recruiter for a new link."
        ) from None
    except signing.BadSignature:
        raise ValidationError(
            "This invitation link is not valid: it may have been altered or copied incompletely. "
            "Open it again from the e-mail, or join the community below."
        ) from None
    invitation = (
        CommunityInvitation.objects.for_org(org)
        .select_related("candidate", "organization")
        .filter(pk=data.get("i"), candidate_id=data.get("c"), organization_id=data.get("o"))
        .first()
    )
    if invitation is None or invitation.candidate.erased_at is not None:
        raise ValidationError("This invitation is no longer valid. You can still join the community below.")
    if invitation.accepted_at is not None:
        raise ValidationError("This invitation has already been used: sign in to the community instead.")
    return invitation


def community_invitations_send(invitation_ids: list[int]) -> int:
    """E-mail these invitations (still open, candidate still invitable); returns how many were sent."""
    sent = 0
    invitations = CommunityInvitation.objects.filter(
        pk__in=invitation_ids, accepted_at=None, candidate__in=community_recipients(Candidate.objects.all())
    ).select_related("candidate", "organization", "invited_by")
    for invitation in invitations:
        _message(invitation).send()
        sent += 1
    return sent


def _message(invitation: CommunityInvitation) -> EmailMultiAlternatives:
    candidate, org = invitation.candidate, invitation.organization
    context = {
        "org": org,
        "candidate": candidate,
        "inviter": invitation.invited_by,
        "url": invitation_url(invitation),
        "max_age_days": INVITATION_MAX_AGE.days,
        "unsubscribe_url": links.unsubscribe_url(candidate),
    }
    message = EmailMultiAlternatives(
        subject=render_to_string("emails/community_invitation_subject.txt", context).strip(),
        body=render_to_string("emails/community_invitation_body.txt", context),
        from_email=org.from_address(),
        to=[candidate.email],
        reply_to=org.reply_to_addresses(),
        headers={
            # As a recruiting message's (messaging/envelope.py): the https link takes the one-click POST.
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>, <{links.unsubscribe_mailto(candidate)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    message.attach_alternative(render_to_string("emails/community_invitation_body.html", context), "text/html")
    return message
