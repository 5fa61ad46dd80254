"""`make run`: quiet workers, e-mail saved with one line each, the logins printed last once the server answers."""

from __future__ import annotations

import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail

from talentcircles.env import email_from_url
from talentcircles.management.commands.devserver import banner, process_commands, wait_until_answering

ROOT = Path(__file__).resolve().parents[2]


def test_the_worker_and_beat_start_without_banners_and_log_warnings_only():
    commands = process_commands("127.0.0.1:8001")
    for name in ("worker", "beat"):
        assert "--quiet" in commands[name] and "--loglevel=WARNING" in commands[name]
    assert commands["web"][-2:] == ["runserver", "127.0.0.1:8001"]


class Unavailable(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(503)  # /healthz with Redis down: the server is still up
        self.end_headers()

    def log_message(self, *args):
        pass


def test_it_waits_for_an_answer_and_counts_a_503_as_one():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert wait_until_answering(f"http://127.0.0.1:{server.server_port}/healthz", timeout=30)
    finally:
        server.shutdown()
        server.server_close()
    # Nobody listens there any more: it gives up (here at once, as the processes it watches have stopped).
    assert not wait_until_answering(f"http://127.0.0.1:{server.server_port}/healthz", keep_waiting=lambda: False)


def test_the_banner_gives_the_address_then_the_logins_then_where_mail_goes(monkeypatch):
    monkeypatch.delenv("EMAIL_URL", raising=False)
    text = banner("127.0.0.1:8001", "Admin login: a@example.com / pw\n\nRecruiter login: r@example.com / pw\n")
    lines = [line for line in text.splitlines() if line.strip("─ ")]
    assert lines[0] == "TalentCircles is running on http://127.0.0.1:8001/"
    assert lines[1:3] == ["Admin login: a@example.com / pw", "Recruiter login: r@example.com / pw"]
    assert "E-mail is saved under" in lines[3]


def test_file_email_url_saves_each_mail_and_says_so_in_one_line(settings, tmp_path, capsys):
    assert email_from_url("EMAIL_URL", "file://") == {"EMAIL_BACKEND": "talentcircles.mail_backends.SummaryFileBackend"}
    config = email_from_url("EMAIL_URL", f"file://{tmp_path}")
    assert config["EMAIL_FILE_PATH"] == str(tmp_path)
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = config["EMAIL_BACKEND"], config["EMAIL_FILE_PATH"]

    send_mail("Your trajectory work", "Hi Katherine, …", "noreply@localhost", ["katherine@example.com"])

    [saved] = list(tmp_path.iterdir())
    assert "Subject: Your trajectory work" in saved.read_text()
    printed = capsys.readouterr().err.strip().splitlines()
    assert printed == [f"E-mail to katherine@example.com: “Your trajectory work” (saved in {saved})"]


def test_make_run_seeds_through_the_devserver_on_the_port_given():
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8001"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:8001}" in dry_run
    assert "EMAIL_URL=${EMAIL_URL:-file://}" in dry_run
    assert "manage.py devserver --demo --addr 127.0.0.1:8001" in dry_run
    assert "seed_demo" not in dry_run  # the devserver seeds, so the logins come after the server's output


def test_other_email_urls_are_still_refused():
    with pytest.raises(ImproperlyConfigured):
        email_from_url("EMAIL_URL", "ftp://mail.example.com")
