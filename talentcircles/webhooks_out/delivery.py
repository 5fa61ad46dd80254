"""The delivery worker: claims due deliveries, POSTs them signed, and records what the receiver said.

- **Claim.** Due rows (pending, or delivering with an expired lease: a killed worker's) are selected
  with `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL and taken with a conditional UPDATE stamping
  this pass's claim token (which alone keeps two passes apart on SQLite). The HTTP requests happen
  after that commit, outside any transaction; each outcome is written in its own short one.
- **Ordering per candidate.** A delivery is not claimed while an earlier one (lower id) for the same
  endpoint and candidate is still open (pending, retrying or in flight): per endpoint, a candidate's
  events arrive in the order they happened. A delivery given up (failed) stops blocking the ones after it.
- **Outcome.** 2xx: delivered. 410 Gone: failed, and the endpoint is paused (the receiver said it is gone).
  Anything else (other 4xx, 5xx, redirects, timeouts, refused connections): retried with exponential
  backoff and jitter until `expires_at` (24 hours after it was written), then failed. An endpoint that
  has failed for 24 hours without a single delivery in between is paused and its organisation's admins told.
- **At least once.** A worker killed mid-request leaves that one delivery `delivering`; once its lease
  passes it is sent again with the same event id, which receivers use to drop duplicates.
"""

from __future__ import annotations

import json
import logging
import random
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from talentcircles.webhooks_out import hosts, signing
from talentcircles.webhooks_out.models import WebhookDelivery, WebhookEndpoint
from talentcircles.webhooks_out.outbox import DELIVERY_WINDOW
from talentcircles.webhooks_out.services import endpoint_pause

logger = logging.getLogger(__name__)

LANE_LENGTH = 4  # deliveries a lane posts one after the other in a claim: the claim takes concurrency times this
BACKOFF_BASE = timedelta(seconds=10)
BACKOFF_CAP = timedelta(hours=1)
JITTER = 0.2  # up to 20% more, so endpoints that failed together are not retried in lockstep
# A day of failures in a row (no delivery in between) pauses an endpoint.
PAUSE_AFTER = timedelta(hours=24)
RESPONSE_EXCERPT = 300
STAMP_EVERY = timedelta(minutes=1)  # how fresh an endpoint's "last delivered" stays

Status = WebhookDelivery.Status


