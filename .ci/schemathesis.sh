#!/usr/bin/env bash
# The API against its OpenAPI document: starts `baton serve` (the debug build) on a fresh
# SQLite data dir, bootstraps a workspace, and runs Schemathesis over /api/v1/openapi.json with
# every check and all four phases (examples, coverage, fuzzing, stateful) in a bounded budget.
# Fails on any server error or check failure. .ci/run calls it after the tests; a developer
# runs it alone as `bash .ci/schemathesis.sh` (budget: ST_MAX_EXAMPLES, ST_MAX_TIME seconds).
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
max_examples="${ST_MAX_EXAMPLES:-40}"
max_time="${ST_MAX_TIME:-300}"

die() { printf 'SCHEMATHESIS FAILED: %s\n' "$*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 is not installed"
if [ "$(python3 -c 'import schemathesis; print(schemathesis.__version__)' 2>/dev/null)" != "$version" ]; then
  python3 -m pip install --quiet "schemathesis==$version" \
    || python3 -m pip install --quiet --break-system-packages "schemathesis==$version" \
    || die "pip install schemathesis==$version failed"
fi

cargo build -q -p baton
baton="$PWD/target/debug/baton"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

email=owner@example.com
password="st-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
printf '%s\n' "$password" | "$baton" admin bootstrap --data-dir "$work/data" \
  --workspace "API check" --email "$email" --name "Owner" --timezone UTC >/dev/null \
  || die "baton admin bootstrap failed"

"$baton" serve --data-dir "$work/data" --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
server=$!
base=""
for _ in $(seq 1 120); do
  base="$(sed -n 's/^Baton is running at \(http:[^ ]*\) .*/\1/p' "$work/serve.log")"
  [ -n "$base" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; die "baton serve exited"; }
  sleep 0.5
done
[ -n "$base" ] || die "baton serve did not start in 60 s"
echo "baton serve answers at $base"

status=0
BATON_ST_EMAIL="$email" BATON_ST_PASSWORD="$password" \
  python3 -m schemathesis.cli --no-color --config-file .ci/schemathesis.toml \
    run "$base/api/v1/openapi.json" \
    --checks all \
    --phases examples,coverage,fuzzing,stateful \
    --max-examples "$max_examples" \
    --max-time "$max_time" \
    --request-timeout 30 \
    --workers 2 \
    --seed "${ST_SEED:-$RANDOM}" \
    --generation-database none \
    "$@" || status=$?

kill -0 "$server" 2>/dev/null || { cat "$work/serve.log" >&2; die "baton serve died during the run"; }
if grep -q 'internal error' "$work/serve.log"; then
  grep 'internal error' "$work/serve.log" >&2
  die "the server logged internal errors"
fi
[ "$status" -eq 0 ] || die "schemathesis found failures (exit $status)"
echo "schemathesis: no server error, no check failure"
