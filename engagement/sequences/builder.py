"""Building sequences: their fields and steps, validated, written and reordered; their status.

Validation errors are Django `ValidationError`s keyed by field; a step's field is keyed
`steps[<index>].<field>` with the index in the list as submitted (0-based).
"""

from __future__ import annotations

from datetime import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from engagement.sequences.lifecycle import enrollments_stop
from engagement.sequences.models import Enrollment, Sequence, SequenceStep
from messaging.models import MessageTemplate
from talentcircles.models import Organization, User

State = Enrollment.State


MAX_STEPS = 10
_PARKED = 1000  # steps renumbered move through order + _PARKED
# --- Building sequences -------------------------------------------------------------------------


def _int(value, errors: dict, key: str) -> int:
    if value in (None, ""):
        return 0
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[key] = ["Give a whole number."]
        return 0
    if isinstance(value, float) and value != number:
        errors[key] = ["Give a whole number."]
    return number


def _clean_steps(org: Organization, steps: list[dict]) -> list[dict]:
    """Validated step data, sorted by order and renumbered 1..N; raises ValidationError."""
    if not isinstance(steps, list) or not steps:
        raise ValidationError({"steps": ["Add at least one step."]})
    if len(steps) > MAX_STEPS:
        raise ValidationError({"steps": [f"A sequence has at most {MAX_STEPS} steps."]})
    templates = _step_templates(org, steps)
    errors: dict[str, list[str]] = {}
    cleaned = []
    for index, raw in enumerate(steps):
        if not isinstance(raw, dict):
            errors[f"steps[{index}]"] = ["Each step is an object."]
            continue
        cleaned.append(_clean_step(index, raw, templates, errors))
    if errors:
        raise ValidationError(errors)
    orders = [step["order"] for step in cleaned]
    if len(set(orders)) != len(orders):
        raise ValidationError({"steps": ["Two steps have the same order."]})
    cleaned.sort(key=lambda step: step["order"])
    for position, step in enumerate(cleaned, start=1):
        step["order"] = position
        if position > 1 and not (step["delay_hours"] or step["delay_business_days"]):
            errors[f"steps[{step['index']}].delay_hours"] = [
                "A follow-up needs a delay after the previous step (at least one hour or one business day)."
            ]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _template_id(raw: dict) -> object:
    reference = raw.get("template")
    return getattr(reference, "pk", reference)  # an id, or a template object from a form


def _step_templates(org: Organization, steps: list) -> dict[int, MessageTemplate]:
    """The organisation's templates the steps name, by id, in one query."""
    ids = [_template_id(step) for step in steps if isinstance(step, dict)]
    wanted = [int(str(pk)) for pk in ids if str(pk or "").isdigit()]
    return {template.pk: template for template in MessageTemplate.objects.for_org(org).filter(pk__in=wanted)}


def _clean_step(index: int, raw: dict, templates: dict[int, MessageTemplate], errors: dict) -> dict:
    """One step's data; problems are added to `errors` keyed `steps[<index>].<field>`."""
    key = f"steps[{index}]"
    order = _int(raw.get("order", index + 1), errors, f"{key}.order") or index + 1
    kind = raw.get("kind") or SequenceStep.Kind.EMAIL
    if kind not in SequenceStep.Kind.values:
        errors[f"{key}.kind"] = ["Choose e-mail or task."]
    hours, business_days = _clean_delay(raw, key, errors)
    template_id = _template_id(raw)
    template = templates.get(int(str(template_id))) if str(template_id or "").isdigit() else None
    if kind == SequenceStep.Kind.EMAIL:
        if template_id in (None, ""):
            errors[f"{key}.template"] = ["Choose the template this step sends."]
        elif template is None:
            errors[f"{key}.template"] = ["Unknown template."]
        elif template.archived_at:
            errors[f"{key}.template"] = ["This template is archived; choose another."]
    task_text = (raw.get("task_text") or "").strip()
    if kind == SequenceStep.Kind.TASK:
        template = None
        if not task_text:
            errors[f"{key}.task_text"] = ["Say what the task is (it becomes a reminder)."]
        elif len(task_text) > 300:
            errors[f"{key}.task_text"] = ["Keep the task under 300 characters."]
    step_id = raw.get("id")
    return {
        "index": index,
        "id": int(str(step_id)) if str(step_id or "").isdigit() else None,
        "order": order,
        "kind": kind,
        "template": template,
        "delay_hours": max(hours, 0),
        "delay_business_days": max(business_days, 0),
        "same_thread": bool(raw.get("same_thread", True)),
        "task_text": task_text if kind == SequenceStep.Kind.TASK else "",
    }


