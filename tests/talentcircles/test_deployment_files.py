"""The deployment files (Dockerfile, docker-compose.yml, .env.example, docs/configuration.md) agree with settings.py.

No database here: these read files and start Django in subprocesses with a clean environment.
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_SOURCE = (ROOT / "talentcircles" / "settings.py").read_text()
APP_SERVICES = ("migrate", "web", "worker", "beat")
ENV_CALL = re.compile(r"""\benv_(?:str|bool|int|list|url)\(\s*["']([A-Z][A-Z0-9_]*)["']""")


def settings_variables() -> set[str]:
    return set(ENV_CALL.findall(SETTINGS_SOURCE))


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def clean_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """The caller's environment minus everything settings.py reads (CI exports DATABASE_URL etc.).

    DJANGO_ALLOW_ASYNC_UNSAFE is dropped too: the browser tests set it in this process; and
    PYTEST_XDIST_WORKER, which gives a parallel test process's settings a queue of its own.
    """
    dropped = settings_variables() | {"DJANGO_ALLOW_ASYNC_UNSAFE", "PYTEST_XDIST_WORKER"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["DJANGO_SETTINGS_MODULE"] = "talentcircles.settings"
    env["VAR_DIR"] = str(tmp_path)
    env.update(overrides)
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


# --- docker-compose.yml ----------------------------------------------------------


def test_it_finds_the_variables_settings_reads():
    # Guards the regex: if it stopped matching, the tests below would pass vacuously.
    assert {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG", "EMAIL_URL", "SITE_URL"} <= settings_variables()


def test_it_defines_every_compose_service():
    services = compose()["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "beat"} <= set(services)


def test_it_runs_web_only_after_migrations_succeeded():
    services = compose()["services"]
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "migrate" in str(services["migrate"]["command"])
    assert services["migrate"].get("restart") == "no"


def test_it_builds_every_app_service_from_the_same_image():
    services = compose()["services"]
    builds = {repr(services[name].get("build")) for name in APP_SERVICES}
    images = {services[name].get("image") for name in APP_SERVICES}
    environments = {repr(services[name].get("environment")) for name in APP_SERVICES}
    assert len(builds) == 1 and builds != {"None"}
    assert len(images) == 1 and images != {None}
    assert len(environments) == 1


def test_it_configures_app_services_only_with_variables_settings_reads():
    environment = compose()["services"]["web"]["environment"]
    assert set(environment) <= settings_variables(), "a compose variable that settings.py never reads is a typo"
    assert environment["DEBUG"] == "False"


def test_it_lets_the_worker_scale():
    assert "container_name" not in compose()["services"]["worker"]


def test_it_health_checks_web_on_healthz():
    services = compose()["services"]
    test = services["web"]["healthcheck"]["test"]
    command = " ".join(test) if isinstance(test, list) else test
    assert "http://localhost:8000/healthz" in command
    assert "curl" not in command  # not in the slim image
    assert "localhost" in services["web"]["environment"]["ALLOWED_HOSTS"].split(",")
    assert services["postgres"]["healthcheck"]["test"]
    assert services["redis"]["healthcheck"]["test"]


def test_it_builds_an_image_with_runtime_dependencies_only():
    dockerfile = "\n".join(
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if not line.lstrip().startswith("#")
    )
    assert re.search(r"^FROM python:3\.11-slim", dockerfile, re.MULTILINE)
    assert "pip install --no-cache-dir -r requirements.txt" in dockerfile
    assert "requirements-dev.txt" not in dockerfile
    assert "collectstatic --noinput" in dockerfile
    assert re.search(r"^USER (?!root)\S+", dockerfile, re.MULTILINE)
    assert "gunicorn" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {".venv", "var", ".git", "staticfiles"} <= set(ignored)


# --- documentation of the variables -------------------------------------------------


@pytest.mark.parametrize("document", [".env.example", "docs/configuration.md"])
def test_it_documents_every_variable_settings_reads(document):
    path = ROOT / document
    assert path.exists(), f"{document} is missing"
    text = path.read_text()
    if document == ".env.example":
        missing = {n for n in settings_variables() if not re.search(rf"^#?\s*{n}=", text, re.MULTILINE)}
    else:
        missing = {n for n in settings_variables() if not re.search(rf"\b{n}\b", text)}
    assert not missing, f"{document} does not mention {sorted(missing)}"


# --- start-up fails loudly on bad configuration -------------------------------------


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "yes"),
        ("DATABASE_URL", "mysql://x"),
        ("REDIS_URL", "http://x"),
        ("EMAIL_URL", "carrier-pigeon://x"),
        ("EMAIL_URL", "smtp://"),
    ],
)
def test_it_refuses_to_start_with_a_bad_variable(tmp_path, variable, value):
    result = run(["-c", "import django; django.setup()"], clean_env(tmp_path, **{variable: value}))
    assert result.returncode != 0
    # The exception's own message names the variable, not just a traceback line of settings.py.
    message = result.stderr.strip().splitlines()[-1]
    assert message.startswith("django.core.exceptions.ImproperlyConfigured: "), result.stderr
    assert variable in message


def test_it_starts_with_the_defaults(tmp_path):
    # The counterpart of the test above: the failures come from the bad values, not the harness.
    result = run(["-c", "import django; django.setup()"], clean_env(tmp_path))
    assert result.returncode == 0, result.stderr


def test_it_passes_the_deployment_checks(tmp_path):
    env = clean_env(
        tmp_path,
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(45),  # 60 characters
        ALLOWED_HOSTS="talentcircles.example.com",
        SITE_URL="https://talentcircles.example.com",
    )
    assert len(env["SECRET_KEY"]) == 60
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_embedded_broker_writes_only_under_var_dir(tmp_path):
    # kombu's filesystem transport keeps its exchange tables in ./control unless told otherwise.
    working_dir, var_dir = tmp_path / "cwd", tmp_path / "var"
    working_dir.mkdir()
    env = clean_env(var_dir, PYTHONPATH=str(ROOT))
    publish = (
        "import django; django.setup()\n"
        "from talentcircles.celery import app\n"
        "app.send_task('talentcircles.tasks.organization_figures_task', args=[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", publish], cwd=working_dir, env=env, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert list(working_dir.iterdir()) == []
    assert (var_dir / "celery" / "control" / "celery.exchange").exists()
    assert len(list((var_dir / "celery" / "broker").iterdir())) == 1  # the message, waiting for a worker
