"""Outgoing messages written: a new conversation or a reply (`thread_start`, `message_reply`), or many
at once (`messages_write_many`: the follow-up dispatcher, bulk sends).

An outgoing message is written first (status `queued`) and delivered by a Celery task queued on
commit (`messaging.delivery`), so a worker never looks for a row that is not there. Publishing that
task is best effort and never fails the write: a row whose task did not reach the broker is
published by the relay, one whose task was lost by the sweep (`messaging.recovery`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from candidates.models import Candidate
from messaging import checks, policy
from messaging.models import Message, MessageTemplate, Thread
from messaging.services import (
    SUBJECT_MAX,
    MessagingError,
    NotContactable,
    clean_body,
    clean_subject,
    new_message_id_header,
    skip_reasons,
)
from messaging.topics import topic_outreach_started
from talentcircles.audiences import CIRCLE, audience_outreach_started
from talentcircles.bulk import copy_insert
from talentcircles.models import Organization, User

logger = logging.getLogger(__name__)

# --- Outgoing ---------------------------------------------------------------------------------


# Delivery tasks take this many message ids each: big enough that a worker opens one backend
# connection for many messages, small enough that the re-check before sending stays fresh.
DELIVERY_BATCH = 100


def enqueue_deliveries(message_ids: list[int]) -> list[int]:
    """Publish delivery tasks now (callers are past their commit), DELIVERY_BATCH ids each; best effort.

    Never raises and never waits on a broker that is down: one attempt per task (no publish retry,
    the connection timeouts in settings keep it near a second), and after the first failure the rest
    are not tried. What was published is stamped `published_at`; what was not is logged and left to
    the relay (`messaging.relay`), which publishes queued rows nobody published. Returns the ids
    that were not published.
    """
    from messaging.tasks import deliver_messages  # tasks import this module

    unique = list(dict.fromkeys(message_ids))
    published: list[int] = []
    for start in range(0, len(unique), DELIVERY_BATCH):
        batch = unique[start : start + DELIVERY_BATCH]
        if deliver_messages.app.conf.task_always_eager:
            deliver_messages.apply_async((batch,))  # run here (tests): its errors are the task's, not the broker's
            published += batch
            continue
        try:
            deliver_messages.apply_async((batch,), retry=False)
        except Exception:  # the broker is unreachable (or refused): the relay publishes them later
            logger.warning(
                "Could not publish delivery of %s message(s); the relay will", len(unique) - start, exc_info=True
            )
            break
        published += batch
    _stamp_published(published)
    return unique[len(published) :]


def _stamp_published(message_ids: list[int]) -> None:
    if not message_ids:
        return
    try:
        Message.objects.filter(pk__in=message_ids, published_at__isnull=True).update(published_at=timezone.now())
    except DatabaseError:  # the task is out; at worst the relay publishes it a second time (harmless)
        logger.warning("Could not record the publication of %s message(s)", len(message_ids), exc_info=True)


def queue_delivery(messages: Message | Iterable[Message]) -> None:
    """Hand the messages to the delivery tasks once the rows are committed.

    One call queues its messages DELIVERY_BATCH per task, so bulk writers (`messages_write_many`,
    bulk sends) call it once for everything they wrote.
    """
    ids = [messages.pk] if isinstance(messages, Message) else [message.pk for message in messages]
    if ids:
        transaction.on_commit(lambda: enqueue_deliveries(ids))


class ContactWarning(MessagingError):
    """The contact policy warns against this one-to-one message; sending needs an explicit override."""

    def __init__(self, decision: policy.Decision) -> None:
        reasons = " ".join(r.detail for r in decision.reasons if r.overridable)
        super().__init__(f"{reasons} Tick “send anyway” to send it regardless.", field="override")
        self.decision = decision


def _one_to_one_vetted(org: Organization, draft: OutgoingDraft, override: bool) -> None:
    """Ask the contact policy about a person's own message: a warning stops it unless overridden (and recorded).

    Hard blocks are left to the writer, which refuses them whatever the override.
    """
    if draft.automated or draft.origin != Thread.Origin.ONE_TO_ONE or draft.candidate.organization_id != org.pk:
        return
    if draft.idempotency_key and _by_key(org, [draft.idempotency_key]):
        return  # a repeated call: the writer returns the message written the first time
    decision = policy.contact_decision(
        org=org, candidate=draft.candidate, purpose=policy.Purpose.ONE_TO_ONE, recruiter=draft.sender,
        thread_id=draft.thread.pk if draft.thread else None,
    )  # fmt: skip
    if decision.blocked or decision.may_contact:
        return
    if not override:
        raise ContactWarning(decision)
    draft.policy_override = decision.override_note()


def _written(org: Organization, draft: OutgoingDraft, override: bool = False) -> Message:
    _one_to_one_vetted(org, draft, override)
    [written] = messages_write_many(org=org, drafts=[draft])
    if written.problem is not None:
        raise written.problem
    assert written.message is not None  # a draft ends with its message or its problem
    return written.message


def thread_start(
    *,
    org: Organization,
    candidate: Candidate,
    recruiter: User | None,
    subject: str,
    body: str,
    template: MessageTemplate | None = None,
    origin: str = Thread.Origin.ONE_TO_ONE,
    circle_id: int | None = None,
    automated: bool = False,
    idempotency_key: str = "",
    check: checks.CheckResult | None = None,
    override: bool = False,
) -> Message:
    """Start a conversation: the thread and its first message (queued); delivery follows on commit.

    With a `circle_id` (one of the organisation's circles, see `selectors.circle_for`) the
    conversation is recorded as started for that circle (`talentcircles.audiences`).
    With an `idempotency_key` a repeated call returns the message already written.
    Raises NotContactable or MessagingError (with the field to fix); nothing is written then. A person's
    one-to-one message the contact policy warns against raises ContactWarning unless `override`
    (then the warning is recorded on the message as `policy_override`).
    """
    draft = OutgoingDraft(
        candidate=candidate,
        sender=recruiter,
        subject=subject,
        body=body,
        template=template,
        origin=origin,
        circle_id=circle_id,
        automated=automated,
        idempotency_key=idempotency_key,
        check=check,
    )
    return _written(org, draft, override)


def _reply_subject(thread: Thread, subject: str) -> str:
    if subject:
        return clean_subject(subject)
    base = thread.subject
    return base if base.lower().startswith("re:") else clean_subject(f"Re: {base}"[:SUBJECT_MAX])


def message_reply(
    *,
    thread: Thread,
    sender: User | None,
    body: str,
    subject: str = "",
    template: MessageTemplate | None = None,
    idempotency_key: str = "",
    automated: bool = False,
    check: checks.CheckResult | None = None,
    override: bool = False,
) -> Message:
    """A recruiter's next message in a conversation (also a sequence's same-thread follow-up).

    Asks the contact policy like `thread_start` (ContactWarning unless `override`).
    """
    draft = OutgoingDraft(
        candidate=thread.candidate,
        sender=sender,
        subject=subject,
        body=body,
        template=template,
        thread=thread,
        automated=automated,
        idempotency_key=idempotency_key,
        check=check,
    )
    return _written(thread.organization, draft, override)


# --- Many at once (the follow-up dispatcher) ----------------------------------------------------


@dataclass
class OutgoingDraft:
    """One outgoing message for `messages_write_many`: a new conversation, or a reply in `thread`."""

    candidate: Candidate
    sender: User | None
    body: str
    subject: str = ""  # a reply may leave it empty: "Re: <the thread's subject>"
    template: MessageTemplate | None = None
    thread: Thread | None = None
    origin: str = Thread.Origin.ONE_TO_ONE
    circle_id: int | None = None  # a new conversation started for this circle (talentcircles.audiences)
    topic: str = ""  # a new conversation about this ("job:42", messaging.topics)
    automated: bool = False  # written by a sequence, not a person (see Message.automated)
    idempotency_key: str = ""
    check: checks.CheckResult | None = None  # already computed by the caller (the composer's live check)
    policy_override: str = ""  # the contact-policy warning the sender chose to override (recorded)


@dataclass
class Written:
    """What became of one draft: its message (new or written before with the same key), or why not."""

    message: Message | None = None
    problem: MessagingError | None = None
    existing: bool = False


def _by_key(org: Organization, keys: Iterable[str]) -> dict[str, Message]:
    keys = [key for key in keys if key]
    if not keys:
        return {}
    found = Message.objects.filter(organization=org, idempotency_key__in=keys).select_related("thread")
    return {message.idempotency_key: message for message in found}


def _thread_chains(threads: Iterable[Thread]) -> dict[int, list[str]]:
    """Thread id → its Message-IDs in order, for the In-Reply-To/References of replies; one query."""
    chains: dict[int, list[str]] = {thread.pk: [] for thread in threads}
    if chains:
        rows = (
            Message.objects.filter(thread_id__in=list(chains))
            .exclude(message_id_header="")
            .order_by("created_at", "id")
            .values_list("thread_id", "message_id_header")
        )
        for thread_id, header in rows:
            chains[thread_id].append(header)
    return chains


def _chain_headers(ids: list[str]) -> tuple[str, str]:
    if not ids:
        return "", ""
    # Keep the first and the latest few: some servers refuse very long References headers.
    chain = ids if len(ids) <= 10 else [ids[0], *ids[-9:]]
    return ids[-1], " ".join(chain)


@transaction.atomic
def messages_write_many(
    *,
    org: Organization,
    drafts: list[OutgoingDraft],
    now: datetime | None = None,
    skip: dict[int, str] | None = None,
) -> list[Written]:
    """Write many outgoing messages (queued) with a fixed number of queries; delivery follows on commit.

    The same rules as `thread_start` / `message_reply`, draft by draft: a candidate of another
    organisation, an empty subject or body, or a candidate who may not be contacted is that
    draft's `problem` and writes nothing for it. A draft whose `idempotency_key` was written
    before returns that message (`existing`), also when a concurrent writer wins the race.
    Returns one `Written` per draft, in order. `skip`: what `skip_reasons` returned for these
    candidates, read by the caller in this same transaction (it is not read again then).
    """
    now = now or timezone.now()
    results = [Written() for _ in drafts]
    todo = _vetted(org, drafts, results, skip)
    if not todo:
        return results
    new_threads = copy_insert(
        [_new_thread(org, draft, subject, now) for _i, draft, subject, _b in todo if not draft.thread]
    )
    rows = _messages(org, todo, iter(new_threads), now)
    rows = _insert(org, rows, new_threads, results)
    started = {thread.pk for thread in new_threads}
    replied = {m.thread_id for _i, m in rows if m.thread_id not in started}
    if replied:
        Thread.objects.filter(pk__in=replied).update(last_message_at=now)
    _report_circle_outreach(org, [(drafts[i], m.thread_id) for i, m in rows if m.thread_id in started])
    _report_topic_outreach(org, [(drafts[i], m.thread_id) for i, m in rows if m.thread_id in started])
    for index, message in rows:
        results[index] = Written(message=message)
    queue_delivery([message for _i, message in rows])
    return results


def _new_thread(org: Organization, draft: OutgoingDraft, subject: str, now: datetime) -> Thread:
    return Thread(
        organization=org, candidate=draft.candidate, recruiter=draft.sender, subject=subject, origin=draft.origin,
        created_at=now, last_message_at=now,
    )  # fmt: skip


Vetted = tuple[int, OutgoingDraft, str, str]  # (index in the drafts, draft, clean subject, clean body)


def _vetted(
    org: Organization, drafts: list[OutgoingDraft], results: list[Written], skip: dict[int, str] | None
) -> list[Vetted]:
    """The drafts to write; the others get their `problem` (or the message already written) in `results`."""
    existing = _by_key(org, (d.idempotency_key for d in drafts))
    in_org = [d.candidate for d in drafts if d.candidate.organization_id == org.pk]
    reasons = skip if skip is not None else skip_reasons(org=org, candidates=in_org)
    todo: list[Vetted] = []
    for index, draft in enumerate(drafts):
        try:
            if draft.candidate.organization_id != org.pk:
                raise MessagingError("Unknown candidate.", field="candidate")
            if draft.idempotency_key in existing:
                results[index] = Written(message=existing[draft.idempotency_key], existing=True)
                continue
            if draft.thread is not None and draft.thread.organization_id != org.pk:
                raise MessagingError("Unknown conversation.", field="thread")
            subject = _reply_subject(draft.thread, draft.subject) if draft.thread else clean_subject(draft.subject)
            body = clean_body(draft.body)
            if draft.candidate.pk in reasons:
                raise NotContactable(draft.candidate, reasons[draft.candidate.pk])
        except MessagingError as problem:
            results[index] = Written(problem=problem)
            continue
        todo.append((index, draft, subject, body))
    return todo


def _messages(
    org: Organization, todo: list[Vetted], created: Iterator[Thread], now: datetime
) -> list[tuple[int, Message]]:
    """Each vetted draft's message, checked for personalisation and threaded (not saved yet)."""
    # The checks read each candidate's skills: one query for those not prefetched by the caller.
    prefetch_related_objects([d.candidate for _i, d, _s, _b in todo], "skills")
    # One query for every draft's mass-message count; drafts of this batch count for the ones after
    # them, as they would written one by one.
    fingerprints = {i: checks.body_fingerprint(body, d.candidate) for i, d, _s, body in todo}
    recipients = checks.recent_recipients_by_fingerprint(org=org, fingerprints=fingerprints.values(), now=now)
    chains = _thread_chains({d.thread.pk: d.thread for _i, d, _s, _b in todo if d.thread}.values())
    rows: list[tuple[int, Message]] = []
    with checks.resumes_read_together(d.candidate for _i, d, _s, _b in todo):
        for row in todo:
            rows.append(_message(org, row, created, now, recipients=recipients, prints=fingerprints, chains=chains))
    return rows


