# shellcheck shell=bash
# Starts and stops a private PostgreSQL 15 cluster on a free loopback port.
# Sourced by scripts/test and scripts/demo. PostgreSQL refuses to run as root, so when we are
# root the server runs as the `postgres` user.
PG_BIN=/usr/lib/postgresql/15/bin

pg_as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# pg_port_free PORT [HOST]: succeeds when a server could listen on HOST:PORT (default
# 127.0.0.1). Fails with status 1 when something listens there, with status 2 and a message
# when HOST:PORT cannot be bound for another reason (not an address of this machine, ...).
pg_port_free() {
  local port="$1" host="${2:-127.0.0.1}"
  python3 -c '
import errno, socket, sys
host, port = sys.argv[1].strip("[]"), int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
# Servers set SO_REUSEADDR too: connections left in TIME_WAIT do not make a port busy.
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind((host, port))
except OSError as e:
    if e.errno == errno.EADDRINUSE:
        sys.exit(1)
    print(f"cannot listen on {sys.argv[1]}:{port}: {e.strerror}", file=sys.stderr)
    sys.exit(2)
' "$host" "$port"
}

# pg_cluster_running DIR: succeeds when the cluster in DIR is running.
pg_cluster_running() {
  local dir="$1"
  [ -f "$dir/data/postmaster.pid" ] &&
    pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

# pg_cluster_start DIR [PORT]: initdb DIR if needed, start on PORT (or a free one).
# Sets PGHOST, PGPORT, PGUSER, PGDATABASE for libpq clients.
pg_cluster_start() {
  local dir="$1" port="${2:-}"
  case "$dir" in /*) ;; *) dir="$PWD/$dir" ;; esac  # the server resolves paths from its data
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  if ! pg_as_owner test -w "$dir"; then
    echo "pg_cluster_start: the postgres user cannot write to $dir;" \
      "every directory above it must be searchable by others (chmod o+x)" >&2
    return 1
  fi
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    pg_as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
  fi
  [ -n "$port" ] || port=$(pg_free_port)
  # The Unix socket lives beside the data unless its path would pass the kernel's 107-byte
  # limit (clients here use TCP anyway). pg_ctl hands -o to a shell, hence the inner quotes.
  local sockets="$dir"
  if [ "${#dir}" -gt 90 ]; then sockets=""; fi
  pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k '$sockets' -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_preload_libraries=''" \
    >/dev/null || { cat "$dir/server.log"; return 1; }
  export PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGDATABASE=postgres
}

# pg_cluster_stop DIR: fast shutdown; safe to call when the server is not running.
pg_cluster_stop() {
  local dir="$1"
  if [ -f "$dir/data/postmaster.pid" ]; then
    pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  fi
}
