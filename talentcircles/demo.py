"""The demo community: two organisations, an admin and a recruiter, and each app's own demo data.

`demo_seed` is safe to run again: it refreshes the logins and issues a new API token each time.
Each app adds its demo data from an `AppConfig.seed_demo(org=, recruiter=, small=)` method; `small` leaves out
what takes long to write (engagement's generated community) and is what the browser tests seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from allauth.account.models import EmailAddress
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction

from talentcircles import services
from talentcircles.models import ApiToken, Membership, Organization, User

DEMO_PASSWORD = "talentcircles-demo"  # noqa: S105 (printed on purpose: demo only)
ADMIN_EMAIL = "admin@demo.talentcircles.test"
RECRUITER_EMAIL = "recruiter@demo.talentcircles.test"
DEMO_TOKEN_NAME = "demo"  # noqa: S105 (a label, not a secret)
# Colleagues in the demo organisation (same password), so outreach, owners and analytics have a team.
TEAM = [
    ("sam.sourcer@demo.talentcircles.test", "Sam", "Sourcer", "Sourcer"),
    ("priya.partner@demo.talentcircles.test", "Priya", "Partner", "Talent Partner"),
    ("jonas.lead@demo.talentcircles.test", "Jonas", "Lead", "Lead Recruiter"),
]

ORGANIZATIONS = [
    {
        "slug": "demo",
        "name": "Acme Talent Community",
        "tagline": "Engineers and designers who build Acme's products",
        "time_zone": "Europe/London",
    },
    {
        "slug": "northwind",
        "name": "Northwind Recruiting",
        "tagline": "A second community, to try the organisation switcher",
        "time_zone": "America/New_York",
    },
]


@dataclass(frozen=True)
class Demo:
    org: Organization
    api_key: str


@transaction.atomic
def demo_seed(*, small: bool = False) -> Demo:
    admin = _user(ADMIN_EMAIL, "Ada", "Admin", "Head of Talent")
    # The printed admin login is also the way into /admin/ (a demo only: a real admin is made by createsuperuser).
    User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
    recruiter = _user(RECRUITER_EMAIL, "Riley", "Recruiter", "Senior Technical Recruiter")
    orgs = [_org(spec) for spec in ORGANIZATIONS]
    demo = orgs[0]
    if demo.send_window_set_at is None:  # the demo's admin has set it up (Northwind is left to try the checklist)
        services.organization_update(org=demo, send_window_start=time(8, 30), send_window_end=time(18, 0))
    for org in orgs:
        Membership.objects.update_or_create(user=admin, organization=org, defaults={"role": "admin"})
        Membership.objects.get_or_create(user=recruiter, organization=org, defaults={"role": "recruiter"})
    team = [_user(*person) for person in TEAM]
    for colleague in team:
        Membership.objects.get_or_create(user=colleague, organization=demo, defaults={"role": "recruiter"})
    _set_passwords([admin, recruiter, *team])
    for config in apps.get_app_configs():
        seeder = getattr(config, "seed_demo", None)
        if seeder:
            seeder(org=demo, recruiter=recruiter, small=small)
    membership = Membership.objects.get(user=recruiter, organization=demo)
    ApiToken.objects.filter(membership=membership, name=DEMO_TOKEN_NAME).delete()
    issued = services.api_token_create(membership=membership, name=DEMO_TOKEN_NAME)
    return Demo(org=demo, api_key=issued.key)


def _user(email: str, first: str, last: str, title: str) -> User:
    user, _ = User.objects.get_or_create(email=email, defaults={"first_name": first, "last_name": last, "title": title})
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user


def _set_passwords(users: list[User]) -> None:
    """Every demo login gets DEMO_PASSWORD, hashed once: a hash costs about a second by design."""
    users = list(User.objects.filter(pk__in=[u.pk for u in users]))
    if len({u.password for u in users}) == 1 and users[0].check_password(DEMO_PASSWORD):
        return
    User.objects.filter(pk__in=[u.pk for u in users]).update(password=make_password(DEMO_PASSWORD))


def _org(spec: dict) -> Organization:
    org, _ = Organization.objects.get_or_create(
        slug=spec["slug"], defaults={k: v for k, v in spec.items() if k != "slug"} | {"sender_name": spec["name"]}
    )
    return org
