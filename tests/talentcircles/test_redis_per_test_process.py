"""Each pytest-xdist test process has a Redis database of its own, computed once and inherited as it is."""

from __future__ import annotations

import os

import pytest

from talentcircles.env import redis_url_per_test_process


@pytest.fixture
def environment(monkeypatch):
    monkeypatch.delenv("TC_REDIS_DB_OF_TEST_PROCESS", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    ("worker", "url", "expected"),
    [
        ("gw0", "redis://127.0.0.1:6379/7", "redis://127.0.0.1:6379/7"),
        ("gw1", "redis://127.0.0.1:6379/7", "redis://127.0.0.1:6379/8"),
        ("gw3", "redis://127.0.0.1:6379", "redis://127.0.0.1:6379/3"),
        ("gw1", "rediss://:secret@cache.example:6380/2", "rediss://:secret@cache.example:6380/3"),
    ],
)
def test_a_test_process_gets_the_urls_database_plus_its_number(environment, worker, url, expected):
    environment.setenv("PYTEST_XDIST_WORKER", worker)
    assert redis_url_per_test_process(url) == expected
    assert os.environ["REDIS_URL"] == expected  # what the workers its tests start inherit


def test_the_url_is_moved_once_so_a_worker_started_by_a_test_keeps_it(environment):
    environment.setenv("PYTEST_XDIST_WORKER", "gw1")
    moved = redis_url_per_test_process("redis://127.0.0.1:6379/7")
    assert redis_url_per_test_process(moved) == moved == "redis://127.0.0.1:6379/8"


def test_outside_xdist_and_without_redis_nothing_changes(environment):
    environment.delenv("PYTEST_XDIST_WORKER", raising=False)
    assert redis_url_per_test_process("redis://127.0.0.1:6379/7") == "redis://127.0.0.1:6379/7"
    environment.setenv("PYTEST_XDIST_WORKER", "gw1")
    assert redis_url_per_test_process("") == ""
