#!/usr/bin/env bash
# Throughput of `plan` through planbot's HTTP API against the same EXPLAIN sent by pgbench to the
# same clone, in one run on one machine:
#   1. a throwaway PostgreSQL 15 cluster with a `bench` source database;
#   2. `planbot serve` on loopback with a store on disk (history and audit written for every
#      command, synchronous=FULL);
#   3. a 3 s warm-up of both loads, not measured;
#   4. wrk: 4 connections for 20 s, each its own planbot session (so 4 clones), POSTing
#      `plan SELECT ...`; latency percentiles from wrk;
#   5. pgbench: 4 clients for 20 s, extended protocol, `EXPLAIN (COSTS, VERBOSE, FORMAT JSON)` of
#      the same SELECT against one of those clones.
# Prints both throughputs, their ratio and planbot's p50/p99 latency. With rounds > 1 the two
# alternate (planbot, pgbench, planbot, ...) and the median ratio is printed too: on a shared,
# noisy machine that is the figure to compare between builds. A run in which planbot answered
# any request with an error status is refused.
# Usage: tests/bench/run_http_bench.sh [seconds] [rounds]   (default 20 1)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/deps.sh
source scripts/lib/pgcluster.sh
source scripts/lib/bench.sh
planbot_install_deps
planbot_build >/dev/null
for p in wrk; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    { apt-get update -q && apt-get install -y -q "$p"; }
done

seconds="${1:-20}"
rounds="${2:-1}"
bench_workdir httpbench

pg_cluster_start "$work/pg"
psql -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
create database bench;
\c bench
create table accounts (id int primary key, owner text, balance numeric, created date);
insert into accounts select g, md5(g::text), g % 1000, date '2024-01-01' + g % 700
  from generate_series(1, 200000) g;
create index on accounts (created);
vacuum analyze accounts;
SQL

bench_serve_local bench bench 4

query="select * from accounts where created = '2024-03-01' and balance > 500"
# One command per session first, so every clone exists before the clock starts.
for s in 1 2 3 4; do
  build/planbot ask --url "http://127.0.0.1:$port" --session "bench$s" "plan $query" >/dev/null
done
clone=$(psql -Atc "select datname from pg_database where datname like 'bench\_clone\_%' order by oid limit 1")

cat >"$work/plan.lua" <<EOF
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("session", "bench" .. counter)
end
function init(args)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.body = [[{"text": "plan $query", "session": "]] .. session .. [["}]]
end
local failures = 0
function response(status, headers, body)
  if status ~= 200 and failures < 3 then
    failures = failures + 1
    io.stderr:write("unexpected HTTP " .. status .. ": " .. body .. "\n")
  end
end
EOF
echo "EXPLAIN (COSTS, VERBOSE, FORMAT JSON) $query;" >"$work/explain.sql"
# planbot's CPU time (user + system, all threads) in clock ticks, from /proc.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$planbot_pid/stat"; }
echo "CLK_TCK $(getconf CLK_TCK)" >"$work/clk"
echo "warm-up: 3 s of the same load, not measured"
wrk -t4 -c4 -d3s -s "$work/plan.lua" "http://127.0.0.1:$port/api/v1/commands" >/dev/null
pgbench -n -M extended -c 4 -j 4 -T 3 -f "$work/explain.sql" "$clone" >/dev/null 2>&1
for round in $(seq 1 "$rounds"); do
  [ "$rounds" -gt 1 ] && echo "--- round $round of $rounds"
  echo "planbot: 4 connections, ${seconds}s, POST plan ... (4 sessions, 4 clones)"
  cpu_ticks >"$work/cpu.$round.before"
  wrk -t4 -c4 -d"${seconds}s" --latency -s "$work/plan.lua" \
    "http://127.0.0.1:$port/api/v1/commands" | tee "$work/wrk.$round.out"
  cpu_ticks >"$work/cpu.$round.after"
  echo "pgbench: 4 clients, ${seconds}s, extended protocol, the same EXPLAIN on clone $clone"
  pgbench -n -M extended -c 4 -j 4 -T "$seconds" -f "$work/explain.sql" "$clone" |
    tee "$work/pgbench.$round.out"
done

history_rows=$(sqlite3 "$work/planbot.db" "select count(*) from history" 2>/dev/null || echo "?")
# duration_ms of a history entry: from the command's arrival in the core to its answer being
# built, before the history and audit write.
inside_ms=$(sqlite3 "$work/planbot.db" "select printf('%.2f', avg(duration_ms)) from history" \
  2>/dev/null || echo "?")
python3 - "$work" "$rounds" "$history_rows" "$inside_ms" <<'PY'
import re, statistics, sys
work, rounds, rows, inside = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ratios = []
for r in range(1, rounds + 1):
    wrk = open(f"{work}/wrk.{r}.out").read()
    pgb = open(f"{work}/pgbench.{r}.out").read()
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", wrk)
    if bad:
        sys.exit(f"planbot answered {bad.group(1)} requests with an error status: not a valid run")
    planbot = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
    pgbench = float(re.search(r"tps = ([\d.]+)", pgb).group(1))
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)", wrk, re.M))
    ratios.append(planbot / pgbench)
    requests = int(re.search(r"(\d+) requests in", wrk).group(1))
    hz = int(open(f"{work}/clk").read().split()[1])
    ticks = int(open(f"{work}/cpu.{r}.after").read()) - int(open(f"{work}/cpu.{r}.before").read())
    cpu_ms = ticks * 1000.0 / hz / requests if requests else float("nan")
    label = f"round {r}: " if rounds > 1 else ""
    print(f"{label}planbot plan via HTTP: {planbot:.0f} commands/s "
          f"(p50 {lat.get('50')}, p99 {lat.get('99')}; planbot CPU {cpu_ms:.2f} ms/command)")
    print(f"{label}pgbench EXPLAIN:       {pgbench:.0f} statements/s")
    print(f"{label}ratio planbot / pgbench: {planbot / pgbench:.2f}")
print(f"history rows written: {rows}; average time in the core before recording "
      f"(history duration_ms): {inside} ms")
if rounds > 1:
    print(f"median ratio over {rounds} interleaved rounds: {statistics.median(ratios):.2f} "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f})")
PY
