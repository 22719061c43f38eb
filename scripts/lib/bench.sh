# shellcheck shell=bash
# Shared by the benchmark scripts under tests/bench: a work directory whose planbot and PostgreSQL
# cluster are stopped whatever happens, and `planbot serve` started and waited for. Sourced after
# scripts/lib/pgcluster.sh.

# bench_workdir STEM: makes $work (mode 755: the postgres user must reach its cluster there) and
# sets the trap that stops the planbot of bench_serve and the cluster under $work/pg at exit.
bench_workdir() {
  work=$(mktemp -d "/tmp/planbot-$1.XXXXXX")
  chmod 755 "$work"
  planbot_pid=""
  trap bench_cleanup EXIT INT TERM
}

bench_cleanup() {
  [ -n "$planbot_pid" ] && kill -TERM "$planbot_pid" 2>/dev/null && wait "$planbot_pid" || true
  pg_cluster_stop "$work/pg"
  rm -rf "$work"
}

# bench_serve CONFIG PORT: runs `planbot serve --config CONFIG` in the background (its log in
# $work/serve.log, its pid in planbot_pid) and waits until /healthz answers on PORT. The binary is
# build/planbot, or $PLANBOT_SERVE (e.g. another build, for an A/B comparison).
bench_serve() {
  "${PLANBOT_SERVE:-build/planbot}" serve --config "$1" 2>"$work/serve.log" &
  planbot_pid=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && return 0
    sleep 0.2
  done
  echo "planbot did not become healthy; its log:" >&2
  cat "$work/serve.log" >&2
  return 1
}

# bench_serve_local NAME SOURCE WARM_CLONES: writes $work/planbot.yaml for one `local` database
# NAME cloned from SOURCE (clone prefix NAME_clone, WARM_CLONES kept warm, no quota, the store in
# $work), picks a free port (in $port) and runs bench_serve on it.
bench_serve_local() {
  port=$(pg_free_port)
  cat >"$work/planbot.yaml" <<YAML
listen: 127.0.0.1:$port
store: $work/planbot.db
limits: {quota: {commands: 0, per: 60s}}
databases:
  - name: $1
    provider: local
    local: {source: $2, warm_clones: $3, clone_prefix: $1_clone}
YAML
  bench_serve "$work/planbot.yaml" "$port"
}
