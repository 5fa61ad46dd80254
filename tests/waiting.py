"""Waiting on another process (a Celery worker, a mail server) by its effects, never by a guessed sleep.

`wait_until(predicate)` returns as soon as the predicate holds and fails the test, saying what it
waited for, when it does not within the timeout. `assert_stays_true(predicate, for_seconds=…)` is
the other half: a deliberate "nothing more happens for N seconds" (no second send, no late
write), checked throughout the period so it fails at the first sign rather than after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")

Message = str | Callable[[], str]


def _describe(predicate: Callable[[], object], message: Message) -> str:
    said = message() if callable(message) else message
    name = getattr(predicate, "__name__", "")
    what = f" ({said})" if said else ""
    return (f"{name}{what}" if name and name != "<lambda>" else said) or "the condition"


def wait_until(predicate: Callable[[], T], *, timeout: float = 60.0, every: float = 0.1, message: Message = "") -> T:
    """Call `predicate` every `every` seconds until it returns something truthy, and return that.

    Fails the test after `timeout` seconds. `message` (a string, or a callable asked only on
    failure, e.g. to report the rows' current state) says what was awaited.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            pytest.fail(f"Waited {timeout:g} s in vain for {_describe(predicate, message)}", pytrace=False)
        time.sleep(every)


def assert_stays_true(
    predicate: Callable[[], object], *, for_seconds: float, every: float = 0.1, message: Message = ""
) -> None:
    """Check `predicate` every `every` seconds for `for_seconds`; fail the test the first time it is false.

    For the deliberate "and nothing more happens" after a wait: a duplicate send or a late
    write a worker might still make shows up within the period.
    """
    started = time.monotonic()
    deadline = started + for_seconds
    while True:
        if not predicate():
            elapsed = time.monotonic() - started
            pytest.fail(
                f"No longer true after {elapsed:.1f} s of {for_seconds:g}: {_describe(predicate, message)}",
                pytrace=False,
            )
        if time.monotonic() >= deadline:
            return
        time.sleep(every)
