"""Run web, Celery worker and beat together for local development; Ctrl-C stops all three.

`--demo` seeds the demo first (`seed_demo`) and prints its logins with the address once the server
answers `/healthz`, so they are the last thing on the screen, not lost above the start-up output.
The worker and beat start quietly (no banners, warnings and errors only), and unless `EMAIL_URL` says
otherwise e-mail is saved under `var/mail/` with one line per message on the console (`file://`).
"""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

EMBEDDED_EMAIL_URL = "file://"


def process_commands(addr: str) -> dict[str, list[str]]:
    """The three processes: Celery's with `--quiet` (no banner) and warnings only, then the web server."""
    celery = [sys.executable, "-m", "celery", "-A", "talentcircles", "--quiet"]
    schedule = str(settings.VAR_DIR / "celerybeat-schedule")
    return {
        "worker": [*celery, "worker", "--loglevel=WARNING", "--concurrency=2", "--without-mingle", "--without-gossip"],
        "beat": [*celery, "beat", "--loglevel=WARNING", "--schedule", schedule],
        "web": [sys.executable, "manage.py", "runserver", addr],
    }


def child_environment() -> dict[str, str]:
    """The processes' environment: e-mail to files under var/mail unless EMAIL_URL is set."""
    return {**os.environ, "EMAIL_URL": os.environ.get("EMAIL_URL") or EMBEDDED_EMAIL_URL}


def wait_until_answering(
    url: str, *, timeout: float = 120, interval: float = 0.5, keep_waiting: Callable[[], bool] = lambda: True
) -> bool:
    """True once `url` answers at all (a 503 from /healthz still means the server is up); False on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and keep_waiting():
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own http:// address)
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:  # refused or reset while it starts (URLError is an OSError)
            time.sleep(interval)
    return False


def banner(addr: str, logins: str) -> str:
    """What `make run` ends with: the address, the logins, where e-mail goes."""
    lines = ["", "─" * 72, f"TalentCircles is running on http://{addr}/"]
    lines += [line for line in logins.splitlines() if line.strip()]
    if child_environment()["EMAIL_URL"] == EMBEDDED_EMAIL_URL:
        lines.append(f"E-mail is saved under {settings.EMAIL_FILE_PATH}/ (one line per message here).")
    lines += ["Ctrl-C stops the web server, the worker and beat.", "─" * 72]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and Celery beat; stop all of them on Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")
        parser.add_argument("--demo", action="store_true", help="Seed the demo first and print its logins.")

    def handle(self, *args, addr: str, demo: bool = False, **options) -> None:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        logins = self._seed() if demo else ""
        environment = child_environment()
        processes = {
            name: subprocess.Popen(command, env=environment)  # noqa: S603 (our own commands)
            for name, command in process_commands(addr).items()
        }
        threading.Thread(target=self._announce, args=(addr, logins, processes), daemon=True).start()
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; shutting the rest down.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping web, worker and beat…")
        finally:
            self._stop(processes)

    def _seed(self) -> str:
        """The demo's logins (printed later); its time now, so a slow start is not a mystery."""
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        text = out.getvalue()
        timing = [line for line in text.splitlines() if line.startswith("Demo data ready")]
        self.stdout.write("\n".join(timing))
        return "\n".join(line for line in text.splitlines() if not line.startswith("Demo data ready"))

    def _announce(self, addr: str, logins: str, processes: dict[str, subprocess.Popen]) -> None:
        running = lambda: all(p.poll() is None for p in processes.values())  # noqa: E731
        if wait_until_answering(f"http://{addr}/healthz", keep_waiting=running):
            self.stdout.write(self.style.SUCCESS(banner(addr, logins)))

    def _stop(self, processes: dict[str, subprocess.Popen]) -> None:
        for p in processes.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 10
        for p in processes.values():
            try:
                p.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                p.kill()
