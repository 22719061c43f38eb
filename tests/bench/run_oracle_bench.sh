#!/usr/bin/env bash
# The capacity of the residual channels (README "Security": what still leaves the clone), measured
# through planbot's HTTP API on a throwaway cluster: a source database whose `vault` holds a
# random secret of 4,000 bytes, `planbot serve` with the quota off (the figures per minute under
# the default quota are computed from the measured bytes per command), and
# tests/bench/oracle_capacity.py, which recovers stretches of the secret through each channel and
# counts only the bytes it got right.
# Usage: tests/bench/run_oracle_bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/deps.sh
source scripts/lib/pgcluster.sh
source scripts/lib/bench.sh
planbot_install_deps
planbot_build >/dev/null

bench_workdir oracle

pg_cluster_start "$work/pg"
secret=$(python3 -c 'import os; print(os.urandom(4000).hex())')
psql -q -v ON_ERROR_STOP=1 >/dev/null <<SQL
create database oraclesource;
\c oraclesource
create table vault as select decode('$secret', 'hex') as s;
SQL
bench_serve_local oracle oraclesource 1
python3 tests/bench/oracle_capacity.py "http://127.0.0.1:$port" "$secret"
