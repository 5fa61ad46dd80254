"""Conversations started for a circle: a bulk send to its members, or an API thread start naming it.

Messaging may not import the circles, so it reports the threads it started for a circle through
the audience hook (`talentcircles.audiences.audience_outreach_started`), inside the transaction that
writes them, and asks `audience_of_thread` when it renders `{{ circle.name }}` in a later reply.
Both land here (wired into `selectors.AUDIENCE`); each thread's circle is one `CircleOutreach` row.
"""

from __future__ import annotations

from engagement.circles.models import Circle, CircleOutreach
from talentcircles.models import Organization


def circle_outreach_record(org: Organization, circle_id: int, thread_ids: list[int]) -> None:
    """Link the organisation's new threads to its circle `circle_id`; another organisation's circle links nothing.

    Runs in the caller's transaction (messaging's write of the threads); a thread already linked keeps its circle.
    """
    if not Circle.objects.for_org(org).filter(pk=circle_id).exists():
        return
    CircleOutreach.objects.bulk_create(
        [CircleOutreach(thread_id=pk, circle_id=circle_id, organization_id=org.pk) for pk in thread_ids],
        ignore_conflicts=True,
    )


def thread_circle(org: Organization, thread_id: int) -> tuple[int, str] | None:
    """The circle the organisation's thread was started for, as (id, name), or None."""
    return (
        CircleOutreach.objects.for_org(org).filter(thread_id=thread_id).values_list("circle_id", "circle__name").first()
    )
