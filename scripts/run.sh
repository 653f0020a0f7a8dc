#!/usr/bin/env bash
# One command: set up and run the whole product (README "Quick start").
#   virtualenv + install, migrate, demo data and logins, the QBO sandbox, the django-q2 cluster and
#   the web server, on SQLite by default (DATABASE_URL switches to PostgreSQL). Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh

PORT=${PORT:-8000}
SANDBOX_PORT=${SANDBOX_PORT:-8765}
DEMO_CUSTOMERS=${DEMO_CUSTOMERS:-500}
PY=.venv/bin/python
export QBO_SANDBOX_URL=${QBO_SANDBOX_URL:-http://127.0.0.1:$SANDBOX_PORT}
# The OAuth callback must be on the port the web server really uses, and registered with the sandbox.
CALLBACK_PATH=/admin/integrations/qboconnection/callback/
export QBO_REDIRECT_URI=${QBO_REDIRECT_URI:-http://127.0.0.1:$PORT$CALLBACK_PATH}

echo "==> Migrating the database"
$PY manage.py migrate --no-input >/dev/null
echo "==> Demo data ($DEMO_CUSTOMERS customers, one login per role)"
$PY manage.py seed_demo --customers "$DEMO_CUSTOMERS"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

echo "==> Starting the QBO sandbox on http://127.0.0.1:$SANDBOX_PORT (log: var/qbo_sandbox.log)"
$PY manage.py qbo_sandbox --port "$SANDBOX_PORT" --data var/qbo_sandbox.sqlite3 --test-hooks \
  --webhook-url "http://127.0.0.1:$PORT/integrations/webhooks/qbo/" \
  --set "redirect_uris=$QBO_REDIRECT_URI,http://localhost:$PORT$CALLBACK_PATH" >var/qbo_sandbox.log 2>&1 &
pids+=($!)
for _ in $(seq 1 50); do
  curl -fsS "http://127.0.0.1:$SANDBOX_PORT/__sandbox/info" >/dev/null 2>&1 && break
  sleep 0.2
done

echo "==> Connecting the demo to the sandbox's QuickBooks company (skipped when already connected)"
$PY manage.py qbo_connect --sandbox-auto-approve --if-unconnected ||
  echo "    (not connected: see the message above; use Connect to QuickBooks in the admin)"

echo "==> Starting the django-q2 cluster (log: var/qcluster.log)"
$PY manage.py qcluster >var/qcluster.log 2>&1 &
pids+=($!)

cat <<INFO

  SyncPortal is running:   http://127.0.0.1:$PORT/admin/
  QuickBooks sandbox view: http://127.0.0.1:$SANDBOX_PORT/

  Demo logins (user / password):
    manager    / manager-demo-pass      (everything: mappings, match rules, QuickBooks connection)
    bookkeeper / bookkeeper-demo-pass   (sync failures, retries, conflicts)
    staff      / staff-demo-pass        (front desk: customers, sales, payments, merges)
    admin      / admin-demo-pass        (superuser)

  Press Ctrl-C to stop everything.

INFO
$PY manage.py runserver "127.0.0.1:$PORT" --noreload
