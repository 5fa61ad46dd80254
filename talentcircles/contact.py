"""Whether candidates may be contacted now, asked by apps below `messaging`, which owns the rule.

The contact policy lives in `messaging/policy.py`; the candidate API (in `candidates`) shows its
answer as `may_contact` but cannot import `messaging`, so messaging registers the question here from
`AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable

from talentcircles.models import Organization

# Candidate ids → may they get cold outreach (a bulk send, a sequence enrolment) now.
MayContact = Callable[[Organization, list[int]], dict[int, bool]]
_answer: list[MayContact] = []


def register_may_contact(answer: MayContact) -> None:
    _answer[:] = [answer]


def may_contact_many(org: Organization, candidate_ids: list[int]) -> dict[int, bool]:
    """Candidate id → may be contacted now (cold outreach), in a fixed number of queries; {} before `ready()`."""
    if not _answer or not candidate_ids:
        return {}
    return _answer[0](org, candidate_ids)
