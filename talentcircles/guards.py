"""Rules that can hold back a recruiter's bulk sends, contributed by the apps that know them.

Bulk messages (in `messaging`) and new enrolments (in `engagement`) must both respect the
response-rate guard, which `engagement` owns; `messaging` cannot import `engagement`, so the
guard registers here from `AppConfig.ready()` and both ask `bulk_send_block`.
"""

from __future__ import annotations

from collections.abc import Callable

from talentcircles.models import Organization, User

# A guard answers None (go ahead) or the reason, in words for the recruiter, why bulk sends wait.
BulkSendGuard = Callable[[Organization, User], "str | None"]
_guards: list[BulkSendGuard] = []


def register_bulk_send_guard(guard: BulkSendGuard) -> None:
    if guard not in _guards:
        _guards.append(guard)


def unregister_bulk_send_guard(guard: BulkSendGuard) -> None:
    if guard in _guards:
        _guards.remove(guard)


def bulk_send_block(org: Organization, recruiter: User | None) -> str | None:
    """Why `recruiter`'s bulk sends and enrolments in `org` are paused now, or None. One-to-one sends never ask."""
    if recruiter is None:
        return None
    for guard in _guards:
        reason = guard(org, recruiter)
        if reason:
            return reason
    return None
