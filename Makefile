# Two commands set everything up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup migrate messages lint format worker beat clean

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)
	mkdir -p var
	$(PY) manage.py compile_translations

migrate: setup
	$(PY) manage.py migrate --noinput

# Serves the portal on the embedded defaults: SQLite under var/, Celery tasks in-process.
run: migrate
	$(PY) manage.py load_register
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# The whole suite; SQLite unless DATABASE_URL is set.
test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# Refresh the .po catalogues from the source (needs GNU gettext), then fill in the German strings.
# locale/ holds the core (dpo_portal, audit, subjects, templates); every other app keeps its own.
OWN_LOCALE_APPS := retention consents requests_app screening
messages: setup
	$(PY) manage.py makemessages -l de --no-obsolete --ignore=.venv --ignore=var --ignore=tests --ignore=benchmarks \
		$(foreach app,$(OWN_LOCALE_APPS),--ignore=$(app))
	for app in $(OWN_LOCALE_APPS); do \
		if [ -d $$app/locale ]; then (cd $$app && ../$(PY) ../manage.py makemessages -l de --no-obsolete); fi; \
	done

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker: setup
	$(VENV)/bin/celery -A dpo_portal worker -l info

beat: setup
	$(VENV)/bin/celery -A dpo_portal beat -l info

clean:
	rm -rf $(VENV) var
