"""Webhook deliveries per second by one worker, next to raw POSTs per second to the same receiver
(run by `make bench`).

Prints figures; it is not a timed test. Uses DATABASE_URL (PostgreSQL for the figures in docs/webhooks.md).
A receiver (http.server, HTTP/1.1 keep-alive, answering 200) runs in a child process on 127.0.0.1. First
the floor: BENCH_WEBHOOKS_EVENTS signed POSTs in a row with the worker's own HTTP client and no database
(and, for scale, as many `SELECT 1` round trips: a delivery's outcome is written in about three).
Then, for each shape, an organisation with one endpoint gets BENCH_WEBHOOKS_EVENTS deliveries written
through the outbox, and the worker's pass (`deliveries_run`, all the Celery task does) is timed until every
one is delivered: "spread" (one event per candidate) and "ordered" (BENCH_WEBHOOKS_PER_CANDIDATE events per
candidate, which the ordering rule delivers one claim at a time per candidate). Removed when done.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from talentcircles.models import Organization  # noqa: E402
from talentcircles.webhooks_out import delivery, signing  # noqa: E402
from talentcircles.webhooks_out.models import WebhookDelivery, WebhookEndpoint  # noqa: E402
from talentcircles.webhooks_out.outbox import WebhookEvent, webhook_events_record  # noqa: E402

EVENTS = int(os.environ.get("BENCH_WEBHOOKS_EVENTS", "2000"))
PER_CANDIDATE = int(os.environ.get("BENCH_WEBHOOKS_PER_CANDIDATE", "10"))


def serve(port_out) -> None:  # the receiver, in its own process
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        disable_nagle_algorithm = True  # else a reply in two writes waits on the client's delayed ACK (40 ms)
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_out.put(server.server_address[1])
    server.serve_forever()


def raw_posts_per_second(url: str) -> float:
    client = delivery.http_client()
    body = b'{"id":"bench","type":"ping","data":{}}'
    started = time.perf_counter()
    for n in range(EVENTS):
        headers = signing.signed_headers("whsec_bench", body, event_type="ping", event_id=str(n))
        client.post(url, content=body, headers=headers).raise_for_status()
    return EVENTS / (time.perf_counter() - started)


def round_trips_per_second() -> float:
    """`SELECT 1` in a row: what a database round trip costs on this machine now (a delivery makes about 3)."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for _ in range(EVENTS):
            cursor.execute("SELECT 1")
    return EVENTS / (time.perf_counter() - started)


def seed(url: str, shape: str) -> tuple[Organization, WebhookEndpoint]:
    stamp = f"{int(time.time())}-{shape}"
    org = Organization.objects.create(name="Bench Webhooks", slug=f"bench-webhooks-{stamp}")
    endpoint = WebhookEndpoint.objects.create(organization=org, url=url, events=["candidate.updated"])
    per = 1 if shape == "spread" else PER_CANDIDATE
    now = timezone.now()
    batch = [
        WebhookEvent(org.pk, "candidate.updated", 10_000_000 + n // per, {"fields": ["city"], "by": "bench"}, now)
        for n in range(EVENTS)
    ]
    for start in range(0, EVENTS, 1000):
        webhook_events_record(batch[start : start + 1000])
    return org, endpoint


def deliveries_per_second(url: str, shape: str) -> tuple[float, int]:
    org, endpoint = seed(url, shape)
    try:
        queries_before = len(connection.queries)
        started = time.perf_counter()
        done = 0
        while done < EVENTS:
            done += delivery.deliveries_run(max_passes=10_000).get("delivered", 0)
        elapsed = time.perf_counter() - started
        assert WebhookDelivery.objects.filter(endpoint=endpoint, status="delivered").count() == EVENTS
        return EVENTS / elapsed, len(connection.queries) - queries_before
    finally:
        org.delete()


def main() -> None:
    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_HTTP_LOCALHOST = True  # the receiver is on 127.0.0.1
    ports: multiprocessing.Queue = multiprocessing.Queue()
    receiver = multiprocessing.Process(target=serve, args=(ports,), daemon=True)
    receiver.start()
    url = f"http://127.0.0.1:{ports.get(timeout=10)}/hooks"
    try:
        floor = raw_posts_per_second(url)
        print(f"webhooks out on {connection.vendor}, {EVENTS} events, one worker process")
        print(f"  floor: raw signed POSTs to the receiver, no database: {floor:,.0f}/s")
        print(f"  database round trips (SELECT 1): {round_trips_per_second():,.0f}/s")
        for shape in ("spread", "ordered"):
            rate, _ = deliveries_per_second(url, shape)
            what = "one event per candidate" if shape == "spread" else f"{PER_CANDIDATE} events per candidate"
            print(f"  delivered ({what}): {rate:,.0f} events/s = {rate / floor:.0%} of the floor")
    finally:
        receiver.terminate()


if __name__ == "__main__":
    main()