def backoff(attempts: int, rng: random.Random | None = None) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 10 s, 20 s, 40 s … capped at an hour, plus jitter."""
    base = min(BACKOFF_CAP, BACKOFF_BASE * (2 ** max(0, attempts - 1)))
    return base * (1 + (rng or random).uniform(0, JITTER))


def lease() -> timedelta:
    # Longer than a lane's requests can take (each: connect + read timeouts), with room for the writes.
    return timedelta(seconds=LANE_LENGTH * 2 * settings.WEBHOOKS_TIMEOUT + 30)


def concurrency() -> int:
    """Requests one worker process has in flight at once (lanes): WEBHOOKS_CONCURRENCY on PostgreSQL;
    one on SQLite, whose single writer would only make the lanes wait on each other."""
    return max(1, settings.WEBHOOKS_CONCURRENCY) if connection.vendor == "postgresql" else 1


def _due(now: datetime):
    earlier_open = WebhookDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        candidate_id=OuterRef("candidate_id"),
        id__lt=OuterRef("id"),
        status__in=WebhookDelivery.OPEN,
    )
    return WebhookDelivery.objects.filter(
        Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.DELIVERING, locked_until__lt=now),
        endpoint__status=WebhookEndpoint.Status.ACTIVE,
    ).filter(~Exists(earlier_open))


def deliveries_claim(*, now: datetime | None = None, limit: int | None = None) -> list[WebhookDelivery]:
    """Take up to `limit` due deliveries for this worker (at most one per endpoint and candidate)."""
    now = now or timezone.now()
    limit = limit or concurrency() * LANE_LENGTH
    token = uuid.uuid4()
    with transaction.atomic():
        ids = list(
            _due(now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("next_attempt_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if not ids:
            return []
        # Conditional: a row another pass took since we read it (SQLite has no SKIP LOCKED) is left alone.
        WebhookDelivery.objects.filter(pk__in=ids).filter(
            Q(status=Status.PENDING) | Q(status=Status.DELIVERING, locked_until__lt=now)
        ).update(status=Status.DELIVERING, claim_token=token, locked_until=now + lease(), last_attempt_at=now)
    claimed = list(
        WebhookDelivery.objects.filter(claim_token=token, status=Status.DELIVERING)
        .select_related("endpoint")
        .order_by("id")
    )
    # One object per endpoint, so what one outcome learns of it (failing, stamped) the next one knows.
    endpoints: dict[int, WebhookEndpoint] = {}
    for delivery in claimed:
        delivery.endpoint = endpoints.setdefault(delivery.endpoint_id, delivery.endpoint)
    return claimed


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    excerpt: str

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def post(client: httpx.Client, delivery: WebhookDelivery) -> Outcome:
    """One signed POST; never raises for what the network or the receiver does."""
    refused = hosts.refusal(delivery.endpoint.url)
    if refused:
        return Outcome(None, refused[:RESPONSE_EXCERPT])
    body = body_of(delivery)
    headers = signing.signed_headers(
        delivery.endpoint.secret, body, event_type=delivery.event_type, event_id=str(delivery.event_id)
    )
    try:
        response = client.post(delivery.endpoint.url, content=body, headers=headers)
    except httpx.HTTPError as error:
        return Outcome(None, f"{type(error).__name__}: {error}"[:RESPONSE_EXCERPT])
    return Outcome(response.status_code, response.text[:RESPONSE_EXCERPT])


_clients: dict[int, httpx.Client] = {}


def http_client() -> httpx.Client:
    """This process's client, made on first use (after a worker's fork) and kept: its connections are
    reused from one pass to the next, and its TLS set-up (tens of milliseconds) is paid once."""
    timeout = settings.WEBHOOKS_TIMEOUT
    if timeout not in _clients:
        # No redirects: a 3xx is an answer (not delivered), never a reason to send the body elsewhere.
        _clients[timeout] = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)
    return _clients[timeout]


@transaction.atomic
def delivery_record_outcome(*, delivery: WebhookDelivery, outcome: Outcome, now: datetime | None = None) -> str:
    """Write what became of one attempt (only if this pass still holds the row); returns the new status."""
    now = now or timezone.now()
    attempts = delivery.attempts + 1
    fields: dict = {"attempts": attempts, "last_status_code": outcome.status_code, "last_error": "",
                    "claim_token": None, "locked_until": None}  # fmt: skip
    endpoint = delivery.endpoint
    if outcome.delivered:
        fields.update(status=Status.DELIVERED, delivered_at=now)
    else:
        fields["last_error"] = outcome.excerpt
        if outcome.gone or now >= delivery.expires_at:
            fields["status"] = Status.FAILED
        else:  # the last try is at the end of the 24 hours, however the backoff falls
            fields.update(status=Status.PENDING, next_attempt_at=min(now + backoff(attempts), delivery.expires_at))
    held = WebhookDelivery.objects.filter(pk=delivery.pk, claim_token=delivery.claim_token).update(**fields)
    if not held:
        return delivery.status  # another pass took it over after our lease ran out: its outcome counts
    for name, value in fields.items():
        setattr(delivery, name, value)
    _endpoint_after(endpoint, outcome, now, given_up=fields["status"] == Status.FAILED and not outcome.gone,
                    window_began=delivery.expires_at - DELIVERY_WINDOW)  # fmt: skip
    return fields["status"]


def _endpoint_after(
    endpoint: WebhookEndpoint, outcome: Outcome, now: datetime, *, given_up: bool, window_began: datetime
) -> None:
    if outcome.delivered:
        # Written when it changes something (failing, or a stamp older than a minute), as far as this pass
        # knows: not a write per delivery on the endpoint every worker delivers to.
        if (
            endpoint.failing_since is None
            and endpoint.last_delivered_at
            and now - endpoint.last_delivered_at < STAMP_EVERY
        ):
            return
        WebhookEndpoint.objects.filter(pk=endpoint.pk).filter(
            Q(failing_since__isnull=False)
            | Q(last_delivered_at__isnull=True)
            | Q(last_delivered_at__lt=now - STAMP_EVERY)
        ).update(failing_since=None, last_delivered_at=now)
        endpoint.failing_since, endpoint.last_delivered_at = None, now
        return
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(failing_since=now)
    failing_since, last_delivered_at = WebhookEndpoint.objects.values_list("failing_since", "last_delivered_at").get(
        pk=endpoint.pk
    )
    endpoint.failing_since = failing_since
    # A delivery given up after its whole 24 hours with nothing delivered meanwhile: a day of failures too.
    nothing_since = given_up and (last_delivered_at is None or last_delivered_at < window_began)
    if outcome.gone:
        endpoint_pause(endpoint=endpoint, reason="The receiver answered 410 Gone: it no longer wants these events.")
    elif nothing_since or (failing_since is not None and now - failing_since >= PAUSE_AFTER):
        endpoint_pause(endpoint=endpoint, reason="Every delivery has failed for 24 hours.")


def deliver_lane(deliveries: list[WebhookDelivery], client: httpx.Client, now: datetime | None) -> Counter[str]:
    """POST one delivery after the other, each outcome written in its own transaction."""
    counts: Counter[str] = Counter()
    for delivery in deliveries:
        counts[delivery_record_outcome(delivery=delivery, outcome=post(client, delivery), now=now)] += 1
    return counts


def deliver_claimed(
    deliveries: list[WebhookDelivery], client: httpx.Client, now: datetime | None = None
) -> Counter[str]:
    """Deliver a claim in `concurrency()` lanes at once (threads: the waits are the receiver's and the
    database's). A claim holds at most one delivery per endpoint and candidate, so lanes keep the order."""
    lanes = [deliveries[start :: concurrency()] for start in range(concurrency())]
    lanes = [lane for lane in lanes if lane]
    if len(lanes) <= 1:
        return deliver_lane(deliveries, client, now)

    def in_thread(lane: list[WebhookDelivery]) -> Counter[str]:
        try:
            return deliver_lane(lane, client, now)
        finally:
            connections.close_all()  # this thread's connection goes back to the pool

    with ThreadPoolExecutor(max_workers=len(lanes), thread_name_prefix="webhooks") as pool:
        return sum(pool.map(in_thread, lanes), Counter())


def deliveries_run(*, now: datetime | None = None, max_passes: int = 100) -> dict[str, int]:
    """Claim and deliver until nothing is due (or `max_passes` claims); returns counts by outcome.

    `now` (tests) fixes the clock for the claims and the outcomes; by default each uses the time it runs.
    """
    totals: Counter[str] = Counter()
    client = http_client()
    for _ in range(max_passes):
        claimed = deliveries_claim(now=now)
        if not claimed:
            break
        totals += deliver_claimed(claimed, client, now)
    return dict(totals)
