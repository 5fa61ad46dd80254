"""Who may see a portal page under `/c/<org_slug>/…`: the signed-in person's own candidate record.

Portal URLs never carry a candidate id: the candidate is always the signed-in user's profile
in the organisation named by the URL, so another person's data cannot be reached by guessing.
Used by the candidate's own pages here and by engagement's circle, feed and event pages.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from candidates.models import Candidate
from candidates.retention.clock import portal_touch
from talentcircles.models import Organization


def portal_org(org_slug: str) -> Organization:
    """The organisation whose community the URL names, or 404."""
    return get_object_or_404(Organization, slug=org_slug)


def portal_candidate(request, org_slug: str) -> Candidate | None:
    """The signed-in user's (not erased) candidate record in that organisation, or None.

    404 for an unknown organisation; None for an anonymous visitor, an account whose e-mail
    is not verified, or a user who has not joined this community.
    """
    org = portal_org(org_slug)
    user = request.user
    if not user.is_authenticated or not _verified(user):
        return None
    return _own_candidate(org, user)


def _verified(user) -> bool:
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def _own_candidate(org: Organization, user) -> Candidate | None:
    candidate = (
        Candidate.objects.for_org(org)
        .select_related("organization")
        .filter(user=user, erased_at=None)
        .order_by("pk")
        .first()
    )
    if candidate is not None:
        portal_touch(candidate)  # a signed-in visit is two-way contact: the retention clock restarts (daily)
    return candidate


class PortalCandidateMixin(LoginRequiredMixin):
    """Sets `self.org` and `self.candidate` (also `request.portal_candidate`) for `/c/<org_slug>/…` pages.

    Anonymous visitors go to the sign-in page and come back; a signed-in user who has not
    joined this organisation's community (or whose record was erased) is sent to its join page.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        org_slug = kwargs["org_slug"]
        self.org = portal_org(org_slug)
        if not _verified(request.user):
            # allauth's page explains that the address must be confirmed and can resend the link.
            return redirect("account_email_verification_sent")
        candidate = _own_candidate(self.org, request.user)
        if candidate is None:
            return redirect(reverse("community_join", args=[org_slug]))
        self.candidate = candidate
        request.portal_candidate = candidate
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(org=self.org, candidate=self.candidate)
        return context
