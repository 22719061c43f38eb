#!/usr/bin/env bash
# Analyzer speed and memory, measured against baselines in the same run:
#   1. Google Benchmark (bench_analyzer): parse + model + render + summary + tips of a small and
#      a large plan, next to nlohmann_json's DOM parse and its bare lexer on the same text;
#   2. `planbot render` of the large plan as a whole process (wall time, peak RSS), next to the
#      process baseline `planbot --version`.
# The large plan is EXPLAIN (ANALYZE, BUFFERS, VERBOSE) of a partitionwise join of two tables
# with 400 hash partitions each (~1,600 nodes, ~1.8 MB of JSON), made on a throwaway cluster.
# Usage: tests/bench/run_analyzer_bench.sh   (after scripts/test or a build in ./build)
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/deps.sh
source scripts/lib/pgcluster.sh
planbot_install_deps
planbot_build >/dev/null

work=$(mktemp -d /tmp/planbot-bench.XXXXXX)
chmod 755 "$work"  # the server runs as postgres and must reach $work/pg
trap 'pg_cluster_stop "$work/pg"; rm -rf "$work"' EXIT INT TERM
pg_cluster_start "$work/pg"
psql -q -v ON_ERROR_STOP=1 -f tests/bench/large_plan.sql >/dev/null
psql -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
create table orders (id int primary key, customer int, amount numeric, note text);
insert into orders select g, g % 1000, g % 500, md5(g::text) from generate_series(1, 100000) g;
vacuum analyze;
SQL
psql -Atq -c "set enable_partitionwise_join = on" -c "set max_parallel_workers_per_gather = 0" \
  -c "explain (analyze, buffers, verbose, format json) select * from pa join pb using (id) where v + w > 10" \
  >"$work/large.json"
psql -Atq -c "explain (analyze, buffers, verbose, format json)
  select customer, count(*) from orders where amount > 400 group by customer order by 2 desc limit 5" \
  >"$work/small.json"
echo "small plan: $(wc -c <"$work/small.json") bytes; large plan: $(wc -c <"$work/large.json") bytes," \
  "$(grep -c '"Node Type"' "$work/large.json") nodes"

PLANBOT_BENCH_SMALL="$work/small.json" PLANBOT_BENCH_LARGE="$work/large.json" \
  build/tests/bench/bench_analyzer --benchmark_repetitions=5 --benchmark_report_aggregates_only=true

# Whole-process figures: hyperfine for wall time, GNU time for peak RSS.
for p in hyperfine time; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    { apt-get update -q && apt-get install -y -q "$p"; }
done
hyperfine --warmup 5 --runs 40 -N --export-json "$work/hyperfine.json" \
  "build/planbot --version" "build/planbot render $work/large.json" >/dev/null
/usr/bin/time -f %M -o "$work/rss_base" build/planbot --version >/dev/null
/usr/bin/time -f %M -o "$work/rss_render" build/planbot render "$work/large.json" >/dev/null
python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
runs = json.load(open(f"{work}/hyperfine.json"))["results"]
base, render = (r["median"] * 1000 for r in runs)
size = os.path.getsize(f"{work}/large.json")
rss_base = int(open(f"{work}/rss_base").read()) * 1024
rss = int(open(f"{work}/rss_render").read()) * 1024
print(f"process baseline (planbot --version): median {base:.1f} ms, peak RSS {rss_base/2**20:.1f} MiB")
print(f"planbot render of the large plan:     median {render:.1f} ms, peak RSS {rss/2**20:.1f} MiB")
print(f"render / baseline: {render/base:.1f}x; peak RSS / JSON size: {rss/size:.1f}x "
      f"(above the baseline process: {(rss-rss_base)/size:.1f}x)")
PY
