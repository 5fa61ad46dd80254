"""Inbound mail, read right: the recognition figures on a folder of public test mail.

    python benchmarks/mail_corpus.py [FOLDER]      (default ../shared/data/mail, see its README)

Runs what a real mail goes through, in the order `ingest()` uses (parse → spam complaint → bounce →
auto-reply → a person's reply, cleaned) over every mail of FOLDER, then `ingest()` itself on a
throwaway test database (SQLite, or BENCH_MAIL_DATABASE_URL; BENCH_MAIL_INGEST=0 skips it), and prints:
- bounces recognised (sisimai's `maildir/` and flanker's `bounce/`, every file except the spam
  complaints and success notices), and the hard/soft agreement with sisimai's `hardbounce` labels;
- bounces read as a human reply (recognised as nothing: neither bounce, complaint nor auto-reply);
- complaints recognised (sisimai's `feedback` labels, flanker's `complaints/`);
- success notices recognised (sisimai's `delivered`), auto-replies recognised (sisimai's
  `vacation` labels, FOLDER/autoreplies/ if there is one, and — marked as ours — the project's
  own fixture auto-replies, since the public folder holds few);
- human replies wrongly flagged (every reply of replies/expectations.json, the plain-text ones
  wrapped in a person's headers), and reply texts kept with no quoted line leaked (the same
  verdict as benchmarks/reply_cleaning.py);
- crashes (an exception anywhere in the path), mail lost (`ingest()` raised, or stored a mail as
  refused), and the slowest mail.
Prints figures; it is not a test. Targets from issue 16 are printed beside each figure.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_DB_DIR = tempfile.mkdtemp(prefix="mail-corpus-")
# `ingest()` runs in a test database created for the run and destroyed after it (Django's test_<name>), on
# BENCH_MAIL_DATABASE_URL (PostgreSQL refuses what SQLite takes, such as NUL characters) or a SQLite file.
os.environ["DATABASE_URL"] = os.environ.get("BENCH_MAIL_DATABASE_URL") or f"sqlite:///{_DB_DIR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentcircles.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from benchmarks.reply_cleaning import reply_text, verdict  # noqa: E402
from messaging.inbound import detection  # noqa: E402
from messaging.inbound.cleaning import clean_reply  # noqa: E402
from messaging.inbound.complaints import detect_complaint  # noqa: E402
from messaging.inbound.parsing import parse_email  # noqa: E402

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "mail"
OWN_FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "messaging" / "fixtures"
PERSON_HEADERS = (
    "From: Alex Example <alex@example.net>\r\nTo: reply+benchtoken@reply.test\r\n"
    "Subject: Re: Our conversation\r\nMessage-ID: <{name}@bench.test>\r\nMIME-Version: 1.0\r\n"
    "Content-Type: text/{kind}; charset=utf-8\r\n\r\n"
)


@dataclass
class Mail:
    name: str
    raw: bytes
    expected: str  # bounce, delivered, complaint, auto, human, other
    hard: bool | None = None  # sisimai's hardbounce label, for failures
    entry: dict | None = None  # the reply's expectations
    text: str = ""  # for replies: the text the reply-cleaning benchmark hands to clean_reply


@dataclass
class Outcome:
    mail: Mail
    got: str = "human"  # complaint, bounce, delayed, delivered, auto, human, crash
    hard: bool | None = None
    reply_ok: bool | None = None
    ms: float = 0.0
    error: str = ""
    notes: list[str] = field(default_factory=list)


def load(folder: Path) -> list[Mail]:
    mails: list[Mail] = []
    sisimai = folder / "bounces" / "sisimai"
    labels = json.loads((sisimai / "labels.json").read_text()) if (sisimai / "labels.json").exists() else {}
    for path in sorted((sisimai / "maildir").glob("*")):
        found = labels.get(path.name, [])
        reasons = {label["reason"] for label in found}
        expected = "complaint" if "feedback" in reasons else "delivered" if reasons == {"delivered"} else "bounce"
        expected = "auto" if "vacation" in reasons else expected
        hard = any(label.get("hardbounce") for label in found) if found else None
        mails.append(Mail(f"sisimai/{path.name}", path.read_bytes(), expected, hard))
    flanker = folder / "flanker"
    for kind, expected in (("bounce", "bounce"), ("complaints", "complaint")):
        for path in sorted((flanker / "messages" / kind).glob("*.eml")):
            mails.append(Mail(f"flanker/{kind}/{path.name}", path.read_bytes(), expected))
    for path in sorted((flanker / "messages").glob("*.eml")) + sorted((flanker / "messages" / "spam").glob("*")):
        mails.append(Mail(f"flanker/{path.relative_to(flanker / 'messages')}", path.read_bytes(), "other"))
    for path in sorted((flanker / "tests").rglob("*")):
        if path.is_file() and path.suffix in ("", ".eml", ".msg", ".txt"):
            mails.append(Mail(f"flanker/{path.relative_to(flanker)}", path.read_bytes(), "other"))
    for path in sorted((folder / "autoreplies").glob("*.eml")):
        mails.append(Mail(f"autoreplies/{path.name}", path.read_bytes(), "auto"))
    mails.extend(load_replies(folder / "replies"))
    return mails


def load_replies(replies: Path) -> list[Mail]:
    if not (replies / "expectations.json").exists():
        return []
    entries = json.loads((replies / "expectations.json").read_text())
    cases_path = replies / "talon" / "text_quotations_cases.json"
    inline = {case["name"]: case["input"] for case in json.loads(cases_path.read_text())} if cases_path.exists() else {}
    mails = []
    for index, entry in enumerate(entries):
        text = reply_text(replies, entry, inline)
        if entry["format"] == "eml":
            raw = (replies / entry["file"]).read_bytes()
        elif entry["format"] == "html":
            raw = PERSON_HEADERS.format(name=index, kind="html").encode() + (replies / entry["file"]).read_bytes()
        else:
            raw = PERSON_HEADERS.format(name=index, kind="plain").encode() + text.encode("utf-8")
        mails.append(Mail(f"replies/{entry['file']}", raw, "human", entry=entry, text=text))
    return mails


def own_auto_replies() -> list[Mail]:
    names = sorted(OWN_FIXTURES.glob("recognition/auto_*.eml")) + sorted(OWN_FIXTURES.glob("recognition/ooo_*.eml"))
    names += [OWN_FIXTURES / name for name in ("auto_submitted.eml", "ooo_german_subject.eml", "ooo_subject_only.eml")]
    names += [OWN_FIXTURES / name for name in ("precedence_auto_reply.eml", "x_autoreply.eml", "x_autorespond.eml")]
    return [Mail(f"ours/{path.name}", path.read_bytes(), "auto") for path in names if path.exists()]


def recognise(mail: Mail) -> Outcome:
    """The path of `ingest()`, without the database: what the mail is taken for, and the reply's text."""
    outcome = Outcome(mail)
    start = time.perf_counter()
    try:
        parsed = parse_email(mail.raw)
        if detect_complaint(parsed) is not None:
            outcome.got = "complaint"
        elif (bounce := detection.detect_bounce(parsed)) is not None:
            outcome.got = "delayed" if getattr(bounce, "delayed", False) else "bounce"
            outcome.got = "delivered" if getattr(bounce, "delivered", False) else outcome.got
            outcome.hard = getattr(bounce, "is_hard", None)
        elif detection.auto_reply_reason(parsed):
            outcome.got = "auto"
        cleaned = clean_reply(parsed.text)
        if mail.entry is not None and not mail.entry.get("timing_only"):
            result = cleaned if mail.entry["format"] == "eml" else clean_reply(mail.text)
            why = verdict(mail.entry, result)
            outcome.reply_ok = not why
            outcome.notes.append(why)
    except Exception as exc:
        outcome.got = "crash"
        outcome.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc(limit=3)
    outcome.ms = (time.perf_counter() - start) * 1000
    return outcome


