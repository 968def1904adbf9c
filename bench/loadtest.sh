#!/usr/bin/env bash
# Load test (DESIGN.md §5): a generated province served by gunicorn, 20 locust
# users for 60 s; see bench/loadtest.py. Bounded: everything it starts is stopped.
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres bench/loadtest.sh \
#       [--staff 20000] [--dossiers 200000] [--users 20] [--time 60]
set -euo pipefail
cd "$(dirname "$0")/.."
exec timeout --kill-after=30 3h .venv/bin/python -m bench load "$@"
