#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL cluster: initdb in a temporary
# folder, pg_ctl on a free port, TEND_TEST_POSTGRES exported, and the cluster
# removed afterwards. Never depends on a port being free or on a running
# service. Installs Debian's postgresql package when initdb is missing.
#   scripts/with-postgres.sh go test ./...
set -euo pipefail

find_bin() {
  local name=$1
  if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
  ls -d /usr/lib/postgresql/*/bin/"$name" 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(find_bin initdb)" ]; then
  echo "with-postgres: initdb not found; installing Debian's postgresql package" >&2
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq postgresql >/dev/null; fi
fi
INITDB=$(find_bin initdb); PG_CTL=$(find_bin pg_ctl)
[ -n "$INITDB" ] && [ -n "$PG_CTL" ] || { echo "with-postgres: no initdb/pg_ctl, cannot run PostgreSQL tests" >&2; exit 1; }

dir=$(mktemp -d /tmp/tend-pg.XXXXXX)
run_as=()
if [ "$(id -u)" = 0 ]; then
  # PostgreSQL refuses to run as root: use the postgres user (or nobody).
  owner=postgres; id postgres >/dev/null 2>&1 || owner=nobody
  chown "$owner" "$dir"
  run_as=(runuser -u "$owner" --)
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))

cleanup() {
  "${run_as[@]}" "$PG_CTL" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${run_as[@]}" "$INITDB" -D "$dir/data" -U tend --auth=trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 \
  || { cat "$dir/initdb.log" >&2; exit 1; }
"${run_as[@]}" "$PG_CTL" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
  start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }

export TEND_TEST_POSTGRES="postgres://tend@127.0.0.1:$port/postgres?sslmode=disable"
echo "with-postgres: throwaway cluster on 127.0.0.1:$port" >&2
"$@"
