"""Reply cleaning: how often the answer is kept with no quoted line leaked, and how fast a 1 MB mail is cleaned.

    python benchmarks/reply_cleaning.py [FOLDER]

Prints figures; it is not a test (tests/messaging/test_reply_cleaning*.py check what cleaning keeps).

Speed: a 1 MB top-posted reply with a long quoted history and a 1 MB bottom-posted one, each cleaned
BENCH_REPLY_ROUNDS (default 5) times; the median, and its ratio to a floor measured in the same run:
`text.splitlines()` on the same text (cleaning must at least look at every line once). Target: under
100 ms a mail. The ratio travels between machines; the milliseconds do not.

Share kept (only with FOLDER, laid out like ../shared/data/mail/): every reply listed in
FOLDER/replies/expectations.json goes through the path a real mail takes (`.eml` and `.html` files
through `parse_email`, plain-text files and talon's inline cases straight to `clean_reply`). A reply
counts as kept with no quoted line leaked when
- every `must_contain` string is in the result and no `must_not_contain` string is;
- no line of the result starts with ">" unless the origin's expected text has that line too;
- where the origin gives the `expected` text: each of its lines is in the result, in order, and each
  line of the result is one of them. Compared line by line with whitespace collapsed, after two
  documented differences from the origin libraries: we cut a client's signature (from a "-- " line,
  or a "Sent from my iPhone" style footer) which some of them keep, and we keep a sign-off name
  such as "-Abhishek Kona" or "Bob" (one to three capitalised words) at the end of the answer, which
  two of them hide.
Entries marked `timing_only` are timed, not scored. Failures are listed with what was returned.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from messaging.inbound.cleaning import clean_reply  # noqa: E402
from messaging.inbound.parsing import parse_email  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_REPLY_ROUNDS", "5"))
TARGET_MS = 100.0
TARGET_SHARE = 0.92
MEGABYTE = 1_000_000

# What the origins keep and we cut on purpose (see docs/messaging.md, "Replies in"): a client's signature.
_CLIENT_SIGNATURE = re.compile(r"^(?:--\s*|(?:sent\s+(?:from|with|via)|get\s+outlook\s+for)\s+[^,]+)$", re.IGNORECASE)
# What two origins hide and we keep on purpose: a sign-off name on its own line ("-Abhishek Kona", "Bob").
_SIGN_OFF_NAME = re.compile(r"^(?:[-\u2013\u2014]\s?)?[A-Z][\w.'-]*(?:\s[A-Z][\w.'-]*){0,2}$")


@dataclass
class Outcome:
    origin: str
    name: str
    ok: bool
    why: str
    result: str
    ms: float


# Speed --------------------------------------------------------------------------------------------


def top_posted_megabyte() -> str:
    answer = "Hi Jane,\n\nYes, I'm interested. Could we talk on Thursday?\n\nSam\n\n"
    header = "On Mon, 6 Jan 2025 at 10:00, Jane Recruiter <jane@acme.test> wrote:\n"
    quoted = "> Your work on the payments platform caught my eye; we are growing a small team.\n"
    return answer + header + quoted * (MEGABYTE // len(quoted))


def bottom_posted_megabyte() -> str:
    header = "Le lun. 6 janv. 2025 à 10:00, Jane Recruiter <jane@acme.test> a écrit :\n"
    quoted = "> Votre travail sur la plateforme de paiement m'a beaucoup plu, parlons-en.\n"
    answer = "\nOui, je suis intéressé. Jeudi après-midi ?\n\nRenée\n"
    return header + quoted * (MEGABYTE // len(quoted)) + answer


def median_ms(step: Callable[[str], object], text: str) -> float:
    step(text)  # warm up: compiled patterns
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        step(text)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def speed() -> None:
    print(f"reply cleaning: a 1 MB reply, median of {ROUNDS} rounds")
    for label, text in [("top-posted", top_posted_megabyte()), ("bottom-posted", bottom_posted_megabyte())]:
        floor = median_ms(str.splitlines, text)
        ours = median_ms(clean_reply, text)
        verdict = "ok" if ours < TARGET_MS else f"OVER the {TARGET_MS:.0f} ms target"
        print(f"  {label:14} floor (splitlines) {floor:7.2f} ms   clean_reply {ours:8.2f} ms  ", end="")
        print(f"{ours / floor:6.1f}x floor  {verdict}")


# Share kept ---------------------------------------------------------------------------------------


def reply_text(replies: Path, entry: dict, inline_cases: dict[str, str]) -> str:
    """The text part our inbound path would hand to clean_reply for this entry."""
    if entry["format"] == "inline":
        return inline_cases[entry["file"].split("#", 1)[1]]
    path = replies / entry["file"]
    if entry["format"] == "eml":
        return parse_email(path.read_bytes()).text
    if entry["format"] == "html":
        mime = b"Content-Type: text/html; charset=utf-8\r\nMIME-Version: 1.0\r\n\r\n" + path.read_bytes()
        return parse_email(mime).text
    return path.read_text(encoding="utf-8", errors="replace")


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _expected_lines(expected: str) -> list[str]:
    lines = _lines(expected)
    for index, line in enumerate(lines):
        if index and _CLIENT_SIGNATURE.match(line):
            return lines[:index]
    return lines


def verdict(entry: dict, result: str) -> str:
    """Why the result fails the entry, or "" when the answer is kept with no quoted line leaked."""
    missing = [text for text in entry["must_contain"] if text not in result]
    if missing:
        return f"lost {missing[0]!r}"
    leaked = [text for text in entry["must_not_contain"] if text in result]
    if leaked:
        return f"leaked {leaked[0]!r}"
    got = _lines(result)
    expected = _expected_lines(entry["expected"]) if entry["expected"] is not None else None
    quoted = [line for line in got if line.startswith(">") and (expected is None or line not in expected)]
    if quoted:
        return f"leaked quoted line {quoted[0]!r}"
    if expected is None:
        return ""
    while got and got[-1] not in expected and _SIGN_OFF_NAME.match(got[-1]):
        got = got[:-1]  # a sign-off name we keep on purpose, at the end of the answer
    extra = [line for line in got if line not in expected]
    if extra:
        return f"leaked {extra[0]!r}"
    kept = iter(got)
    lost = [line for line in expected if line not in kept]  # in order: `in` consumes the iterator
    return f"lost {lost[0]!r}" if lost else ""


def corpus(folder: Path) -> None:
    replies = folder / "replies"
    entries = json.loads((replies / "expectations.json").read_text())
    cases_path = replies / "talon" / "text_quotations_cases.json"
    inline_cases = {case["name"]: case["input"] for case in json.loads(cases_path.read_text())}
    clean_reply("warm up: compiled patterns")
    outcomes = []
    for entry in entries:
        text = reply_text(replies, entry, inline_cases)
        start = time.perf_counter()
        result = clean_reply(text)
        ms = (time.perf_counter() - start) * 1000
        if entry["timing_only"]:
            print(f"  timing only: {entry['file']}  {ms:.1f} ms")
            continue
        why = verdict(entry, result)
        origin = entry["file"].split("/")[0].split("#")[0].removesuffix(".json")
        outcomes.append(Outcome(origin, entry["file"], not why, why, result, ms))
    report(outcomes)


def report(outcomes: list[Outcome]) -> None:
    by_origin: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_origin[outcome.origin].append(outcome)
    print("replies kept with no quoted line leaked")
    for origin, found in sorted(by_origin.items()):
        passed = sum(outcome.ok for outcome in found)
        print(f"  {origin:28} {passed:3}/{len(found):3}  {passed / len(found):6.1%}")
    passed = sum(outcome.ok for outcome in outcomes)
    share = passed / len(outcomes)
    verdict_text = "ok" if share >= TARGET_SHARE else f"UNDER the {TARGET_SHARE:.0%} target"
    print(f"  {'all':28} {passed:3}/{len(outcomes):3}  {share:6.1%}  {verdict_text}")
    slowest = max(outcomes, key=lambda outcome: outcome.ms)
    print(f"  slowest: {slowest.name} {slowest.ms:.1f} ms")
    failures = [outcome for outcome in outcomes if not outcome.ok]
    if failures:
        print("failures")
    for outcome in failures:
        print(f"  {outcome.name}: {outcome.why}")
        print("      got: " + repr(outcome.result[:160]))


def main() -> None:
    speed()
    if len(sys.argv) > 1:
        corpus(Path(sys.argv[1]))


if __name__ == "__main__":
    main()
