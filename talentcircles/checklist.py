"""The getting-started checklist on a new organisation's home page: steps that tick themselves off.

Each step is done when something exists (a candidate, a circle, a template, a colleague) or a flag
is set (the send window saved). `talentcircles` sits at the bottom of the import order and cannot
import the apps that own candidates, circles or templates, so those apps register their step here
from their `AppConfig.ready()` with the queryset whose existence means "done". `setup_checklist`
asks all of them in one query; a dismissed checklist costs none, and a complete one is not shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, Expression, ExpressionWrapper, QuerySet, Subquery

from talentcircles.models import Invitation, Membership, Organization

# What a step asks: a queryset (done when it has a row), an expression, or a plain answer.
Done = Callable[[Organization], "QuerySet | Expression | bool"]


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    hint: str
    url_name: str  # where the step is done; takes the organisation's slug
    done: Done
    order: int = 100


@dataclass(frozen=True)
class ChecklistStep:
    key: str
    label: str
    hint: str
    url_name: str
    done: bool


@dataclass(frozen=True)
class Checklist:
    steps: list[ChecklistStep]

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.steps if step.done)


_ITEMS: dict[str, ChecklistItem] = {}


def register_checklist_item(item: ChecklistItem) -> None:
    """Add (or replace, so a second `ready()` is harmless) the step named `item.key`."""
    _ITEMS[item.key] = item


def registered_items() -> list[ChecklistItem]:
    return sorted(_ITEMS.values(), key=lambda item: (item.order, item.key))


def setup_checklist(org: Organization) -> Checklist | None:
    """The checklist's steps for `org`, or None when it was dismissed or every step is done."""
    if org.setup_checklist_dismissed_at is not None:
        return None
    items = registered_items()
    answers = {item.key: item.done(org) for item in items}
    asked = {
        f"done_{key}": Exists(answer) if isinstance(answer, QuerySet) else answer
        for key, answer in answers.items()
        if not isinstance(answer, bool)
    }
    found = (Organization.objects.filter(pk=org.pk).annotate(**asked).values(*asked).first() if asked else None) or {}
    done = {
        key: answer if isinstance(answer, bool) else bool(found.get(f"done_{key}")) for key, answer in answers.items()
    }
    steps = [
        ChecklistStep(key=item.key, label=item.label, hint=item.hint, url_name=item.url_name, done=done[item.key])
        for item in items
    ]
    return None if all(step.done for step in steps) else Checklist(steps=steps)


def _a_colleague(org: Organization) -> Expression:
    """Someone invited, or a second member (whoever created the organisation is its first)."""
    first = Membership.objects.filter(organization=org).order_by("pk").values("pk")[:1]
    others = Membership.objects.filter(organization=org).exclude(pk=Subquery(first))
    invited = Invitation.objects.filter(organization=org)
    return ExpressionWrapper(Exists(invited) | Exists(others), output_field=BooleanField())


register_checklist_item(
    ChecklistItem(
        key="colleague", label="Invite a colleague", hint="Recruiters share the community and split the work.",
        url_name="org_settings", done=_a_colleague, order=40,
    )
)  # fmt: skip
register_checklist_item(
    ChecklistItem(
        key="send_window", label="Set your send window",
        hint="Follow-ups go out only in these hours of each candidate's day.",
        url_name="org_settings", done=lambda org: org.send_window_set_at is not None, order=50,
    )
)  # fmt: skip
