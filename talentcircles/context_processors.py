from talentcircles.models import Membership


def navigation(request) -> dict:
    """The organisation switcher and the current organisation, for the base template."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = Membership.objects.filter(user=user).select_related("organization")
    return {
        "nav_memberships": memberships,
        "nav_org": getattr(request, "org", None),
        "nav_membership": getattr(request, "membership", None),
    }