def _clean_delay(raw: dict, key: str, errors: dict) -> tuple[int, int]:
    """The delay after the previous step, in hours or in business days (not both)."""
    hours = _int(raw.get("delay_hours"), errors, f"{key}.delay_hours")
    business_days = _int(raw.get("delay_business_days"), errors, f"{key}.delay_business_days")
    if hours < 0:
        errors[f"{key}.delay_hours"] = ["The delay can't be negative."]
    if business_days < 0:
        errors[f"{key}.delay_business_days"] = ["The delay can't be negative."]
    if hours > 24 * 365:
        errors[f"{key}.delay_hours"] = ["Keep the delay under a year."]
    if business_days > 260:
        errors[f"{key}.delay_business_days"] = ["Keep the delay under a year (260 business days)."]
    if hours and business_days:
        errors[f"{key}.delay_business_days"] = ["Give the delay in hours or in business days, not both."]
    return hours, business_days


def _clean_sequence_fields(org: Organization, data: dict, *, instance: Sequence | None) -> dict:
    errors: dict[str, list[str]] = {}
    fields: dict = {}
    if "name" in data or instance is None:
        name = (data.get("name") or "").strip()
        if not name:
            errors["name"] = ["Give the sequence a name."]
        elif len(name) > 120:
            errors["name"] = ["Keep the name under 120 characters."]
        fields["name"] = name
    if "status" in data:
        if data["status"] not in Sequence.Status.values:
            errors["status"] = ["Choose active, paused or archived."]
        fields["status"] = data["status"]
    for name in ("send_window_start", "send_window_end"):
        if name in data:
            fields[name] = data[name] or None
    start = fields.get("send_window_start", instance.send_window_start if instance else None)
    end = fields.get("send_window_end", instance.send_window_end if instance else None)
    if (start is None) != (end is None):
        errors["send_window_end"] = ["Give both ends of the send window, or neither to use the organisation's."]
    elif start is not None and (not isinstance(start, time) or not isinstance(end, time)):
        errors["send_window_start"] = ["Give times such as 09:00."]
    elif start is not None and end is not None and start >= end:
        errors["send_window_end"] = ["The send window must end after it starts."]
    if "options" in data:
        if not isinstance(data["options"], dict):
            errors["options"] = ["Options are an object."]
        fields["options"] = data["options"]
    if "owner" in data:
        owner = data["owner"]
        if owner is not None and not org.memberships.filter(user=owner).exists():
            errors["owner"] = ["The owner must be a member of this organisation."]
        fields["owner"] = owner
    if errors:
        raise ValidationError(errors)
    return fields


def _realign_enrollments(sequence: Sequence) -> None:
    """After steps changed: each running enrollment's next step is the step after those it has run."""
    steps = {step.order: step for step in sequence.steps.all()}
    running = Enrollment.objects.filter(sequence=sequence, state__in=Enrollment.RUNNING_STATES)
    now = timezone.now()
    for steps_done in set(running.values_list("steps_done", flat=True)):
        step = steps.get(steps_done + 1)
        group = running.filter(steps_done=steps_done)
        if step is None:
            group.update(state=State.COMPLETED, next_step=None, next_run_at=None, completed_at=now, updated_at=now)
        else:
            group.exclude(next_step=step).update(next_step=step, updated_at=now)


