# Two commands do everything on a fresh machine: `make run` (needs BOT_TOKEN) and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
UV := $(VENV)/bin/uv
# The one tool that reads uv.lock; pinned so that every machine installs the lock alike.
UV_VERSION := 0.13.9
MO := $(patsubst %.po,%.mo,$(wildcard locales/*/LC_MESSAGES/messages.po))
EXTRACT_KEYWORDS := --no-default-keywords -k N_ -k Np_:1,2 -k ValidationError -k Say -k t -k RowError:3

.PHONY: run test demo migrate catalogs extract update-catalogs lint bench clean lock

$(UV):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet 'uv==$(UV_VERSION)'

# Exactly the versions (and hashes) of uv.lock, plus the project itself, editable. --inexact
# keeps uv and pip in the venv; --frozen refuses a lock that is out of date with pyproject.toml.
$(STAMP): pyproject.toml uv.lock | $(UV)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --frozen --inexact --extra dev --python $(PY)
	touch $(STAMP)

lock: | $(UV) ## refresh uv.lock: the newest versions pyproject.toml allows, from PyPI
	$(UV) lock --upgrade

locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(STAMP)
	$(VENV)/bin/pybabel compile --statistics -D messages -d locales -l $* 

catalogs: $(STAMP) $(MO) ## compile the gettext catalogs

extract: $(STAMP) ## extract message ids from the code into locales/messages.pot
	$(VENV)/bin/pybabel extract -F babel.cfg $(EXTRACT_KEYWORDS) --no-location --sort-output \
		--project "Shop Onboarding Bot" -o locales/messages.pot .

update-catalogs: extract ## merge new message ids into every catalog (then translate them)
	$(VENV)/bin/pybabel update -D messages -i locales/messages.pot -d locales --no-fuzzy-matching --ignore-obsolete

migrate: catalogs ## create or migrate the database named by DATABASE_URL
	$(PY) -m bot migrate

run: migrate ## run the bot (BOT_TOKEN=… make run)
	$(PY) -m bot run

demo: migrate ## play a seller offline in the terminal (LANGUAGE=zh_Hans make demo; make demo AS=provider)
	$(PY) -m bot demo $(if $(LANGUAGE),--language $(LANGUAGE)) $(if $(AS),--as $(AS))

test: migrate lint ## the whole test suite, after lint and type checks
	$(PY) -m pytest -q -n 4

lint: $(STAMP) ## ruff (lint + format) and mypy --strict
	$(VENV)/bin/ruff check flows bot tests bench
	$(VENV)/bin/ruff format --check flows bot tests bench
	$(VENV)/bin/mypy

bench: catalogs
	$(PY) -m bench

clean:
	rm -rf $(VENV) data locales/*/LC_MESSAGES/*.mo
