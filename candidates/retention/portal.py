"""The renewal link's page, /c/<org_slug>/stay/<token>/: GET asks, POST renews (no sign-in needed).

A GET changes nothing, so a mail scanner that follows the link keeps nobody by accident; the page's
one button posts the form. Another organisation's or a tampered link is 404; an expired one, or one
for a person already anonymised, says so (410).
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from candidates.models import Candidate
from candidates.portal_access import portal_org
from candidates.retention.renewal import RenewalLinkError, renewal_candidate, retention_renew

TEMPLATE = "portal/retention_renewal.html"


@require_http_methods(["GET", "POST"])
def renewal(request, org_slug: str, token: str):
    org = portal_org(org_slug)
    try:
        candidate = renewal_candidate(org=org, token=token)
    except Candidate.DoesNotExist:
        raise Http404 from None
    except RenewalLinkError as exc:
        return render(request, TEMPLATE, {"org": org, "error": exc.message, "expired": exc.expired}, status=410)
    renewed = False
    if request.method == "POST":
        retention_renew(candidate=candidate, ip_address=request.META.get("REMOTE_ADDR"))
        renewed = True
    return render(request, TEMPLATE, {"org": org, "person": candidate, "renewed": renewed})
