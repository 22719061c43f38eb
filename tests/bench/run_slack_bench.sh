#!/usr/bin/env bash
# Acknowledgement latency of POST /slack/events while every clone is busy, in one run:
#   1. a throwaway PostgreSQL 15 cluster with a small `bench` source database;
#   2. a fake Slack Web API (tests/bench/slack_bench.py fake) on loopback that answers every call;
#   3. `planbot serve` with a `slack` section pointing at the fake, limits.workers 4;
#   4. first 8 users each send `explain select pg_sleep(...)`, so every worker is busy with a
#      clone for the whole measurement; then signed message events at 100/s for N seconds (each
#      a `plan` from one of 40 users, queued behind the sleepers) and, interleaved at the same
#      rate, GET /healthz as the baseline of the same server, client and machine.
# Prints p50/p99 of both and the ratio of the p99s. Target: p99 acknowledgement under 50 ms.
# Usage: tests/bench/run_slack_bench.sh [seconds]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/deps.sh
source scripts/lib/pgcluster.sh
planbot_install_deps
planbot_build >/dev/null

seconds="${1:-20}"
work=$(mktemp -d /tmp/planbot-slackbench.XXXXXX)
chmod 755 "$work"
planbot_pid=""
fake_pid=""
cleanup() {
  [ -n "$planbot_pid" ] && kill -TERM "$planbot_pid" 2>/dev/null && wait "$planbot_pid" || true
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
  pg_cluster_stop "$work/pg"
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

pg_cluster_start "$work/pg"
psql -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
create database bench;
\c bench
create table accounts (id int primary key, owner text, balance numeric);
insert into accounts select g, md5(g::text), g % 1000 from generate_series(1, 10000) g;
vacuum analyze accounts;
SQL

fake_port=$(pg_free_port)
python3 tests/bench/slack_bench.py fake "$fake_port" >"$work/fake.log" 2>&1 &
fake_pid=$!
port=$(pg_free_port)
secret="bench-signing-secret-$(date +%s%N)"
cat >"$work/planbot.yaml" <<EOF
listen: 127.0.0.1:$port
store: $work/planbot.db
limits: {quota: {commands: 0, per: 60s}, workers: 4, statement_timeout: 120s}
databases:
  - name: bench
    provider: local
    local: {source: bench, warm_clones: 2, clone_prefix: slack_bench_clone}
slack:
  signing_secret: "$secret"
  bot_token: xoxb-bench
  api_url: http://127.0.0.1:$fake_port/api
  channels: [{id: C0BENCH, database: bench}]
EOF
build/planbot serve --config "$work/planbot.yaml" 2>"$work/serve.log" &
planbot_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break
  sleep 0.2
done
python3 tests/bench/slack_bench.py drive "$port" "$secret" "$seconds" "$((seconds + 30))"
