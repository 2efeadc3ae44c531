#!/usr/bin/env bash
# Runs each Go fuzz target for a short while (default 5s each): every parser
# of outside bytes has one. Usage: scripts/fuzz.sh [duration]
#
# Go 1.26's fuzzing coordinator can end a run that found nothing with a bare
# "context deadline exceeded" when -fuzztime runs out while a worker is busy
# (golang/go#75804, fixed in Go 1.27). A run that ends so, with no failing
# input written, is run once more; anything else fails at once.
set -euo pipefail
cd "$(dirname "$0")/.."
time=${1:-5s}
log=/tmp/tend-fuzz.log
deadline_only() {
  grep -q 'context deadline exceeded' "$log" && ! grep -qE 'Failing input written|panic:' "$log"
}
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for target in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //' | sort -u); do
    echo "fuzz $pkg $target ($time)"
    for try in 1 2; do
      if go test -run '^$' -fuzz "^${target}\$" -fuzztime "$time" "$pkg" >"$log" 2>&1; then
        break
      fi
      if [ "$try" = 1 ] && deadline_only; then
        echo "  the run ended on Go's fuzztime deadline with nothing found (golang/go#75804): once more"
        continue
      fi
      cat "$log"
      exit 1
    done
  done
done
