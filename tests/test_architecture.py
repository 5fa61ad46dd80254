"""The architecture, checked by reading the code: import direction, write paths and sizes.

The rules are docs/architecture.md's: an app imports only from apps to its left
(talentcircles ← candidates ← messaging ← engagement), each part of `engagement` only from parts
to its left (timeline ← circles ← sequences ← analytics), with no import cycle inside `engagement`;
views, API modules, tasks and management commands write through services; modules and functions
stay small enough to read. Imports inside functions count as much as those at the top.

The allow-lists below are explicit and commented; the size exemptions only shrink: an exempt module
or function that is back under its limit fails the test until its entry is removed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("talentcircles", "candidates", "messaging", "engagement")
PARTS = ("timeline", "circles", "sequences", "analytics")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80

# Modules over MAX_MODULE_LINES, each with the reason it is one module. Remove an entry when it shrinks.
MODULE_SIZE_EXEMPT: dict[str, str] = {}
# Functions over MAX_FUNCTION_LINES ("path::Qualified.name"), each with its reason.
FUNCTION_SIZE_EXEMPT: dict[str, str] = {}

# Functions of edge modules allowed to write to the database directly ("path::Qualified.name").
WRITE_ALLOWED: dict[str, str] = {}

WRITE_METHODS = {"save", "delete", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}
# `.update(` is also a dict's method: it counts as a write only on something that looks like a queryset.
QUERYSET_HINTS = ("objects", "filter(", "exclude(", "for_org(", "all(", "select_for_update(")


@dataclass(frozen=True)
class Module:
    name: str
    path: Path

    @property
    def relative(self) -> str:
        return self.path.relative_to(ROOT).as_posix()

    @property
    def app(self) -> str:
        return self.name.split(".")[0]

    @property
    def part(self) -> str | None:
        bits = self.name.split(".")
        return bits[1] if bits[0] == "engagement" and len(bits) > 1 and bits[1] in PARTS else None

    @property
    def tree(self) -> ast.Module:
        return _parse(self.path)


@cache
def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(), filename=str(path))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def product_modules() -> tuple[Module, ...]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                found.append(Module(_module_name(path), path))
    return tuple(found)


@cache
def _names() -> frozenset[str]:
    return frozenset(module.name for module in product_modules())


def _resolve(target: str) -> str | None:
    """The product module an import names (`from a.b import c` may name module a.b.c or a name in a.b)."""
    while target:
        if target in _names():
            return target
        target = target.rpartition(".")[0]
    return None


def imports(module: Module) -> Iterator[tuple[str, int]]:
    """(imported product module, line) for every import in the module, wherever it stands."""
    package = module.name if module.path.name == "__init__.py" else module.name.rpartition(".")[0]
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            resolved = _resolve(target)
            if resolved and resolved != module.name:
                yield resolved, node.lineno


def _module(name: str) -> Module:
    return next(module for module in product_modules() if module.name == name)


def test_apps_import_only_from_apps_to_their_left():
    wrong = [
        f"{module.relative}:{line} imports {target}"
        for module in product_modules()
        for target, line in imports(module)
        if APPS.index(target.split(".")[0]) > APPS.index(module.app)
    ]
    assert not wrong, "Imports against talentcircles ← candidates ← messaging ← engagement:\n" + "\n".join(wrong)


def test_engagement_parts_import_only_parts_to_their_left():
    """The wiring at engagement's root (apps.py, models.py, admin.py, commands, template tags) may import any part."""
    wrong = []
    for module in product_modules():
        if module.part is None:
            continue
        for target, line in imports(module):
            if not target.startswith("engagement"):
                continue
            target_part = _module(target).part
            if target_part is None:
                wrong.append(f"{module.relative}:{line} imports engagement's root module {target}")
            elif PARTS.index(target_part) > PARTS.index(module.part):
                wrong.append(f"{module.relative}:{line} imports {target}")
    assert not wrong, "Imports against timeline ← circles ← sequences ← analytics:\n" + "\n".join(wrong)


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in graph.get(node, ()):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_engagement_has_no_import_cycle():
    graph = {
        module.name: {target for target, _ in imports(module) if target.startswith("engagement")}
        for module in product_modules()
        if module.app == "engagement"
    }
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# --- Write paths ------------------------------------------------------------------------------

EDGE_NAME = re.compile(r"^(views|.*_views|portal|api|.*_api|api_.*|tasks|webhooks)\.py$")


