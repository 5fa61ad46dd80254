"""PostgreSQL unreachable (a closed port): the API answers a JSON 503 with Retry-After, pages their HTML 500.

Runs the real stack in a child process whose DATABASE_URL names a port that refuses connections, so
the error is psycopg's own, raised where the first query happens (the API token's look-up).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, django
django.setup()
from django.db import connections
connections["default"].settings_dict["OPTIONS"]["pool"]["timeout"] = 2  # fail fast: nothing will answer
from django.test import Client
client = Client(HTTP_AUTHORIZATION="Token tc_any-key", raise_request_exception=False)
api = client.get("/api/v1/organization/", secure=True)
page = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "api": [api.status_code, api["Content-Type"], api.get("Retry-After"), api.content.decode()],
    "page": [page.status_code, page["Content-Type"]],
}))
"""


def test_the_api_answers_a_json_503_when_postgresql_refuses_connections():
    with socket.socket() as closed:  # bound but not listening: connections to it are refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{port}/nowhere",
            "DEBUG": "False",
            "SECRET_KEY": "test-only-secret-key-for-the-database-down-test",
            "DJANGO_SETTINGS_MODULE": "talentcircles.settings",
        }
        env.pop("REDIS_URL", None)
        done = subprocess.run(
            [sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    status, content_type, retry_after, body = seen["api"]
    assert (status, retry_after) == (503, "30")
    assert content_type.startswith("application/json")
    assert "database" in json.loads(body)["detail"]
    assert seen["page"][0] == 500
    assert seen["page"][1].startswith("text/html")