def _message(
    org: Organization,
    row: Vetted,
    created: Iterator[Thread],
    now: datetime,
    *,
    recipients: dict,
    prints: dict[int, str],
    chains: dict[int, list[str]],
) -> tuple[int, Message]:
    """One vetted draft's message: checked for personalisation and threaded."""
    index, draft, subject, body = row
    candidate, thread = draft.candidate, draft.thread or next(created)
    check = draft.check or checks.personalisation_check(
        org=org, candidate=candidate, subject=subject, body=body, now=now, recent_recipients=recipients,
        template_body=draft.template.body if draft.template else None,
    )  # fmt: skip
    recipients.setdefault(prints[index], set()).add(candidate.pk)
    in_reply_to, references = _chain_headers(chains.get(thread.pk, [])) if draft.thread else ("", "")
    message = Message(
        organization_id=org.pk, thread=thread, candidate=candidate, direction=Message.Direction.OUT,
        channel=Message.Channel.EMAIL, sender=draft.sender, to_email=candidate.email, subject=subject,
        body_text=body, template=draft.template, personalisation_score=check.score,
        findings=check.as_dict()["findings"], body_fingerprint=prints[index], status=Message.Status.QUEUED,
        message_id_header=new_message_id_header(), in_reply_to=in_reply_to, references=references,
        idempotency_key=draft.idempotency_key, automated=draft.automated, created_at=now,
        policy_override=draft.policy_override,
    )  # fmt: skip
    if draft.thread:
        # Two drafts replying in one conversation in the same batch: the second follows the first.
        chains.setdefault(thread.pk, []).append(message.message_id_header)
    return index, message


