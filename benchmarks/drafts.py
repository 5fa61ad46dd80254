"""Rendering and checking drafts in memory, 1,000 candidates a round (run by `make bench`; no database).

Prints figures; it is not a timed test (tests/messaging/test_rendering.py and test_checks.py
check what rendering and the check produce). Each figure is the median time of
BENCH_DRAFTS_ROUNDS (default 5) rounds over BENCH_DRAFTS (default 1,000) unsaved candidates, and
its ratio to a floor measured in the same run: Django's own template engine rendering the same
subject and body for the same people. The ratio travels between machines; the milliseconds do not.
Targets, per 1,000 drafts: rendering under 1 s, rendering and checking under 2 s.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.template import Context, Engine  # noqa: E402

from candidates.models import Candidate  # noqa: E402
from messaging.checks import draft_findings  # noqa: E402
from messaging.rendering import parse, render_message  # noqa: E402
from talentcircles.models import Organization, User  # noqa: E402

DRAFTS = int(os.environ.get("BENCH_DRAFTS", "1000"))
ROUNDS = int(os.environ.get("BENCH_DRAFTS_ROUNDS", "5"))
TARGETS_MS = {"render": 1000.0, "check": 2000.0}  # per 1,000 drafts

SUBJECT = "{{ candidate.first_name }}, {{ candidate.current_title|default:'your work' }} at {{ organization.name }}"
BODY = (
    "Hi {{ candidate.first_name }},\n\nYour work as {{ candidate.current_title|default:'an engineer' }} at "
    "{{ candidate.current_company }} caught my eye. We are growing a small team at {{ organization.name }} "
    "and I think you would like what they are building. Would you be open to a short call about it?\n\n"
    "{{ recruiter.full_name }}"
) * 3
RECRUITER = User(email="rita@example.com", first_name="Rita", last_name="Reyes", title="Talent Partner")
ORG = Organization(name="Acme Inc", slug="acme")


def people() -> list[Candidate]:
    profile = {"last_name": "Silva", "industry": "Hospital & Health Care", "city": "Lisbon"}
    return [
        Candidate(first_name=f"Person{i}", current_company=f"Company {i}", current_title=title, **profile)
        for i, title in zip(range(DRAFTS), ["Engineer", ""] * DRAFTS, strict=False)
    ]


def floor(sample: list[Candidate]) -> None:
    """What any template engine must do: fill the same subject and body with each person's values."""
    engine = Engine()
    subject, body = engine.from_string(SUBJECT), engine.from_string(BODY)
    recruiter = {"full_name": RECRUITER.get_full_name()}
    for person in sample:
        context = Context({"candidate": person, "recruiter": recruiter, "organization": ORG})
        subject.render(context)
        body.render(context)


def render(sample: list[Candidate]) -> None:
    for person in sample:
        render_message(subject=SUBJECT, body=BODY, candidate=person, recruiter=RECRUITER, organization=ORG)


def render_and_check(sample: list[Candidate]) -> None:
    for person in sample:
        draft = render_message(subject=SUBJECT, body=BODY, candidate=person, recruiter=RECRUITER, organization=ORG)
        draft_findings(candidate=person, subject=draft.subject, body=draft.body, template_body=BODY, organization=ORG)


def median_ms(step: Callable[[list[Candidate]], None], sample: list[Candidate]) -> float:
    step(sample[:10])  # warm up: compiled patterns, the vocabulary the check loads once
    samples = []
    for _ in range(ROUNDS):
        parse.cache_clear()  # each round parses the template once, as a bulk send does
        start = time.perf_counter()
        step(sample)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    sample = people()
    per_thousand = 1000 / DRAFTS
    print(f"drafts: {DRAFTS:,} unsaved candidates a round, median of {ROUNDS} rounds, ms per 1,000 drafts")
    base = median_ms(floor, sample) * per_thousand
    print(f"  {'floor: Django template engine, same texts':52} {base:8.1f} ms")
    for key, label, step in [
        ("render", "render_message (subject + body)", render),
        ("check", "render_message + draft_findings (the check)", render_and_check),
    ]:
        value = median_ms(step, sample) * per_thousand
        target = TARGETS_MS[key]
        verdict = "ok" if value < target else f"OVER the {target:,.0f} ms target"
        print(f"  {label:52} {value:8.1f} ms  {value / base:6.2f}x floor  {verdict}")


if __name__ == "__main__":
    main()
