"""What a Redis outage costs an API call, with the fail-open cache (talentcircles/cache.py).

Prints figures; it is not a timed test. Starts its own redis-server on a free port, then times
`GET /api/v1/organization/` (session auth, DRF's user throttle reading and writing the cache):
Redis up; Redis killed (connection refused); a "mute" server that accepts connections and never
answers (the worst case: every operation waits for the socket timeout), with the breaker as
configured (5 s) and with it off. Uses the database DATABASE_URL points at (migrated) and removes
its own organisation when done.
"""

from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

import django.test.signals  # noqa: E402  (resets the cache handlers when CACHES changes)
import redis  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

from talentcircles.models import Membership, Organization, User  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "200"))
URL = "/api/v1/organization/"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cache_at(location: str, retry_seconds: float = 5) -> dict:
    options = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5, "OUTAGE_RETRY_SECONDS": retry_seconds}
    return {"default": {"BACKEND": "talentcircles.cache.FailOpenRedisCache", "LOCATION": location, "OPTIONS": options}}


def timed(client: Client, rounds: int = ROUNDS) -> list[float]:
    cache.reset_outage()  # the outage state is per server and process: each scenario starts fresh
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(URL)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return samples


def report(label: str, samples: list[float], baseline: float | None) -> float:
    median = statistics.median(samples)
    worst = max(samples)
    ratio = f"  x{median / baseline:.2f} of Redis up" if baseline else ""
    print(f"{label:<44} median {median:7.2f} ms  max {worst:7.1f} ms  ({len(samples)} calls){ratio}")
    return median


def main() -> None:
    org = Organization.objects.create(name="Benchmark outage", slug=f"bench-outage-{os.getpid()}")
    user = User.objects.create_user(f"bench-outage-{os.getpid()}@example.com", "x")
    Membership.objects.create(user=user, organization=org, role="admin")
    client = Client()
    client.force_login(user)
    port = free_port()
    workdir = tempfile.mkdtemp()
    server = subprocess.Popen(  # noqa: S603 (our own fixed arguments)
        [shutil.which("redis-server") or "redis-server", "--port", str(port), "--save", "", "--dir", workdir],
        stdout=subprocess.DEVNULL,
    )
    mute = socket.socket()
    try:
        probe = redis.Redis(port=port)
        for _ in range(100):
            try:
                probe.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        with override_settings(CACHES=cache_at(f"redis://127.0.0.1:{port}/0")):
            timed(client, 10)  # warm up
            up = report("Redis up", timed(client), None)
            server.kill()
            server.wait()
            report("Redis killed (refused), breaker 5 s", timed(client), up)
        with override_settings(CACHES=cache_at(f"redis://127.0.0.1:{port}/0", retry_seconds=0)):
            report("Redis killed (refused), breaker off", timed(client), up)
        mute.bind(("127.0.0.1", 0))
        mute.listen(1024)
        silent = f"redis://127.0.0.1:{mute.getsockname()[1]}/0"
        with override_settings(CACHES=cache_at(silent)):
            report("mute server (never answers), breaker 5 s", timed(client), up)
        with override_settings(CACHES=cache_at(silent, retry_seconds=0)):
            report("mute server (never answers), breaker off", timed(client, 10), up)
    finally:
        server.kill()
        mute.close()
        org.delete()
        user.delete()


if __name__ == "__main__":
    main()
