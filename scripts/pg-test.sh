#!/usr/bin/env bash
# Runs the session server's contract tests against PostgreSQL and an S3-compatible
# store instead of the embedded SQLite and local files: a throwaway PostgreSQL cluster
# (Debian's packages, run as the `postgres` user, which it requires) and moto's S3
# server, both on loopback, both removed afterwards. Installs them when missing.
#
#   bash scripts/pg-test.sh            # the whole contract suite
#   bash scripts/pg-test.sh webhooks   # a filter, as for cargo test
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/flow-widget/target}"

say() { printf 'pg-test: %s\n' "$*"; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    say "need root for: $*"; exit 1
  fi
}

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pgbin" ]; then
  say "installing PostgreSQL from Debian"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi
if ! command -v moto_server >/dev/null; then
  say "installing moto (S3 server) from PyPI"
  python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5,<6'
fi

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
work=$(mktemp -d /tmp/flow-pg-test.XXXXXX)
chmod 755 "$work"
pg_port=$(free_port)
s3_port=$(free_port)
moto_pid=

cleanup() {
  set +e
  if [ -f "$work/pg/postmaster.pid" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m immediate -w stop >/dev/null
  fi
  [ -n "$moto_pid" ] && kill "$moto_pid" 2>/dev/null && wait "$moto_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

say "PostgreSQL ($pgbin) on 127.0.0.1:$pg_port"
mkdir -p "$work/pg" "$work/sock"
chown postgres:postgres "$work/pg" "$work/sock"
runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -U postgres -A trust -E UTF8 >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -l "$work/sock/pg.log" -w \
  -o "-k $work/sock -p $pg_port -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null

say "moto S3 on 127.0.0.1:$s3_port"
moto_server -H 127.0.0.1 -p "$s3_port" >"$work/moto.log" 2>&1 &
moto_pid=$!
# moto has no readiness signal: retry the bucket creation until it answers (≤ 20 s).
curl -sf --retry 100 --retry-delay 0 --retry-max-time 20 --retry-connrefused \
  -X PUT "http://127.0.0.1:$s3_port/flow-test" >/dev/null

export FLOW_TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/postgres"
export FLOW_TEST_STORAGE_URL="s3://flow-test"
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1
export AWS_ENDPOINT="http://127.0.0.1:$s3_port" AWS_ALLOW_HTTP=true

say "cargo test -p flow-server (PostgreSQL + S3)"
cargo test -p flow-server --test contract -- "$@"
