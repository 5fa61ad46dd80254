"""The one permission layer: what each role of an organisation may do (docs/roles.md).

- `Capability`: the named things a member can be allowed to do.
- `ROLE_CAPABILITIES`: the one role → capabilities table. The test matrix
  (tests/talentcircles/test_role_matrix.py) and docs/roles.md are checked against it.
- `can(membership, capability, token=None)`: the question every layer asks; `require(...)` raises
  PermissionDenied with a message a person can act on.
- Recruiter pages declare what they need with `capability` (and, for a page whose GET only shows
  things, `read_capability`) on `talentcircles.mixins.OrgMemberRequiredMixin`; API views the same
  attributes, or `capabilities` per viewset action, read by `talentcircles.api_permissions`.
- Templates ask `{% if can.bulk_send %}` (`talentcircles.context_processors.navigation`): hiding a
  button is courtesy; the server refuses regardless.

A write that declares nothing needs `MANAGE_SETTINGS`, so only admins can use it: a new page or
endpoint fails closed until it says what it needs.

An API token acts with its member's role as it is now (a member demoted is a token demoted), and a
token made read-only can only read (`VIEW`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from talentcircles.models import ApiToken, Membership


class Capability(StrEnum):
    VIEW = "view"  # candidates, timelines, conversations, circles, jobs, sequences, analytics
    EDIT_CANDIDATES = "edit_candidates"  # create, edit, archive; résumés; assign owners
    DELETE_OWN_CANDIDATES = "delete_own_candidates"  # delete or erase a candidate one owns
    DELETE_ANY_CANDIDATE = "delete_any_candidate"  # delete or erase anyone's (or nobody's) candidate
    MERGE_CANDIDATES = "merge_candidates"  # merge or dismiss duplicates
    TAG = "tag"  # tag and untag candidates
    MOVE_STAGE = "move_stage"  # pipeline stage changes
    SCHEDULE = "schedule"  # reminders, log calls, meetings and notes, My day
    SEND_MESSAGES = "send_messages"  # one-to-one messages, replies, resends, triage of replies
    BULK_SEND = "bulk_send"  # bulk messages and sequence enrolments
    IMPORT = "import"  # CSV / LinkedIn / JSON Resume imports
    EXPORT_CONTACT_DATA = "export_contact_data"  # CSV and JSON Resume exports
    MANAGE_TEMPLATES = "manage_templates"
    MANAGE_SEQUENCES = "manage_sequences"  # build sequences; pause, resume, stop enrolments
    MANAGE_CIRCLES = "manage_circles"  # circles, their members and posts, community invitations
    MANAGE_JOBS = "manage_jobs"
    MANAGE_TOKENS = "manage_tokens"  # one's own API tokens
    MANAGE_SETTINGS = "manage_settings"  # organisation settings (and any undeclared write)
    MANAGE_MEMBERS = "manage_members"  # invitations, roles, removals

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


C = Capability
_EVERYONE = {C.VIEW, C.MANAGE_TOKENS}
_COORDINATOR = _EVERYONE | {C.TAG, C.MOVE_STAGE, C.SCHEDULE, C.SEND_MESSAGES}
_RECRUITER = _COORDINATOR | {
    C.EDIT_CANDIDATES, C.DELETE_OWN_CANDIDATES, C.MERGE_CANDIDATES, C.BULK_SEND, C.IMPORT,
    C.EXPORT_CONTACT_DATA, C.MANAGE_TEMPLATES, C.MANAGE_SEQUENCES, C.MANAGE_CIRCLES, C.MANAGE_JOBS,
}  # fmt: skip

# Role value (Membership.Role) → what it may do. Admins may do everything.
ROLE_CAPABILITIES: Mapping[str, frozenset[Capability]] = {
    "admin": frozenset(Capability),
    "recruiter": frozenset(_RECRUITER),
    "coordinator": frozenset(_COORDINATOR),
    "read_only": frozenset(_EVERYONE),
}

# What a token marked read-only keeps of its member's capabilities.
READ_ONLY_TOKEN_CAPABILITIES = frozenset({C.VIEW})

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def capabilities(membership: Membership, token: ApiToken | None = None) -> frozenset[Capability]:
    """What the member may do now, through `token` if the request came with one."""
    granted = ROLE_CAPABILITIES.get(membership.role, frozenset())
    if token is not None and token.read_only:
        granted &= READ_ONLY_TOKEN_CAPABILITIES
    return granted


def can(membership: Membership, capability: Capability, token: ApiToken | None = None) -> bool:
    return capability in capabilities(membership, token)


def refusal(membership: Membership, capability: Capability, token: ApiToken | None = None) -> str:
    """Why `capability` is refused, for the 403 page or the API's `detail`."""
    if token is not None and token.read_only and capability in ROLE_CAPABILITIES.get(membership.role, ()):
        return "This API token is read-only: it can read but not change anything."
    role = membership.get_role_display()
    return f"Your role ({role}) does not allow this ({capability.label.lower()}). Ask an admin of your organisation."