def _insert(
    org: Organization, rows: list[tuple[int, Message]], new_threads: Sequence[Thread], results: list[Written]
) -> list[tuple[int, Message]]:
    """Save the messages; the rows that lost an idempotency-key race to another writer get its message."""
    messages = [message for _i, message in rows]
    try:
        with transaction.atomic():  # a savepoint: a lost race on an idempotency key leaves nothing behind
            copy_insert(messages)
        return rows
    except IntegrityError:
        pass
    # Another writer wrote some of these keys since we looked: keep theirs, write the rest.
    Message.objects.bulk_create(messages, ignore_conflicts=True)
    ours = dict(
        Message.objects.filter(
            organization=org, message_id_header__in=[m.message_id_header for m in messages]
        ).values_list("message_id_header", "pk")
    )
    theirs = _by_key(org, (m.idempotency_key for m in messages if m.message_id_header not in ours))
    for index, message in rows:
        if message.message_id_header in ours:
            message.pk = ours[message.message_id_header]
        else:
            results[index] = Written(message=theirs.get(message.idempotency_key), existing=True)
    lost = [m.thread_id for m in messages if m.message_id_header not in ours]
    Thread.objects.filter(pk__in=[t.pk for t in new_threads if t.pk in lost]).delete()
    return [(i, m) for i, m in rows if m.message_id_header in ours]


def _report_circle_outreach(org: Organization, started: list[tuple[OutgoingDraft, int]]) -> None:
    """Tell the circles which new conversations were started for which circle (inside this transaction)."""
    by_circle: dict[int, list[int]] = {}
    for draft, thread_id in started:
        if draft.circle_id:
            by_circle.setdefault(draft.circle_id, []).append(thread_id)
    for circle_id, thread_ids in by_circle.items():
        audience_outreach_started(org, circle_id, thread_ids, CIRCLE)


def _report_topic_outreach(org: Organization, started: list[tuple[OutgoingDraft, int]]) -> None:
    """Tell each topic's owner which new conversations were started about it (inside this transaction)."""
    by_topic: dict[str, list[int]] = {}
    for draft, thread_id in started:
        if draft.topic:
            by_topic.setdefault(draft.topic, []).append(thread_id)
    for key, thread_ids in by_topic.items():
        topic_outreach_started(org, key, thread_ids)