def _write_steps(sequence: Sequence, cleaned: list[dict]) -> None:
    existing = {step.pk: step for step in sequence.steps.all()}
    keep = {s["id"] for s in cleaned if s["id"] in existing}
    SequenceStep.objects.filter(sequence=sequence).exclude(pk__in=keep).delete()
    # Park the kept steps on distinct high numbers first: (sequence, order) is unique.
    SequenceStep.objects.filter(sequence=sequence).update(order=F("order") + _PARKED)
    for data in cleaned:
        values = {k: data[k] for k in ("order", "kind", "template", "delay_hours", "delay_business_days",
                                      "same_thread", "task_text")}  # fmt: skip
        if data["id"] in keep:
            SequenceStep.objects.filter(pk=data["id"]).update(**values)
        else:
            SequenceStep.objects.create(sequence=sequence, **values)


@transaction.atomic
def sequence_create(*, org: Organization, owner: User, name: str, steps: list[dict], **data) -> Sequence:
    """A sequence and its steps. `steps`: dicts with order, kind, template (id or object),
    delay_hours / delay_business_days, same_thread, task_text. Raises ValidationError."""
    fields = _clean_sequence_fields(org, {"name": name, "owner": owner, **data}, instance=None)
    cleaned = _clean_steps(org, steps)
    sequence = Sequence.objects.create(organization=org, **fields)
    _write_steps(sequence, cleaned)
    return sequence


@transaction.atomic
def sequence_update(*, sequence: Sequence, steps: list[dict] | None = None, **data) -> Sequence:
    """Change the sequence's fields and (when given) replace its steps; steps keep their identity by
    `id`. Running enrollments carry on with the steps they have not run yet, as edited."""
    sequence = Sequence.objects.select_for_update().get(pk=sequence.pk)
    org = sequence.organization
    fields = _clean_sequence_fields(org, data, instance=sequence)
    cleaned = _clean_steps(org, steps) if steps is not None else None
    status_before = sequence.status
    for name, value in fields.items():
        setattr(sequence, name, value)
    sequence.updated_at = timezone.now()
    sequence.save()
    if cleaned is not None:
        _write_steps(sequence, cleaned)
        _realign_enrollments(sequence)
    if sequence.status == Sequence.Status.ARCHIVED and status_before != Sequence.Status.ARCHIVED:
        enrollments_stop(Enrollment.objects.filter(sequence=sequence), reason="The sequence was archived.")
    return sequence


@transaction.atomic
def steps_reorder(*, sequence: Sequence, step_ids: list[int]) -> list[SequenceStep]:
    """Put the steps in the given order (every step's id once). Raises ValidationError."""
    sequence = Sequence.objects.select_for_update().get(pk=sequence.pk)
    steps = {step.pk: step for step in sequence.steps.all()}
    try:
        ids = [int(pk) for pk in step_ids]
    except (TypeError, ValueError):
        raise ValidationError({"steps": ["Give the steps' ids."]}) from None
    if sorted(ids) != sorted(steps):
        raise ValidationError({"steps": ["Give every step of this sequence exactly once."]})
    data = [
        {"id": pk, "order": position, "kind": steps[pk].kind, "template": steps[pk].template_id,
         "delay_hours": steps[pk].delay_hours, "delay_business_days": steps[pk].delay_business_days,
         "same_thread": steps[pk].same_thread, "task_text": steps[pk].task_text}
        for position, pk in enumerate(ids, start=1)
    ]  # fmt: skip
    _write_steps(sequence, _clean_steps(sequence.organization, data))
    _realign_enrollments(sequence)
    return list(sequence.steps.all())


@transaction.atomic
def sequence_set_status(*, sequence: Sequence, status: str) -> Sequence:
    """Pause, resume (active) or archive a sequence; archiving stops its running enrollments."""
    return sequence_update(sequence=sequence, status=status)


def sequence_pause(*, sequence: Sequence) -> Sequence:
    return sequence_set_status(sequence=sequence, status=Sequence.Status.PAUSED)


def sequence_resume(*, sequence: Sequence) -> Sequence:
    return sequence_set_status(sequence=sequence, status=Sequence.Status.ACTIVE)
