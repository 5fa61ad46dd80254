"""Readable names for roll-up keys."""

from __future__ import annotations


def key_labels(*, org, group_by: str, keys: list[str]) -> dict[str, str]:
    """Readable names for roll-up keys (ids or values), scoped to the organisation."""
    from candidates.models import INDUSTRY_CHOICES, Candidate
    from engagement.circles.models import Circle
    from engagement.sequences.models import Sequence, SequenceStep
    from messaging.models import MessageTemplate
    from talentcircles.models import User

    ids = [int(key) for key in keys if key.isdigit()]
    none_label = {
        "all": "Everyone", "recruiter": "No recruiter", "template": "No template", "sequence": "Not in a sequence",
        "step": "Not a sequence step", "circle": "No circle", "source": "Unknown source", "industry": "No industry",
    }[group_by]  # fmt: skip
    labels: dict[str, str] = {"": none_label}
    if group_by == "recruiter":
        from talentcircles.models import Membership

        members = Membership.objects.filter(organization=org, user_id__in=ids).values_list("user_id", flat=True)
        for user in User.objects.filter(pk__in=list(members)):
            labels[str(user.pk)] = user.get_full_name() or user.email or user.get_username()
    elif group_by == "template":
        for pk, name in MessageTemplate.objects.for_org(org).filter(pk__in=ids).values_list("pk", "name"):
            labels[str(pk)] = name
    elif group_by == "sequence":
        for pk, name in Sequence.objects.for_org(org).filter(pk__in=ids).values_list("pk", "name"):
            labels[str(pk)] = name
    elif group_by == "step":
        steps = SequenceStep.objects.filter(sequence__organization=org, pk__in=ids)
        for pk, order, name in steps.values_list("pk", "order", "sequence__name"):
            labels[str(pk)] = f"{name} · step {order}"
    elif group_by == "circle":
        for pk, name in Circle.objects.for_org(org).filter(pk__in=ids).values_list("pk", "name"):
            labels[str(pk)] = name
    elif group_by == "source":
        labels.update(dict(Candidate.Source.choices))
    elif group_by == "industry":
        labels.update({str(value): str(label) for value, label in INDUSTRY_CHOICES})
    return {key: labels.get(key, f"#{key}" if key.isdigit() else key) for key in keys}