def require(membership: Membership, capability: Capability, token: ApiToken | None = None) -> None:
    if not can(membership, capability, token):
        raise PermissionDenied(refusal(membership, capability, token))


def may_delete_candidate(membership: Membership, candidate: Any, token: ApiToken | None = None) -> bool:
    """Anyone's candidate with DELETE_ANY_CANDIDATE; with DELETE_OWN_CANDIDATES only one whose
    `owner` is the member (a candidate nobody owns belongs to the organisation: admins only)."""
    if can(membership, C.DELETE_ANY_CANDIDATE, token):
        return True
    return can(membership, C.DELETE_OWN_CANDIDATES, token) and candidate.owner_id == membership.user_id


def candidate_deletion_refusal(membership: Membership, candidate: Any, token: ApiToken | None = None) -> str | None:
    """Why the member may not delete (or erase) `candidate`, or None if they may."""
    if may_delete_candidate(membership, candidate, token):
        return None
    if not can(membership, C.DELETE_OWN_CANDIDATES, token):
        return refusal(membership, C.DELETE_OWN_CANDIDATES, token)
    return "You can delete only candidates you own; this one is someone else's (or nobody's). Ask an admin."


def require_candidate_deletion(membership: Membership, candidate: Any, token: ApiToken | None = None) -> None:
    message = candidate_deletion_refusal(membership, candidate, token)
    if message is not None:
        raise PermissionDenied(message)


def for_method(view: Any, method: str, action: str | None = None, *, api: bool = False) -> Capability:
    """The capability a page or endpoint declares for a request (see the module's docstring).

    In order: `capabilities[action]` (a viewset's action), `capabilities[METHOD]`, `read_capability`
    for a safe method, `capability` (on a page: every method, as a form page shares its POST's
    capability; in the API: writes only, reads need VIEW); then VIEW for a safe method and
    MANAGE_SETTINGS (admins) for a write that declares nothing.
    """
    method = method.upper()
    declared: Mapping[str, Capability] = getattr(view, "capabilities", None) or {}
    for key in (action, method):
        if key and key in declared:
            return declared[key]
    safe = method in SAFE_METHODS
    if safe and getattr(view, "read_capability", None) is not None:
        return view.read_capability
    if getattr(view, "capability", None) is not None and not (api and safe):
        return view.capability
    if getattr(view, "admin_only", False):  # the older spelling of `capability = MANAGE_SETTINGS`
        return C.MANAGE_SETTINGS
    return C.VIEW if safe else C.MANAGE_SETTINGS


class Can:
    """`can.<capability>` in templates, for the request's member (and token)."""

    def __init__(self, granted: Iterable[Capability]) -> None:
        self._granted = frozenset(granted)

    def __getattr__(self, name: str) -> bool:
        try:
            return Capability(name) in self._granted
        except ValueError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> bool:
        return self.__getattr__(name)
