# casemgr: two commands a newcomer needs.
#   make run   installs what is missing, migrates, loads the demo matter and serves on :8000
#   make test  installs what is missing and runs lint, migration check and the whole suite
# against real PostgreSQL and Redis, then the mutation run of the pure modules (at least 90% of
# each module's mutants killed; tests/mutation/run.py).

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

# Debian packages: venv, WeasyPrint's text layout libraries and fonts (Noto CJK for Chinese,
# Japanese and Korean), poppler-utils (pdftoppm), with which a bundle's check looks at its
# rendered pages, OCRmyPDF and Tesseract with its English and Simplified Chinese language data
# (and the page orientation data), which read the text of scans; for the tests, the real
# PostgreSQL and Redis, and Chromium for the browser tests.
RUN_DEBS := python3-venv libmagic1 libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
	fonts-dejavu-core fonts-noto-cjk poppler-utils ocrmypdf tesseract-ocr tesseract-ocr-eng \
	tesseract-ocr-chi-sim tesseract-ocr-osd
TEST_DEBS := postgresql redis-server chromium

# The suite always runs against the real services, whatever a developer exported for `make run`.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/casemgr
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run test mutation lint system-packages test-system-packages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.run-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(VENV)/.run-installed $@

system-packages:
	@.ci/debs $(RUN_DEBS)

test-system-packages:
	@.ci/debs $(RUN_DEBS) $(TEST_DEBS)

run: system-packages $(VENV)/.run-installed
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo
	DEBUG=$${DEBUG:-1} .ci/serve $(HOST) $(PORT)

lint: $(VENV)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DEBUG=1 DATABASE_URL=sqlite:///:memory: $(BIN)/python manage.py makemigrations --check --dry-run

# Two test processes, one a core, each with a test database and a Redis database of its own
# (15 and 14; see tests/settings.py); then, alone on the machine, the tests whose point is a
# real worker killed mid-task, whose timing another process's load would distort. (Exit 5:
# PYTEST_ARGS left none of them to run.)
test: test-system-packages $(VENV)/.test-installed lint
	@.ci/services
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest \
		-n 2 -m "not worker" $(PYTEST_ARGS)
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python -m pytest \
		-m worker $(PYTEST_ARGS) || [ $$? -eq 5 ]
	$(MAKE) mutation

# About 2 minutes on 2 cores; the tests it runs need no database, only the settings' URLs.
mutation: $(VENV)/.test-installed
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) $(BIN)/python tests/mutation/run.py

clean:
	rm -rf $(VENV) var casemgr.sqlite3 .pytest_cache mutants
