"""Message templates' one write path: create, update, archive and restore.

The recruiter pages (`messaging.views.templates`) and the API (`messaging.api.TemplateViewSet`)
both call these. A template is the organisation's; a member may change the shared ones and
their own personal ones, and only its owner may make a shared template personal (it would
vanish from everyone else's list). Subject and body may use only the whitelisted tokens.
Kept apart from `messaging.services`, which is about messages and already long.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from messaging.models import MessageTemplate
from messaging.rendering import TemplateError, validate_template_text
from messaging.services import MessagingError, clean_body, clean_subject
from talentcircles.models import Organization, User

UNSHARE_REFUSED = (
    "Only the template's owner can make it personal: it would disappear for everyone else. "
    "Copy it into a new personal template instead."
)


def _checked(field: str, text: str) -> str:
    """The subject or body as stored, or MessagingError on that field (empty, too long, a bad token)."""
    text = clean_subject(text) if field == "subject" else clean_body(text)
    try:
        validate_template_text(text)
    except TemplateError as exc:
        raise MessagingError(exc.message, field=field) from None
    return text


def _locked(*, org: Organization, actor: User, template: MessageTemplate) -> MessageTemplate:
    """The template's row, locked, if the actor may change it: DoesNotExist for another organisation's
    template or a colleague's personal one (the pages and the API load templates through
    `selectors.template_visible`, so they answer 404 before it comes to that)."""
    return MessageTemplate.objects.for_org(org).visible_to(actor).select_for_update().get(pk=template.pk)


def _save(template: MessageTemplate) -> None:
    # The owner may have left the organisation (SET_NULL): an ownerless shared template stays usable.
    template.full_clean(exclude=["owner"])
    template.save()


@transaction.atomic
def template_create(
    *,
    org: Organization,
    actor: User,
    name: str,
    subject: str,
    body: str,
    is_shared: bool = True,
    archived: bool = False,
) -> MessageTemplate:
    """A new template owned by `actor`: shared with the organisation, or personal to them."""
    template = MessageTemplate(
        organization=org,
        owner=actor,
        name=name.strip(),
        subject=_checked("subject", subject),
        body=_checked("body", body),
        is_shared=is_shared,
        archived_at=timezone.now() if archived else None,
    )
    _save(template)
    return template


@transaction.atomic
def template_update(
    *,
    org: Organization,
    actor: User,
    template: MessageTemplate,
    name: str | None = None,
    subject: str | None = None,
    body: str | None = None,
    is_shared: bool | None = None,
) -> MessageTemplate:
    """Change the fields given (None leaves one as it is); returns the template as saved.

    Messages already written from it keep their text. Raises MessagingError naming the field to fix.
    """
    template = _locked(org=org, actor=actor, template=template)
    if is_shared is False and template.is_shared and template.owner_id != actor.pk:
        raise MessagingError(UNSHARE_REFUSED, field="is_shared")
    if subject is not None:
        template.subject = _checked("subject", subject)
    if body is not None:
        template.body = _checked("body", body)
    if name is not None:
        template.name = name.strip()
    if is_shared is not None:
        template.is_shared = is_shared
    template.updated_at = timezone.now()
    _save(template)
    return template


@transaction.atomic
def template_archive(*, org: Organization, actor: User, template: MessageTemplate) -> MessageTemplate:
    """Archive it: it leaves the list and cannot start new messages. Archiving twice keeps the first date."""
    template = _locked(org=org, actor=actor, template=template)
    if template.archived_at is None:
        template.archived_at = timezone.now()
        template.save(update_fields=["archived_at"])
    return template


@transaction.atomic
def template_restore(*, org: Organization, actor: User, template: MessageTemplate) -> MessageTemplate:
    """Bring an archived template back to the list; restoring an active one changes nothing."""
    template = _locked(org=org, actor=actor, template=template)
    if template.archived_at is not None:
        template.archived_at = None
        template.save(update_fields=["archived_at"])
    return template
