"""Timing a page through Django's test client, shared by the page benchmarks (home, job fit)."""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100)[q - 1] if len(samples) > 1 else samples[0]


def timed(client: Client, url: str, rounds: int) -> tuple[list[float], int]:
    """`rounds` timings of `url` in ms after one warm-up, and the page's query count."""
    client.get(url)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return samples, len(queries)
