"""Inbound e-mail speed: parse + clean + detect + match per message, per process (run by `make bench`).

Prints figures; it is not a timed test. The target is at least 200 messages per second per
process. Uses the fixture mails in tests/messaging/fixtures (every client style, charsets,
auto-replies, a bounce). For the matching figure each mail's reply token and Message-ID belong
to a conversation created for the run in the database DATABASE_URL points at, inside a
transaction that is rolled back afterwards: nothing is left behind.
BENCH_INBOUND_MESSAGES (default 2,000) messages per figure.

Then a hostile mail of 10,000 MIME parts, of which parse_email walks only MAX_PARTS: its median
time over BENCH_INBOUND_HOSTILE_ROUNDS (default 5) parses, as a ratio to a floor measured in the
same run, the standard library's parse of the same bytes (which our parser cannot avoid). Target:
under 10 s, and a small multiple of the floor.
"""

from __future__ import annotations

import email
import email.policy
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import DatabaseError, transaction  # noqa: E402

from candidates.models import Candidate  # noqa: E402
from messaging.classify import classify_reply  # noqa: E402
from messaging.inbound.cleaning import clean_reply  # noqa: E402
from messaging.inbound.detection import auto_reply_reason, detect_bounce  # noqa: E402
from messaging.inbound.matching import match_email  # noqa: E402
from messaging.inbound.parsing import MAX_PARTS, parse_email  # noqa: E402
from messaging.models import Message, Thread  # noqa: E402
from talentcircles.models import Organization  # noqa: E402

MESSAGES = int(os.environ.get("BENCH_INBOUND_MESSAGES", "2000"))
HOSTILE_ROUNDS = int(os.environ.get("BENCH_INBOUND_HOSTILE_ROUNDS", "5"))
HOSTILE_PARTS = 10_000
HOSTILE_TARGET_SECONDS = 10.0
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "messaging" / "fixtures"
TARGET_PER_SECOND = 200


def mails() -> list[bytes]:
    found = []
    for index, path in enumerate(sorted(FIXTURES.glob("*.eml"))):
        raw = path.read_bytes()
        found.append(
            raw.replace(b"{{TOKEN}}", f"benchtoken{index:04d}".encode())
            .replace(b"{{MESSAGE_ID}}", f"<bench-{index}@bench.test>".encode())
            .replace(b"{{RECIPIENT}}", b"nobody@bench.test")
            .replace(b"@reply.test", f"@{settings.INBOUND_EMAIL_DOMAIN}".encode())
        )
    return found


def without_database(raw: bytes) -> None:
    parsed = parse_email(raw)
    if detect_bounce(parsed) is None:
        auto_reply_reason(parsed)
        classify_reply(clean_reply(parsed.text))


def with_matching(raw: bytes) -> None:
    parsed = parse_email(raw)
    if detect_bounce(parsed) is None:
        auto_reply_reason(parsed)
        classify_reply(clean_reply(parsed.text))
        match_email(parsed)


def rate(step, sample: list[bytes]) -> float:
    for raw in sample:  # warm up: compiled patterns, database connection
        step(raw)
    start = time.perf_counter()
    for index in range(MESSAGES):
        step(sample[index % len(sample)])
    return MESSAGES / (time.perf_counter() - start)


def many_parts_mail(parts: int) -> bytes:
    body = "".join(f"--b\nContent-Type: text/plain\n\npart {n}\n" for n in range(parts))
    return (
        f"From: a@b.test\nSubject: many\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=b\n\n{body}--b--\n"
    ).encode()


def median_ms(step, raw: bytes) -> float:
    step(raw)  # warm up: the email package's codecs and header classes
    samples = []
    for _ in range(HOSTILE_ROUNDS):
        gc.collect()  # the previous parse's 10,000 parts are garbage: not this one's cost
        start = time.perf_counter()
        step(raw)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def hostile() -> None:
    raw = many_parts_mail(HOSTILE_PARTS)
    floor = median_ms(lambda raw: email.message_from_bytes(raw, policy=email.policy.compat32), raw)
    ours = median_ms(parse_email, raw)
    verdict = "ok" if ours < HOSTILE_TARGET_SECONDS * 1000 else f"OVER the {HOSTILE_TARGET_SECONDS:.0f} s target"
    print(f"a hostile mail: {HOSTILE_PARTS:,} MIME parts, {len(raw) // 1024:,} KB, median of {HOSTILE_ROUNDS} parses")
    print(f"  {'floor: stdlib parse, same bytes':30} {floor:8.1f} ms")
    print(f"  {'parse_email':30} {ours:8.1f} ms  {ours / floor:5.2f}x floor (walks {MAX_PARTS} parts)  {verdict}")


class Rollback(Exception):
    pass


def conversations(count: int) -> None:
    """One organisation, candidate, thread and outgoing message per fixture, tokens benchtoken0000…"""
    org = Organization.objects.create(name="Inbound benchmark", slug="bench-inbound-tmp")
    for index in range(count):
        candidate = Candidate.objects.create(organization=org, first_name="Bench", email=f"bench{index}@bench.test")
        thread = Thread.objects.create(
            organization=org, candidate=candidate, subject="A role", reply_token=f"benchtoken{index:04d}"
        )
        Message.objects.create(
            organization=org,
            thread=thread,
            candidate=candidate,
            direction=Message.Direction.OUT,
            status=Message.Status.SENT,
            to_email=candidate.email,
            message_id_header=f"<bench-{index}@bench.test>",
        )


def main() -> None:
    sample = mails()
    if not sample:
        sys.exit(f"No fixture mails in {FIXTURES}.")
    size = sum(len(raw) for raw in sample) // len(sample)
    print(f"inbound: {len(sample)} fixture styles, {size:,} bytes on average, {MESSAGES:,} messages per figure")
    report("parse + clean + detect", rate(without_database, sample))
    hostile()
    try:
        with transaction.atomic():
            conversations(len(sample))
            report("… + match (database)", rate(with_matching, sample))
            raise Rollback
    except Rollback:
        pass
    except DatabaseError as error:
        print(f"{'… + match (database)':32} skipped: the database is not ready ({error}); run migrate first")


def report(label: str, per_second: float) -> None:
    verdict = "ok" if per_second >= TARGET_PER_SECOND else f"UNDER the {TARGET_PER_SECOND}/s target"
    print(f"{label:32} {per_second:8.0f} messages/s per process  {verdict}")


if __name__ == "__main__":
    main()