def ingest_all(mails: list[Mail]) -> tuple[list[str], float, str]:
    """Every mail through `ingest()` on the throwaway database: the ones lost, and the slowest."""
    from django.db import connection

    from messaging.inbound.ingest import ingest
    from messaging.models import InboundEmail

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        return _ingest_each(mails, ingest, InboundEmail)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _ingest_each(mails: list[Mail], ingest, InboundEmail) -> tuple[list[str], float, str]:
    lost, slowest, slowest_name = [], 0.0, ""
    for mail in mails:
        start = time.perf_counter()
        try:
            stored = ingest(mail.raw).inbound
            if stored.status == InboundEmail.Status.REJECTED:
                lost.append(f"{mail.name}: stored as refused ({stored.error})")
        except Exception as exc:
            lost.append(f"{mail.name}: ingest raised {type(exc).__name__}: {exc}")
        elapsed = (time.perf_counter() - start) * 1000
        if elapsed > slowest:
            slowest, slowest_name = elapsed, mail.name
    return lost, slowest, slowest_name


def share(part: int, whole: int) -> str:
    return f"{part:4}/{whole:<4} {part / whole:7.1%}" if whole else f"{part:4}/{whole:<4}     n/a"


def line(label: str, part: int, whole: int, target: str = "") -> None:
    print(f"  {label:46} {share(part, whole)}  {target}")


