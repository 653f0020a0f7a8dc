# The two Quick start commands, plus a few conveniences. Every target installs what it needs.
.PHONY: run test test-postgres lint format bench sandbox tour

run:            ## set up everything and run the product (web, django-q2 cluster, QBO sandbox)
	scripts/run.sh

test:           ## the whole test suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)
	scripts/test.sh

test-postgres:  ## the whole suite on the local PostgreSQL
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/syncportal} scripts/test.sh

lint:
	scripts/bootstrap.sh && .venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	scripts/bootstrap.sh && .venv/bin/ruff format . && .venv/bin/ruff check --fix .

sandbox:        ## only the QBO sandbox, with test hooks
	scripts/bootstrap.sh && .venv/bin/python manage.py qbo_sandbox --test-hooks

bench:          ## every benchmark; each prints its figures
	scripts/bootstrap.sh && for b in bench/*.py; do echo "== $$b"; .venv/bin/python $$b || exit 1; done

tour:           ## regenerate the README tour's screenshots (docs/tour/*.png) in a real browser
	scripts/bootstrap.sh && SYNCPORTAL_TOUR=1 .venv/bin/python -m pytest tests/browser/test_tour.py -p no:cacheprovider
