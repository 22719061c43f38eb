#!/usr/bin/env bash
# How long planbot takes to answer hostile request bodies (SECURITY.md: "exhausting planbot"),
# against a baseline measured in the same run:
#   1. a throwaway PostgreSQL 15 cluster with a small source database;
#   2. `planbot serve` on loopback (quota off, the default 30 s statement timeout);
#   3. the baseline: `plan select 1`, 20 times, median;
#   4. every body that tests/bench/adversarial_sql.py writes (statements filling the 1 MiB body
#      limit, which must be refused as too_complex, and the largest statements still accepted,
#      which must be answered), each sent 3 times through POST /api/v1/commands; the slowest of
#      the three counts.
# Prints one line per body (status, seconds, ratio to the baseline) and fails when any answer
# took longer than the target (2 s, the issue's figure for this machine), came back 5xx, or the
# service died.
# Usage: tests/bench/run_adversarial_bench.sh [target_seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/deps.sh
source scripts/lib/pgcluster.sh
source scripts/lib/bench.sh
planbot_install_deps
planbot_build >/dev/null

target="${1:-2}"
bench_workdir advbench

pg_cluster_start "$work/pg"
psql -q -v ON_ERROR_STOP=1 -c "create database advsource" >/dev/null
bench_serve_local adv advsource 1
python3 tests/bench/adversarial_sql.py "$work/bodies"

url="http://127.0.0.1:$port/api/v1/commands"
send() {  # send FILE -> "status seconds"
  curl -s -o "$work/answer.json" -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/json' \
    --data-binary @"$1" "$url"
}
printf '{"text": "plan select 1"}' >"$work/baseline.json"
send "$work/baseline.json" >/dev/null  # the session's clone, before the clock
baseline=$(for _ in $(seq 1 20); do send "$work/baseline.json" | cut -d' ' -f2; done | sort -n |
  awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
printf 'baseline: plan select 1, median of 20: %.4f s\n\n' "$baseline"
printf '%-40s %8s %6s %8s %9s  %s\n' body bytes status seconds ratio answer
failed=0
worst=0
for body in "$work"/bodies/*.json; do
  name=$(basename "$body" .json)
  slowest=0
  status=""
  for _ in 1 2 3; do
    read -r status seconds < <(send "$body")
    slowest=$(awk -v a="$slowest" -v b="$seconds" 'BEGIN {print (b > a) ? b : a}')
  done
  answer=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
e=d.get("error")
print(e["code"] + ": " + e["message"][:60] if e else "ok: " + d.get("command", ""))' "$work/answer.json" 2>/dev/null || echo "unreadable")
  ratio=$(awk -v s="$slowest" -v b="$baseline" 'BEGIN {printf "%.0f", s / b}')
  printf '%-40s %8d %6s %8.3f %8sx  %s\n' "$name" "$(stat -c %s "$body")" "$status" "$slowest" "$ratio" "$answer"
  worst=$(awk -v a="$worst" -v b="$slowest" 'BEGIN {print (b > a) ? b : a}')
  if [ "${status:0:1}" = "5" ] || awk -v s="$slowest" -v t="$target" 'BEGIN {exit !(s > t)}'; then
    failed=1
  fi
done
if ! kill -0 "$planbot_pid" 2>/dev/null || ! curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then
  echo "planbot died or is unhealthy after the bodies"
  failed=1
fi
printf '\nslowest answer: %.3f s (target %s s); baseline %.4f s\n' "$worst" "$target" "$baseline"
exit "$failed"
