#!/usr/bin/env bash
# Runs every test of Tend, as `make test` and CI do:
#   Go unit and HTTP tests on SQLite and on a throwaway PostgreSQL cluster,
#   short fuzz runs of every parser of outside bytes, the web app's unit
#   tests, and the browser tests in headless Chromium against the real binary.
# It installs what is missing (Debian's postgresql and chromium, npm packages)
# and fails when a part cannot run, rather than skipping it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

step() { printf '\n==> %s\n' "$*"; }
logs=$(mktemp -d /tmp/tend-test.XXXXXX)
trap 'rm -rf "$logs"' EXIT
nocolor() { sed 's/\x1b\[[0-9;]*m//g'; }

apt_install() {
  step "installing $* from Debian's packages"
  local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

have_initdb() { command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }
missing=()
have_initdb || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v mosquitto_pub >/dev/null 2>&1 || missing+=(mosquitto-clients)
command -v mllp_send >/dev/null 2>&1 || missing+=(python3-hl7)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils) # reads the PDF reports back in tests
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

step "npm packages"
npm --prefix web ci --no-audit --no-fund --loglevel=error
npm --prefix e2e ci --no-audit --no-fund --loglevel=error

step "web app: type check, unit tests, build, first-load size"
npm --prefix web run typecheck
npm --prefix web test 2>&1 | tee "$logs/web.log"
npm --prefix web run build
npm --prefix web run size --silent

step "tend binary"
go build -o bin/tend ./cmd/tend

step "go vet"
go vet ./...

step "Go tests on SQLite and PostgreSQL"
if ! scripts/with-postgres.sh go test -count=1 -v ./... >"$logs/go.log" 2>&1; then
  cat "$logs/go.log"
  echo "Go tests failed"
  exit 1
fi
grep -E '^(ok|FAIL|---)[[:space:]]' "$logs/go.log" || true

step "short fuzz runs"
scripts/fuzz.sh 5s

step "browser tests in headless Chromium"
TEND_BIN="$PWD/bin/tend" npm --prefix e2e test 2>&1 | tee "$logs/e2e.log"

# One closing line for every part together: Go tests and subtests, the web
# app's unit tests, and the browser tests.
count() { grep -Eo "$2" "$1" | grep -Eo '[0-9]+' | tail -n 1 || true; }
go_passed=$(grep -c -- '--- PASS:' "$logs/go.log" || true)
go_failed=$(grep -c -- '--- FAIL:' "$logs/go.log" || true)
web_passed=$(nocolor <"$logs/web.log" | grep -E '^ *Tests ' | grep -Eo '[0-9]+ passed' | grep -Eo '[0-9]+' | tail -n 1 || true)
e2e_passed=$(count "$logs/e2e.log" '^# pass [0-9]+')
e2e_failed=$(count "$logs/e2e.log" '^# fail [0-9]+')
step "all tests passed: Go ${go_passed}, web ${web_passed:-0}, browser ${e2e_passed:-0}"
echo "total: $((go_passed + ${web_passed:-0} + ${e2e_passed:-0})) passed, $((go_failed + ${e2e_failed:-0})) failed"
