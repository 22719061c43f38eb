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

# pg_cluster_start DIR [PORT]: initdb DIR if needed, start on PORT (or a free one).
# Sets PGHOST, PGPORT, PGUSER, PGDATABASE for libpq clients.
pg_cluster_start() {
  local dir="$1" port="${2:-}"
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  chmod 700 "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    pg_as_owner "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; return 1; }
  fi
  [ -n "$port" ] || port=$(pg_free_port)
  pg_as_owner "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c shared_preload_libraries=''" \
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
