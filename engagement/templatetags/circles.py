"""Template tags that let the candidate list offer circles without the candidates app importing engagement."""

from __future__ import annotations

from django import template

from engagement.circles.models import Circle

register = template.Library()


@register.simple_tag
def org_circles(org) -> list[Circle]:
    """The organisation's circles by name (for the candidate list's "Add to circle" control)."""
    return list(Circle.objects.for_org(org).only("pk", "name", "visibility").order_by("name", "pk"))


@register.simple_tag
def circle_name(org, circle_id) -> str:
    """The name of the organisation's circle with this id, or "" (for the list's active-filter chip)."""
    try:
        pk = int(circle_id)
    except (TypeError, ValueError):
        return ""
    return Circle.objects.for_org(org).filter(pk=pk).values_list("name", flat=True).first() or ""
