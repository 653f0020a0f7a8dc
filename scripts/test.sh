#!/usr/bin/env bash
# One command: the whole test suite (README "Quick start"). DATABASE_URL=postgres://... runs it on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
echo "==> ruff check"
.venv/bin/ruff check .
echo "==> pytest (database: ${DATABASE_URL:-SQLite})"
.venv/bin/python -m pytest "$@"
