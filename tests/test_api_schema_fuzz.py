"""Schemathesis over every operation of the OpenAPI schema: the API answers as its schema says.

Against the demo organisation (`demo_seed`) with its recruiter's token, each operation gets
`EXAMPLES` requests generated from the schema and `NEGATIVE_EXAMPLES` that break it (wrong types,
values out of range, missing fields). Every answer must not be a 5xx, must have a documented status
and content type, and its body must match the documented schema. All failures are collected and
reported together. `SCHEMA_FUZZ_EXAMPLES=50` runs a longer search.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from talentcircles.demo import demo_seed

EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES", "5"))
NEGATIVE_EXAMPLES = max(1, EXAMPLES // 2)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

pytestmark = pytest.mark.django_db


def _run(operation, mode: GenerationMode, examples: int, headers: dict, failures: Counter, seen: dict) -> int:
    ran = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:
        nonlocal ran
        ran += 1
        cache.clear()  # the throttles count per minute; this is one caller sending hundreds of requests
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except BaseExceptionGroup as group:
            for failure in group.exceptions:
                key = f"{operation.label}: {getattr(failure, 'title', type(failure).__name__)}"
                failures[key] += 1
                seen.setdefault(key, f"{case.as_curl_command(headers=headers)}\n{failure}"[:1500])

    try:
        check()
    except Unsatisfiable:  # nothing in this operation can be made invalid (no parameters, no body)
        assert mode == GenerationMode.NEGATIVE
    return ran


@pytest.fixture
def connections_kept_open():
    """As Django's test client does: a request must not close the connection holding the test's transaction."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.mark.usefixtures("connections_kept_open")
def test_every_operation_answers_as_its_schema_says(capsys):
    demo = demo_seed()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    headers = {"Authorization": f"Token {demo.api_key}"}
    failures: Counter = Counter()
    seen: dict[str, str] = {}
    operations = cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        cases += _run(operation, GenerationMode.POSITIVE, EXAMPLES, headers, failures, seen)
        cases += _run(operation, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, headers, failures, seen)
    with capsys.disabled():
        print(f"\nSchemathesis: {operations} operations, {cases} cases, {sum(failures.values())} failures")
    assert operations >= 60
    report = "\n\n".join(f"{count} times: {key}\n{seen[key]}" for key, count in failures.most_common())
    assert not failures, report
