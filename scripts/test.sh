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
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

step "npm packages"
npm --prefix web ci --no-audit --no-fund --loglevel=error
npm --prefix e2e ci --no-audit --no-fund --loglevel=error

step "web app: type check, unit tests, build"
npm --prefix web run typecheck
npm --prefix web test
npm --prefix web run build

step "tend binary"
go build -o bin/tend ./cmd/tend

step "go vet"
go vet ./...

step "Go tests on SQLite and PostgreSQL"
scripts/with-postgres.sh go test -count=1 ./...

step "short fuzz runs"
scripts/fuzz.sh 5s

step "browser tests in headless Chromium"
TEND_BIN="$PWD/bin/tend" npm --prefix e2e test

step "all tests passed"
