# Two commands matter (README): `make run` and `make test`. Both start from a fresh
# clone and are safe to repeat.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup migrate demo lint format bench messages clean

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

# The demo serves its own static files and plain-HTTP cookies: DEBUG unless told.
run: demo
	DEBUG=$${DEBUG:-True} SECURE_COOKIES=$${SECURE_COOKIES:-False} \
		$(PY) manage.py runserver 127.0.0.1:8000

test: setup
	$(PY) -m pytest

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

messages: setup
	$(PY) manage.py makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=tests
	$(PY) manage.py compilemessages -l vi -l en --ignore=.venv

# BENCH_SCALE=small|province|design; SQLite, and PostgreSQL when DATABASE_URL names it.
bench: setup
	$(PY) -m bench suite --scale $${BENCH_SCALE:-small}

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
