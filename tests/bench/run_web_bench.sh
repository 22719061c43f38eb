#!/usr/bin/env bash
# The web view with the render benchmark's large plan (issue 15): EXPLAIN (ANALYZE, BUFFERS,
# VERBOSE) of a partitionwise join of two tables with 400 hash partitions each (1,601 nodes,
# ~1.8 MB of JSON), made on a throwaway cluster, run through `planbot serve` so that it is a
# history entry, and opened in headless Chromium twice per round: its /plans/{id} page, and the
# same JSON pasted into /analyze. Prints the time until each page is usable (summary, tips, text,
# and the tree or its "Draw the tree" button) and the time PEV2 takes to draw the whole tree on
# demand; fails when a page takes longer than 2 s to be usable.
# Usage: tests/bench/run_web_bench.sh [rounds]   (default 3)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/deps.sh
source scripts/lib/pgcluster.sh
source scripts/lib/bench.sh
planbot_install_deps
planbot_build >/dev/null

rounds="${1:-3}"
bench_workdir webbench
pg_cluster_start "$work/pg"
psql -q -c "create database large"
psql -q -v ON_ERROR_STOP=1 -d large -f tests/bench/large_plan.sql >/dev/null
psql -q -d large -c "vacuum analyze"
query="select * from pa join pb using (id) where v + w > 10"
psql -Atq -d large -c "set enable_partitionwise_join = on" -c "set max_parallel_workers_per_gather = 0" \
  -c "explain (analyze, buffers, verbose, format json) $query" >"$work/large.json"
nodes=$(grep -c '"Node Type"' "$work/large.json")
echo "large plan: $(wc -c <"$work/large.json") bytes, $nodes nodes"

bench_serve_local large large 1
ask() { build/planbot ask --url "http://127.0.0.1:$port" --session web --json "$1"; }
ask "exec set enable_partitionwise_join = on" >/dev/null
ask "exec set max_parallel_workers_per_gather = 0" >/dev/null
id=$(ask "explain $query" | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
echo "history entry #$id"
python3 tests/bench/web_open_bench.py "http://127.0.0.1:$port" "$id" "$nodes" "$work/large.json" "$rounds"
