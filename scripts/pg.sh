#!/usr/bin/env bash
# Throwaway PostgreSQL cluster for tests and benchmarks (recipe: ../shared/TECH.md).
#   scripts/pg.sh start DIR   → prints the URL on stdout (UTF8, C.UTF-8, free port, loopback only)
#   scripts/pg.sh stop DIR
# DIR names the cluster. When run as root, `initdb` runs as the `postgres` user, who may not be able
# to enter DIR (a checkout inside root's mode-0700 home): the cluster then lives in a fresh folder
# under /tmp owned by postgres, and DIR only records where (DIR/cluster).
set -euo pipefail
cmd=${1:?start|stop}; handle=$(realpath -m "${2:?data folder}")
root="$handle"
if [ -f "$handle/cluster" ]; then root=$(cat "$handle/cluster"); fi
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)

ensure_installed() {
  if [ -z "${BIN}" ] || [ ! -x "${BIN}/initdb" ]; then
    echo "PostgreSQL not found; installing Debian postgresql" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2 && apt-get install -y -qq postgresql >&2
    BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
  fi
}

run_as_pg() {
  if [ "$(id -u)" = "0" ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    ensure_installed
    if [ -f "$root/data/postmaster.pid" ]; then run_as_pg "$BIN/pg_ctl" -D "$root/data" -m immediate stop >&2 || true; fi
    rm -rf "$root" "$handle"; mkdir -p "$handle"
    if [ "$(id -u)" = "0" ]; then
      root=$(mktemp -d "${TMPDIR:-/tmp}/xinyong-pg.XXXXXX"); chown postgres "$root"
      echo "$root" > "$handle/cluster"
    else
      root="$handle"
    fi
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
    run_as_pg "$BIN/initdb" -D "$root/data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$root/initdb.log" 2>&1 \
      || { cat "$root/initdb.log" >&2; exit 1; }
    run_as_pg "$BIN/pg_ctl" -D "$root/data" -l "$root/pg.log" -w -t 60 -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$root -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2 \
      || { cat "$root/pg.log" >&2; exit 1; }
    echo "$port" > "$root/port"; echo "$port" > "$handle/port"
    echo "postgresql://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$root/data/postmaster.pid" ]; then run_as_pg "$BIN/pg_ctl" -D "$root/data" -m fast stop >&2 || true; fi
    rm -rf "$root" "$handle"
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
