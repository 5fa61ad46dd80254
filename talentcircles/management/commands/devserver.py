"""Run web, Celery worker and beat together for local development; Ctrl-C stops all three."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the web server, a Celery worker and Celery beat; stop all of them on Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1:8000")

    def handle(self, *args, addr: str, **options) -> None:
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        celery = [sys.executable, "-m", "celery", "-A", "talentcircles"]
        commands = {
            "worker": [*celery, "worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": [*celery, "beat", "--loglevel=INFO", "--schedule", str(settings.VAR_DIR / "celerybeat-schedule")],
            "web": [sys.executable, "manage.py", "runserver", addr],
        }
        processes = {name: subprocess.Popen(cmd) for name, cmd in commands.items()}  # noqa: S603
        self.stdout.write(self.style.SUCCESS(f"TalentCircles is running on http://{addr}/ (Ctrl-C stops it)"))
        try:
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            stopped = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"{', '.join(stopped)} stopped; shutting the rest down.")
        except KeyboardInterrupt:
            self.stdout.write("Stopping web, worker and beat…")
        finally:
            self._stop(processes)

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
