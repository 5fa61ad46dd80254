from talentcircles.models import Membership
from talentcircles.permissions import Can, capabilities


def navigation(request) -> dict:
    """The organisation switcher, the current organisation, and `can.<capability>` for the member's
    role (talentcircles/permissions.py), for the base template and every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = Membership.objects.filter(user=user).select_related("organization")
    membership = getattr(request, "membership", None)
    return {
        "nav_memberships": memberships,
        "nav_org": getattr(request, "org", None),
        "nav_membership": membership,
        "can": Can(capabilities(membership) if membership is not None else ()),
    }
