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
trap 'pg_cluster_stop "$work/pg"; rm -rf "$work"' EXIT INT TERM
pg_cluster_start "$work/pg"
psql -q -v ON_ERROR_STOP=1 >/dev/null <<'SQL'
create table pa (id int, v int) partition by hash (id);
create table pb (id int, w int) partition by hash (id);
select format('create table pa_%s partition of pa for values with (modulus 400, remainder %s)', g, g)
  from generate_series(0, 399) g \gexec
select format('create table pb_%s partition of pb for values with (modulus 400, remainder %s)', g, g)
  from generate_series(0, 399) g \gexec
insert into pa select g, g % 97 from generate_series(1, 200000) g;
insert into pb select g, g % 89 from generate_series(1, 200000) g;
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

python3 - "$work/large.json" <<'PY'
import os, resource, statistics, subprocess, sys, time
plan = sys.argv[1]
size = os.path.getsize(plan)

def run(args, n):
    times, peak = [], 0
    for _ in range(n):
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.execv(args[0], args)
        _, status, usage = os.wait4(pid, 0)
        times.append((time.perf_counter() - t0) * 1000)
        assert os.waitstatus_to_exitcode(status) == 0, args
        peak = max(peak, usage.ru_maxrss * 1024)
    return statistics.median(times), peak

base_ms, base_rss = run(["build/planbot", "--version"], 30)
ms, rss = run(["build/planbot", "render", plan], 30)
print(f"process baseline (planbot --version): median {base_ms:.1f} ms, peak RSS {base_rss/2**20:.1f} MiB")
print(f"planbot render of the large plan:     median {ms:.1f} ms, peak RSS {rss/2**20:.1f} MiB")
print(f"render minus baseline: {ms-base_ms:.1f} ms; memory above baseline / JSON size: "
      f"{(rss-base_rss)/size:.1f}x (peak RSS / JSON size: {rss/size:.1f}x)")
PY