def report(outcomes: list[Outcome], own: list[Outcome]) -> None:
    by_kind: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_kind.setdefault(outcome.mail.expected, []).append(outcome)
    bounces = by_kind.get("bounce", [])
    recognised = [o for o in bounces if o.got in ("bounce", "delayed", "delivered")]
    as_human = [o for o in bounces if o.got == "human"]
    labelled = [o for o in recognised if o.mail.hard is not None and o.got == "bounce"]
    agree = [o for o in labelled if bool(o.hard) == o.mail.hard]
    complaints = by_kind.get("complaint", [])
    delivered = by_kind.get("delivered", [])
    autos = by_kind.get("auto", [])
    humans = by_kind.get("human", [])
    scored = [o for o in humans if o.reply_ok is not None]
    print(f"inbound recognition on {len(outcomes)} public mails")
    line("bounces recognised", len(recognised), len(bounces), "target >= 97%")
    line("  of which delay warnings (not failures yet)", sum(o.got == "delayed" for o in bounces), len(bounces))
    line("  hard/soft agreeing with sisimai's label", len(agree), len(labelled))
    line(
        "  hard bounces (label) read as hard",
        sum(bool(o.hard) for o in labelled if o.mail.hard),
        sum(1 for o in labelled if o.mail.hard),
    )
    line("bounces read as a human reply", len(as_human), len(bounces), "target <= 0.5%")
    line("complaints recognised", sum(o.got == "complaint" for o in complaints), len(complaints), "target 100%")
    line("success notices recognised", sum(o.got == "delivered" for o in delivered), len(delivered))
    line("auto-replies recognised (public)", sum(o.got == "auto" for o in autos), len(autos), "target >= 95%")
    line("auto-replies recognised (our own fixtures)", sum(o.got == "auto" for o in own), len(own), "target >= 95%")
    line("human replies wrongly flagged", sum(o.got != "human" for o in humans), len(humans), "target 0")
    line("reply texts kept, no quoted line leaked", sum(bool(o.reply_ok) for o in scored), len(scored), "target >= 92%")
    crashes = [o for o in outcomes + own if o.got == "crash"]
    print(f"  {'crashes':46} {len(crashes):4}  target 0")
    slowest = max(outcomes, key=lambda o: o.ms)
    again = recognise(slowest.mail).ms
    start = time.perf_counter()
    email.message_from_bytes(slowest.mail.raw, policy=email.policy.compat32)
    floor = (time.perf_counter() - start) * 1000
    print(f"  {'slowest mail (parse, detect, clean)':46} {again:7.1f} ms  {slowest.mail.name}")
    print(f"  {'  floor: the standard library parsing it':46} {floor:7.1f} ms  ratio {again / floor:.1f}x")
    details(bounces, complaints, autos + own, humans, crashes, labelled)


def details(bounces, complaints, autos, humans, crashes, labelled) -> None:
    missed = [o for o in bounces if o.got not in ("bounce", "delayed", "delivered")]
    missed += [o for o in complaints if o.got != "complaint"] + [o for o in autos if o.got != "auto"]
    missed += [o for o in humans if o.got != "human"]
    if missed:
        print("misread")
        for o in missed:
            print(f"  {o.mail.name}: expected {o.mail.expected}, read as {o.got}")
    disagree = [o for o in labelled if bool(o.hard) != o.mail.hard]
    if disagree and os.environ.get("BENCH_MAIL_VERBOSE"):
        print("hard/soft disagreeing with the label")
        for o in disagree:
            print(f"  {o.mail.name}: label {'hard' if o.mail.hard else 'soft'}")
    for o in crashes:
        print(f"  crash {o.mail.name}: {o.error}")
    leaks = [o for o in humans if o.reply_ok is False]
    if leaks and os.environ.get("BENCH_MAIL_VERBOSE"):
        print("reply texts not kept clean")
        for o in leaks:
            print(f"  {o.mail.name}: {o.notes[-1]}")


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER
    mails = load(folder)
    print(Counter(mail.expected for mail in mails))
    outcomes = [recognise(mail) for mail in mails]
    own = [recognise(mail) for mail in own_auto_replies()]
    report(outcomes, own)
    if os.environ.get("BENCH_MAIL_INGEST", "1") != "0":
        lost, slowest, name = ingest_all(mails)
        print(f"  {'mail lost (ingest raised or stored as refused)':46} {len(lost):4}/{len(mails):<4} target 0")
        print(f"  {'slowest ingest()':46} {slowest:7.1f} ms  {name}")
        for found in lost:
            print(f"  lost {found}")


if __name__ == "__main__":
    main()
