"""The waiting helpers the real-worker tests use instead of sleeps."""

from __future__ import annotations

import itertools

import pytest

from tests.waiting import assert_stays_true, wait_until


def test_it_returns_the_predicates_value_as_soon_as_it_holds():
    calls = itertools.count(1)

    assert wait_until(lambda: next(calls) >= 3 and "ready", every=0) == "ready"
    assert next(calls) == 4  # asked three times, not once more


def test_it_fails_the_test_saying_what_it_waited_for():
    with pytest.raises(pytest.fail.Exception, match=r"Waited 0\.01 s in vain for 3 messages sent \(0 so far\)"):
        wait_until(lambda: False, timeout=0.01, every=0, message=lambda: "3 messages sent (0 so far)")


def test_a_named_predicate_names_itself():
    def worker_is_up() -> bool:
        return False

    with pytest.raises(pytest.fail.Exception, match=r"for worker_is_up$"):
        wait_until(worker_is_up, timeout=0, every=0)


def test_it_passes_while_the_predicate_keeps_holding():
    calls = itertools.count(1)

    assert_stays_true(lambda: next(calls) > 0, for_seconds=0.01, every=0)
    assert next(calls) > 2  # checked throughout, not once


def test_it_fails_at_the_first_false():
    calls = itertools.count(1)

    with pytest.raises(pytest.fail.Exception, match=r"No longer true after .* of 60: sent twice"):
        assert_stays_true(lambda: next(calls) < 3, for_seconds=60, every=0, message="sent twice")
    assert next(calls) == 4
