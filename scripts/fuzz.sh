#!/usr/bin/env bash
# Runs each Go fuzz target for a short while (default 5s each): every parser
# of outside bytes has one. Usage: scripts/fuzz.sh [duration]
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-5s}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $target ($time)"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$time" "$pkg" >/tmp/tend-fuzz.log 2>&1 || { cat /tmp/tend-fuzz.log; exit 1; }
  done
done
