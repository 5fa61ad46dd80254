"""Lower apps do not reach `engagement` by any back door.

An app imports only from apps to its left (talentcircles ← candidates ← messaging ← engagement). An
import is not the only way to reach a higher app. A module of a lower app could also:
- load engagement's models by name (`apps.get_model("engagement", …)`);
- reflect on a relation that engagement defines on a lower model
  (`Candidate._meta.get_field("circle_memberships")`);
- query or follow such a relation (`circle_memberships__circle_id=…`, `prefetch_related("enrollments")`,
  `candidate.enrollments`);
- keep the id of an engagement row in a column of its own (`Thread.circle_id`).

These tests fail on any of those in talentcircles, candidates and messaging (their migrations
aside). The relation names come from the app registry: every foreign key and one-to-one field of an
engagement model that points at a lower app's model, with the accessor and query names it gives
that model. Lower apps ask engagement through the documented hooks instead
(talentcircles/events.py, audiences.py, guards.py …).
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parent.parent
LOWER_APPS = ("talentcircles", "candidates", "messaging")
HIGHER_APP = "engagement"


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def engagement_relation_names() -> dict[str, str]:
    """Every reverse accessor and query name an engagement model puts on a lower app's model → where it comes from."""
    names: dict[str, str] = {}
    for model in apps.get_app_config(HIGHER_APP).get_models():
        for field in model._meta.get_fields():
            if not (field.is_relation and field.concrete and field.related_model is not None):
                continue
            target = field.related_model._meta
            if target.app_label not in LOWER_APPS or field.remote_field.hidden:
                continue
            where = f"{model.__name__}.{field.name} → {target.label}"
            names[field.remote_field.get_accessor_name()] = where
            names[field.related_query_name()] = where
    return names


def engagement_id_names() -> set[str]:
    """`<engagement model>_id` in the spellings a column could take: `sequence_step_id`, `sequencestep_id`."""
    found = set()
    for model in apps.get_app_config(HIGHER_APP).get_models():
        found |= {f"{_snake(model.__name__)}_id", f"{model._meta.model_name}_id"}
    return found


def lower_modules() -> list[Path]:
    return sorted(
        path
        for app in LOWER_APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


_GET_MODEL = re.compile(r"""get_(?:model|app_config)\(\s*["']engagement["'.]""")
_GET_FIELD = re.compile(r"""_meta\.get_field\(\s*["'](\w+)["']""")


def upward_reaches(source: str, relation_names: dict[str, str]) -> list[str]:
    """What in this module's source reaches engagement: one line per finding, with its line number."""
    findings = []
    lookups = "|".join(re.escape(name) for name in sorted(relation_names, key=len, reverse=True))
    through = re.compile(
        rf"""(?<![\w.])({lookups})__\w"""  # a lookup through the relation: circle_memberships__circle_id
        rf"""|["']({lookups})(?:__\w+)*["']"""  # a name in a string: prefetch_related("enrollments")
        # The reverse accessor (candidate.enrollments.all()); not one's own attribute (self.circles), and not
        # a module path such as "engagement.circles.urls" (the project's URLs, settings and Celery name those).
        rf"""|(?<=[\w)\]])(?<!\bself)(?<!engagement)\.({lookups})\b(?!\s*=[^=])"""
    )
    for number, line in enumerate(source.splitlines(), start=1):
        if _GET_MODEL.search(line):
            findings.append(f"line {number}: loads an engagement model by name: {line.strip()}")
        for match in _GET_FIELD.finditer(line):
            if match.group(1) in relation_names:
                findings.append(f"line {number}: reflects engagement's relation {match.group(1)!r}: {line.strip()}")
        for match in through.finditer(line) if lookups else ():
            name = next(group for group in match.groups() if group)
            findings.append(f"line {number}: goes through {name!r} ({relation_names[name]}): {line.strip()}")
    return findings


def test_engagement_defines_relations_on_lower_models():
    """The check below has something to look for (it would pass vacuously otherwise)."""
    names = engagement_relation_names()
    assert {"circle_memberships", "enrollments", "sequence_message", "circle_outreach"} <= set(names)
    assert {"circle_id", "enrollment_id", "sequence_step_id"} <= engagement_id_names()


@pytest.mark.parametrize("path", lower_modules(), ids=lambda path: str(path.relative_to(ROOT)))
def test_lower_modules_do_not_reach_engagement(path: Path):
    findings = upward_reaches(path.read_text(encoding="utf-8"), engagement_relation_names())
    assert not findings, f"{path.relative_to(ROOT)} reaches engagement:\n" + "\n".join(findings)


def engagement_ids_kept(lower_models) -> list[str]:
    """Columns of these models that point at an engagement model or are named after one (`circle_id`)."""
    id_names = engagement_id_names()
    wrong = []
    for model in lower_models:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model._meta.app_label == HIGHER_APP:
                wrong.append(f"{model._meta.label}.{field.name} points at {field.related_model._meta.label}")
            elif any(name == field.name or field.name.endswith(f"_{name}") for name in id_names):
                wrong.append(f"{model._meta.label}.{field.name} holds an engagement id")
    return wrong


def test_lower_models_keep_no_engagement_ids():
    wrong = engagement_ids_kept(model for app in LOWER_APPS for model in apps.get_app_config(app).get_models())
    assert not wrong, "\n".join(wrong)


# --- The checks catch what they are for --------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        'Circle = apps.get_model("engagement", "Circle")',
        "Sequence = apps.get_model('engagement.Sequence')",
        'membership = Candidate._meta.get_field("circle_memberships").related_model',
        "Candidate.objects.filter(circle_memberships__circle_id=circle_id)",
        'Candidate.objects.prefetch_related("enrollments")',
        "Thread.objects.filter(sequence_messages__enrollment_id=enrollment_id)",
        "Message.objects.values_list('sequence_message__step_id', flat=True)",
        "for enrollment in candidate.enrollments.all():",
    ],
)
def test_each_kind_of_upward_reach_is_found(line: str):
    assert upward_reaches(line, engagement_relation_names())


@pytest.mark.parametrize(
    "line",
    [
        "qs = qs.filter(pk__in=audience_member_ids(org, f.circle_id))",
        "return audience_get(org, circle_id, CIRCLE)",
        'field = Candidate._meta.get_field("email")',
        "self.enrollments = []  # a plain attribute of one's own",
        "circle = rng.choice(self.circles) if self.circles else None",
        'path("", include("engagement.circles.urls")),',
        '"""Talent circles, their enrollments and reminders, in prose."""',
    ],
)
def test_the_hooks_and_plain_words_are_not_flagged(line: str):
    assert not upward_reaches(line, engagement_relation_names())


def _field(name: str) -> models.Field:
    field = models.BigIntegerField(null=True)
    field.set_attributes_from_name(name)
    return field


def test_an_id_column_named_after_an_engagement_model_is_found():
    # A stand-in for a model's options, so no model is registered with the app (it would stay there).
    legacy = SimpleNamespace(
        _meta=SimpleNamespace(
            label="messaging.Thread",
            concrete_fields=[_field("circle_id"), _field("last_enrollment_id"), _field("message_count")],
        )
    )
    assert engagement_ids_kept([legacy]) == [
        "messaging.Thread.circle_id holds an engagement id",
        "messaging.Thread.last_enrollment_id holds an engagement id",
    ]
