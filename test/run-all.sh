#!/usr/bin/env bash
# Runs every test suite, goes on after a failure so one run shows all of
# them, prints each runner's summary and exits non-zero if any failed.
set -uo pipefail
cd "$(dirname "$0")/.."
failed=()
step() {
  local name=$1; shift
  echo
  echo "=== $name: $*"
  local start=$SECONDS
  if "$@"; then echo "=== $name: ok ($((SECONDS - start)) s)"; else echo "=== $name: FAILED ($((SECONDS - start)) s)"; failed+=("$name"); fi
}

step gofmt         bash -c 'out=$(gofmt -l app backend main.go); [[ -z $out ]] || { echo "not gofmt-ed: $out"; false; }'
step svelte-check  bash -c 'cd frontend && npm run --silent check'
step vitest        bash -c 'cd frontend && npx vitest run'
step build         make --no-print-directory build
step switchboard-nocgo bash -c 'CGO_ENABLED=0 go build -o /dev/null ./backend/cmd/switchboard'
step go-vet        go vet ./app/... ./backend/...
step go-test       go test -race -count=1 ./app/... ./backend/...
step e2e           bash -c 'cd test/e2e && node --test --test-concurrency=2 --test-reporter=spec *.test.mjs'

echo
if ((${#failed[@]})); then
  echo "make test: FAILED: ${failed[*]}"
  exit 1
fi
echo "make test: all suites passed"
