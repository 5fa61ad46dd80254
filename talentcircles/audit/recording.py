"""Writing to the audit trail: `record()` for one entry, `build()` + `record_many()` for a batch.

Who and from where come from the request: passed in, or the one `AuditContextMiddleware` notes for
the duration of each request, so a service deep in a call chain records the client's address and
the API token without every caller handing them down. Outside a request (a task, a command) the
entry's actor is the one given, or the system.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeAlias

from django.db import models
from django.http import HttpRequest, HttpResponse

from talentcircles.audit.models import AuditEntry

if TYPE_CHECKING:
    from talentcircles.models import Organization, User

Action = AuditEntry.Action
ActorKind = AuditEntry.ActorKind
TargetType = AuditEntry.TargetType
USER_AGENT_LENGTH = 200
BATCH_SIZE = 1000

_current_request: ContextVar[HttpRequest | None] = ContextVar("audit_request", default=None)


class AuditContextMiddleware:
    """Notes the request being served so `record()` can read its address, user agent and API token."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (REMOTE_ADDR, like the consent records), or None.

    Behind a proxy this is the proxy's address unless the proxy sets REMOTE_ADDR itself (gunicorn
    behind nginx: `proxy_protocol`, or a WSGI middleware the deployment trusts); X-Forwarded-For is
    never read, since any client can send it.
    """
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


def _is_user(value: object) -> bool:
    return isinstance(value, models.Model) and value._meta.label == "talentcircles.User"


def _jsonable(value: Any) -> Any:
    """A value as JSON can hold it: a model instance becomes its id, a set a sorted list."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    return value


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for each field of `after` whose value differs from `before`'s."""
    return {
        name: [_jsonable(before.get(name)), _jsonable(value)]
        for name, value in after.items()
        if _jsonable(before.get(name)) != _jsonable(value)
    }


TargetSpec: TypeAlias = models.Model | tuple[str, int | None] | tuple[str, int | None, str] | None


def _target(target: TargetSpec) -> tuple[str, int | None, str]:
    """(type, id, label) of what an entry is about; the label never names a candidate."""
    if target is None:
        return "", None, ""
    if isinstance(target, tuple):
        kind, pk, *label = target
        return kind, pk, (label[0] if label else f"{TargetType(kind).label} #{pk}" if pk else TargetType(kind).label)
    name = target._meta.model_name
    if name == "candidate":
        return TargetType.CANDIDATE, target.pk, f"Candidate #{target.pk}"
    if name == "organization":
        return TargetType.ORGANIZATION, target.pk, target.slug  # type: ignore[attr-defined]
    if name == "membership":
        return TargetType.MEMBERSHIP, target.pk, target.user.email  # type: ignore[attr-defined]
    if name == "apitoken":
        return TargetType.API_TOKEN, target.pk, str(target)[:200]
    raise ValueError(f"No audit target type for {target._meta.label}.")


def _actor(who: HttpRequest | User | None, request: HttpRequest | None) -> User | None:
    if _is_user(who):
        return who  # type: ignore[return-value]
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def build(
    who: HttpRequest | User | None,
    org: Organization | int,
    action: str,
    *,
    target: TargetSpec = None,
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    actor_kind: str | None = None,
) -> AuditEntry:
    """An unsaved entry (for `record_many`); `record()` says what the arguments mean."""
    request = who if isinstance(who, HttpRequest) else _current_request.get()
    actor = _actor(who, request)
    token = getattr(request, "auth", None)
    token_id = token.pk if token is not None and hasattr(token, "key_digest") else None
    if actor_kind is None:
        actor_kind = ActorKind.API_TOKEN if token_id else ActorKind.MEMBER if actor else ActorKind.SYSTEM
    target_type, target_id, target_label = _target(target)
    return AuditEntry(
        organization_id=org if isinstance(org, int) else org.pk,
        actor=actor,
        actor_kind=actor_kind,
        api_token_id=token_id,
        action=Action(action),
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:200],
        changes=_jsonable(dict(changes or {})),
        details=_jsonable(dict(details or {})),
        ip_address=client_ip(request) if request is not None else None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH] if request is not None else "",
    )


def record(
    who: HttpRequest | User | None,
    org: Organization | int,
    action: str,
    *,
    target: TargetSpec = None,
    changes: Mapping[str, Any] | None = None,
    details: Mapping[str, Any] | None = None,
    actor_kind: str | None = None,
) -> AuditEntry:
    """Add one entry to `org`'s audit trail (one INSERT) and return it.

    `who`: the request (its user is the actor), a user, or None (the current request's user, or
    the system outside a request). `action`: an `AuditEntry.Action`. `target`: a candidate,
    membership, API token or organisation, or `(type, id)`. `changes`: {field: [old, new]}
    (`diff()` makes it). `actor_kind`: say CANDIDATE for a person acting in the portal; otherwise
    it is API_TOKEN for a token's request, MEMBER for a signed-in user, SYSTEM without one.
    Call it inside the transaction of the change it records, so both commit or neither does.
    """
    entry = build(who, org, action, target=target, changes=changes, details=details, actor_kind=actor_kind)
    entry.save()
    return entry


def record_many(entries: Iterable[AuditEntry]) -> int:
    """Insert entries made with `build()` in a few statements (imports, bulk edits); how many."""
    batch = list(entries)
    AuditEntry.objects.bulk_create(batch, batch_size=BATCH_SIZE)
    return len(batch)


def form_changes(form: Any) -> dict[str, list[Any]]:
    """{field: [old, new]} for what a bound, valid Django form changed (the admin's edits)."""
    changes = {}
    for name in form.changed_data:
        old, new = form.initial.get(name), form.cleaned_data.get(name)
        if isinstance(new, models.QuerySet):  # many-to-many: the ids before and after
            old, new = sorted(_jsonable(list(old or []))), sorted(new.values_list("pk", flat=True))
        changes[name] = [_jsonable(old), _jsonable(new)]
    return changes
