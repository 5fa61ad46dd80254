from __future__ import annotations

from celery import shared_task

from talentcircles.figures import organization_figures
from talentcircles.models import Organization


@shared_task
def organization_figures_task(organization_id: int) -> dict[str, int]:
    """The home page's figures for one organisation (used by reports and the worker check)."""
    return organization_figures(Organization.objects.get(pk=organization_id))