def is_edge(module: Module) -> bool:
    """Views, portal pages, API modules, tasks, webhooks and management commands."""
    parts = module.path.relative_to(ROOT).parts
    if "commands" in parts and "management" in parts:
        return module.path.name != "__init__.py"
    return "views" in parts[:-1] or "api" in parts[:-1] or bool(EDGE_NAME.match(module.path.name))


def _is_write(call: ast.Call) -> bool:
    if not isinstance(call.func, ast.Attribute):
        return False
    receiver = ast.unparse(call.func.value)
    if receiver == "self":  # a view's own method (which calls a service)
        return False
    if call.func.attr == "update":
        return any(hint in receiver for hint in QUERYSET_HINTS)
    return call.func.attr in WRITE_METHODS


def _functions(tree: ast.AST, prefix: str = "") -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield f"{prefix}{node.name}", node
            yield from _functions(node, f"{prefix}{node.name}.")


def edge_writes() -> Iterator[tuple[str, str]]:
    """("path::function", "line: call") for each database write in an edge module."""
    for module in product_modules():
        if not is_edge(module):
            continue
        for qualname, function in _functions(module.tree):
            for node in ast.walk(function):
                if isinstance(node, ast.Call) and _is_write(node):
                    yield f"{module.relative}::{qualname}", f"{node.lineno}: {ast.unparse(node.func)}"


def test_views_api_tasks_and_commands_write_through_services():
    wrong = sorted({f"{where} ({call})" for where, call in edge_writes() if where not in WRITE_ALLOWED})
    assert not wrong, "Write through a service (or allow it in WRITE_ALLOWED with why):\n" + "\n".join(wrong)


def test_every_write_allowance_is_still_used():
    used = {where for where, _ in edge_writes()}
    assert sorted(set(WRITE_ALLOWED) - used) == []


@pytest.mark.parametrize(
    ("source", "is_write"),
    [
        ("Candidate.objects.filter(pk=1).update(stage='x')", True),
        ("context.update(extra)", False),
        ("form.save()", True),
        ("self.save(form)", False),
        ("Thread.objects.create(subject='x')", True),
        ("job.delete()", True),
    ],
)
def test_the_write_finder_tells_a_write_from_a_dict_update(source, is_write):
    call = ast.parse(source).body[0].value
    assert _is_write(call) is is_write


# --- Sizes ------------------------------------------------------------------------------------


def _module_lines() -> dict[str, int]:
    return {module.relative: len(module.path.read_text().splitlines()) for module in product_modules()}


def _function_lines() -> dict[str, int]:
    return {
        f"{module.relative}::{qualname}": function.end_lineno - function.lineno + 1
        for module in product_modules()
        for qualname, function in _functions(module.tree)
        if function.end_lineno is not None
    }


def test_product_modules_stay_under_500_lines():
    over = {path: lines for path, lines in _module_lines().items() if lines > MAX_MODULE_LINES}
    unexplained = {path: lines for path, lines in over.items() if path not in MODULE_SIZE_EXEMPT}
    assert not unexplained, f"Split these modules by what their parts do (see STYLE.md): {unexplained}"
    assert sorted(set(MODULE_SIZE_EXEMPT) - set(over)) == [], "Exempt modules now small enough: remove them."


def test_functions_stay_under_80_lines():
    over = {name: lines for name, lines in _function_lines().items() if lines > MAX_FUNCTION_LINES}
    unexplained = {name: lines for name, lines in over.items() if name not in FUNCTION_SIZE_EXEMPT}
    assert not unexplained, f"Split these functions: {unexplained}"
    assert sorted(set(FUNCTION_SIZE_EXEMPT) - set(over)) == [], "Exempt functions now small enough: remove them."


# --- Tasks ------------------------------------------------------------------------------------


def test_every_beat_entry_names_a_task_by_its_import_path(settings):
    from talentcircles.celery import app

    app.loader.import_default_modules()
    for entry, spec in settings.CELERY_BEAT_SCHEDULE.items():
        task = app.tasks.get(spec["task"])
        assert task is not None, f"{entry}: no task named {spec['task']}"
        assert spec["task"] == f"{task.run.__module__}.{task.run.__name__}", entry


def test_no_task_sets_its_own_name():
    named = [
        f"{module.relative}:{node.lineno}"
        for module in product_modules()
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Call)
        and ast.unparse(node.func) in {"shared_task", "app.task"}
        and any(keyword.arg == "name" for keyword in node.keywords)
    ]
    assert named == []
