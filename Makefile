# The two commands: `make run` and `make test`. Everything else supports them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# What mypy checks, with django-stubs and djangorestframework-stubs (its settings: pyproject.toml).
TYPED_APPS := talentcircles candidates messaging engagement

.PHONY: run test venv node lint typecheck format bench clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

venv: $(STAMP)

# Node packages the tests use, never served: axe-core for the accessibility test (package-lock.json pins it).
NODE_STAMP := node_modules/.installed

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

node: $(NODE_STAMP)

# `make run PORT=8001` serves on another port. The demo is seeded (once) and its logins are printed
# last, when the server answers; e-mail is saved under var/mail/ unless EMAIL_URL says otherwise.
PORT ?= 8000

run: venv
	mkdir -p var
	$(PY) manage.py migrate --noinput
	# Static files served compressed with hashed names, as in production (settings: SERVE_COLLECTED_STATIC).
	SERVE_COLLECTED_STATIC=true $(PY) manage.py collectstatic --noinput --verbosity 0
	SERVE_COLLECTED_STATIC=true SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} EMAIL_URL=$${EMAIL_URL:-file://} \
		$(PY) manage.py devserver --demo --addr 127.0.0.1:$(PORT)

# `make test COVERAGE=<pass>` also measures line coverage into var/coverage/.coverage.<pass>
# (.ci/run does, once per pass, then combines them); plain `make test` runs without it.
COVERAGE ?=
# The suite runs in this many processes (pytest-xdist), one test module per process at a time.
TEST_PROCESSES ?= 2

test: venv node
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(TYPED_APPS)
ifdef COVERAGE
	mkdir -p var/coverage
	COVERAGE_FILE=var/coverage/.coverage.$(COVERAGE) $(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile --cov --cov-report=
else
	$(PY) -m pytest -n $(TEST_PROCESSES) --dist loadfile
endif

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: venv
	$(VENV)/bin/mypy $(TYPED_APPS)

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: venv
	@test -n "$$DATABASE_URL" || (echo "make bench needs DATABASE_URL=postgres://…" && exit 2)
	for b in benchmarks/*.py; do [ "$$b" = benchmarks/__init__.py ] || [ "$$b" = benchmarks/load.py ] || $(PY) $$b; done

clean:
	rm -rf var staticfiles .pytest_cache .ruff_cache .mypy_cache
