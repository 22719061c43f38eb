#!/usr/bin/env bash
# How many slow queries does planbot's FIRST tip fix? The scenario set is tests/data/advice/*.sql:
# one file per scenario, its header naming the query, the tip expected first and the effect that
# counts as fixed:
#   -- expect: <tip code that should come first, or none>
#   -- effect: faster10x | no_spill | estimate3x | no_high_tip
#   -- query: <the one SELECT to explain, on one line>
# followed by the schema and data (deterministic, 100k-500k rows, skewed).
#
# The run:
#   1. a throwaway PostgreSQL 15 cluster (initdb --locale=C.UTF-8) and, per scenario, a source
#      database of the scenario's name made with `createdb -T template0 --lc-collate=C.UTF-8
#      --lc-ctype=C.UTF-8` (a non-C collation for PostgreSQL: a plain B-tree cannot serve LIKE
#      'abc%'), with `CREATE EXTENSION hypopg`, the scenario loaded into it;
#   2. `planbot serve` on loopback with every scenario as a `local` database (no warm clones, no
#      quota, the store in the work directory);
#   3. per scenario, in a fresh session (so a fresh clone): `explain QUERY` twice (the first warms
#      the cache; the second is measured and its tips read); the FIRST tip's `fix.statements` run
#      one by one with `exec`; `explain QUERY` twice again, the second measured;
#   4. the verdict by the scenario's effect:
#        faster10x    Execution Time at least 10× lower;
#        no_spill     the first explain spilled, the last has no sort_spill, hash_spill or
#                     hashagg_spill tip and no "Disk" in its text plan;
#        estimate3x   the first explain had a node off by more than 3×, the last has none: the
#                     root and every node that reads a relation, actual rows per loop within 3×
#                     of Plan Rows (both floored at 1);
#        no_high_tip  (controls) the first explain has no tip of severity high; nothing is run.
#      A tip without statements, a failing `exec` or an effect whose pattern the first explain
#      does not show counts as not fixed.
# With --before (for a binary older than tips' `fix` field) the statements are read from the
# first tip's message instead: CREATE INDEX, CREATE STATISTICS, SET, ANALYZE and VACUUM, in the
# message's order but ANALYZE/VACUUM last (they must follow CREATE STATISTICS); SET LOCAL becomes
# SET (it would not outlive exec's transaction) and SET enable_* is left out (messages offer it
# "to compare", not as a fix).
#
# Prints one line per scenario (name, expected code, first tip's code, execution ms before and
# after, verdict, statements applied), then "fixed by the first tip: N of M" over the scenarios
# with a pattern to fix and "controls without a high-severity tip: N of M". Exit status 0 unless
# the harness itself failed (this is a measurement: 2 then); with --check, 1 when any scenario is
# not fixed or any control has a high tip.
# Takes about 2-3 minutes on 2 cores, most of it loading the data (about 70 s of loads).
#
# Usage: tests/bench/advice_scenarios.sh [--binary PATH] [--before] [--only NAME] [--check]
#   --binary PATH  the planbot to measure (default build/planbot; it is not built here)
#   --before       read the statements from the first tip's message (binaries without `fix`)
#   --only NAME    one scenario (tests/data/advice/NAME.sql); may be repeated
#   --check        exit 1 when a scenario is not fixed or a control has a high tip (for CI)
# Needs postgresql-15, postgresql-15-hypopg, python3 and curl; installs the missing ones with
# apt-get (as root or with sudo).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/pgcluster.sh
source scripts/lib/bench.sh

usage() {
  sed -n 's/^# Usage: /usage: /p' "$0" >&2
  exit 2
}

binary=build/planbot
before=0
check=0
only=()
while [ $# -gt 0 ]; do
  case "$1" in
    --binary) [ $# -ge 2 ] || usage; binary="$2"; shift 2 ;;
    --before) before=1; shift ;;
    --check) check=1; shift ;;
    --only) [ $# -ge 2 ] || usage; only+=("$2"); shift 2 ;;
    -h | --help) usage ;;
    *) echo "unknown argument: $1" >&2; usage ;;
  esac
done
case "$binary" in /*) ;; *) binary="$PWD/$binary" ;; esac
[ -x "$binary" ] || { echo "no planbot binary at $binary (build it, or pass --binary)" >&2; exit 2; }

missing=()
for p in postgresql-15 postgresql-client-15 postgresql-15-hypopg python3 curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

scenarios=()
if [ ${#only[@]} -gt 0 ]; then
  for name in "${only[@]}"; do
    [ -f "tests/data/advice/$name.sql" ] || { echo "no scenario tests/data/advice/$name.sql" >&2; exit 2; }
    scenarios+=("$name")
  done
else
  for f in tests/data/advice/*.sql; do scenarios+=("$(basename "$f" .sql)"); done
fi
for name in "${scenarios[@]}"; do
  # Database names and YAML values below are written unquoted.
  [[ "$name" =~ ^[a-z][a-z0-9_]{0,47}$ ]] || { echo "bad scenario name: $name" >&2; exit 2; }
done

bench_workdir advice
pg_cluster_start "$work/pg"

echo "loading ${#scenarios[@]} scenarios ($(basename "$binary"), $([ "$before" -eq 1 ] && echo "statements from the tip's message" || echo "fix.statements"))"
for name in "${scenarios[@]}"; do
  start=$(date +%s%N)
  createdb -T template0 --lc-collate=C.UTF-8 --lc-ctype=C.UTF-8 "$name"
  psql -q -X -v ON_ERROR_STOP=1 -d "$name" -c "create extension hypopg" \
    -f "tests/data/advice/$name.sql" >"$work/load.$name.log" 2>&1 ||
    { echo "loading $name failed:" >&2; cat "$work/load.$name.log" >&2; exit 2; }
  elapsed=$((($(date +%s%N) - start) / 100000000))
  printf '  %-32s %d.%d s\n' "$name" $((elapsed / 10)) $((elapsed % 10))
done

port=$(pg_free_port)
{
  echo "listen: 127.0.0.1:$port"
  echo "store: $work/planbot.db"
  echo "limits: {quota: {commands: 0, per: 60s}}"
  echo "databases:"
  i=0
  for name in "${scenarios[@]}"; do
    i=$((i + 1))
    echo "  - name: $name"
    echo "    provider: local"
    echo "    local: {source: $name, warm_clones: 0, clone_prefix: adv${i}_clone}"
  done
} >"$work/planbot.yaml"
PLANBOT_SERVE="$binary" bench_serve "$work/planbot.yaml" "$port"

status=0
python3 - "http://127.0.0.1:$port/api/v1/commands" "$before" "$check" "${scenarios[@]}" <<'PY' ||
import json, os, re, sys, time, traceback, urllib.error, urllib.request

url, before, check = sys.argv[1], sys.argv[2] == "1", sys.argv[3] == "1"
names = sys.argv[4:]
SPILL_CODES = {"sort_spill", "hash_spill", "hashagg_spill"}
EFFECTS = {"faster10x", "no_spill", "estimate3x", "no_high_tip"}


class Failed(Exception):
    """A command planbot answered with an error: the scenario is not fixed."""


def post(text, database, session):
    body = json.dumps({"text": text, "database": database, "session": session}).encode()
    req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        answer = json.load(e)
        raise Failed(f"{text.split()[0]} answered HTTP {e.code}: "
                     f"{answer.get('error', {}).get('message', answer)}") from None


def header(name):
    fields = {}
    with open(f"tests/data/advice/{name}.sql") as f:
        for line in f:
            m = re.match(r"--\s*(expect|effect|query):\s*(.*\S)\s*$", line)
            if m:
                fields.setdefault(m.group(1), m.group(2))
    missing = {"expect", "effect", "query"} - fields.keys()
    if missing or fields["effect"] not in EFFECTS:
        print(f"{name}.sql: the header needs expect, effect ({', '.join(sorted(EFFECTS))}) "
              "and query", file=sys.stderr)
        sys.exit(2)
    return fields


def paren_end(text, start):
    """Index just past the parenthesis closing the first one opened at or after start."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "(":
            depth += 1
        elif text[i] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def statements_from_message(message):
    """What an older planbot's message tells the user to run (--before)."""
    found = []  # (position, statement)
    for m in re.finditer(r"\bCREATE (?:UNIQUE )?INDEX\b", message):
        end = paren_end(message, m.end())
        if end > 0:
            found.append((m.start(), message[m.start():end]))
    for m in re.finditer(r"\bCREATE STATISTICS\b[^;`]*?\bFROM [\w.\"]+", message):
        found.append((m.start(), m.group(0)))
    for m in re.finditer(r"\bSET (?:LOCAL )?(\w+) (?:=|TO) ('[^']*'|[\w.]+)", message):
        if not m.group(1).startswith("enable_"):
            found.append((m.start(), f"SET {m.group(1)} = {m.group(2)}"))
    for m in re.finditer(r"\b(?:ANALYZE|VACUUM(?: \([^)]*\))?(?: ANALYZE)?) [\w.\"]+", message):
        found.append((m.start(), m.group(0)))
    found.sort()
    out = []
    for _, s in found:
        if s not in out:
            out.append(s)
    return sorted(out, key=lambda s: s.startswith(("ANALYZE", "VACUUM")))


def plan_root(answer):
    doc = answer["plan"]["json"]
    if isinstance(doc, list):
        doc = doc[0]
    return doc["Plan"]


def misestimates(answer):
    """Factor by which the root and each executed relation-reading node is off, over 3×."""
    out = []

    def visit(node, is_root):
        loops = node.get("Actual Loops", 0)
        if loops and (is_root or "Relation Name" in node):
            actual = max(node.get("Actual Rows", 0), 1)
            planned = max(node.get("Plan Rows", 0), 1)
            factor = max(actual / planned, planned / actual)
            if factor > 3:
                out.append(f"{node['Node Type']} on {node.get('Relation Name', '-')}: "
                           f"planned {planned:g}, got {actual:g}")
        for child in node.get("Plans", []):
            visit(child, False)

    visit(plan_root(answer), True)
    return out


def spills(answer):
    codes = sorted({t["code"] for t in answer.get("tips", [])} & SPILL_CODES)
    if re.search(r"\bDisk\b", answer["plan"]["text"]):
        codes.append("Disk in plan")
    return codes


def execution_ms(answer):
    return answer["summary"]["execution_time"]["ms"]


def explain(name, session, query):
    post(f"explain {query}", name, session)  # warms the cache; not measured
    return post(f"explain {query}", name, session)


def judge(effect, first, last):
    if effect == "faster10x":
        a, b = execution_ms(first), execution_ms(last)
        ratio = a / b if b > 0 else float("inf")
        return ratio >= 10, f"{ratio:.1f}× faster"
    if effect == "no_spill":
        was, now = spills(first), spills(last)
        if not was:
            return False, "no spill before: pattern not reproduced"
        return not now, "spill gone" if not now else "still spills: " + ", ".join(now)
    was, now = misestimates(first), misestimates(last)
    if not was:
        return False, "estimates within 3× before: pattern not reproduced"
    return not now, "estimates within 3×" if not now else "still off: " + "; ".join(now)


def run(name, fields, row):
    """Fills row as it goes (a failing command leaves what was measured) and returns
    (fixed, why)."""
    session = f"advice-{name}-{os.getpid()}"
    query, effect = fields["query"], fields["effect"]
    first = explain(name, session, query)
    row["before"] = execution_ms(first)
    tips = first.get("tips", [])
    if tips:
        row["first"] = tips[0]["code"]
    if effect == "no_high_tip":
        high = [t["code"] for t in tips if t["severity"] == "high"]
        return not high, "no high tip" if not high else "high tip: " + ", ".join(high)
    if not tips:
        return False, "no tip"
    tip = tips[0]
    if before:
        statements = statements_from_message(tip["message"])
    else:
        statements = ((tip.get("fix") or {}).get("statements")) or []
    row["statements"] = statements
    if not statements:
        return False, "the first tip has no statements"
    for s in statements:
        post(f"exec {s}", name, session)
    last = explain(name, session, query)
    row["after"] = execution_ms(last)
    return judge(effect, first, last)


def ms(value):
    return "-" if value is None else f"{value:.2f}"


def main():
    for name in names:
        header(name)  # every header is checked before anything runs
    print(f"{'scenario':<32} {'expected':<24} {'first tip':<24} {'before ms':>10} "
          f"{'after ms':>10}  verdict; statements applied")
    fixed = patterns = controls_ok = controls = 0
    start = time.monotonic()
    for name in names:
        fields = header(name)
        control = fields["effect"] == "no_high_tip"
        row = {"name": name, "expect": fields["expect"], "first": "-", "before": None,
               "after": None, "statements": []}
        try:
            ok, why = run(name, fields, row)
        except Failed as e:
            ok, why = False, str(e)
        if control:
            controls, controls_ok = controls + 1, controls_ok + ok
            verdict = "ok" if ok else "NOT OK"
        else:
            patterns, fixed = patterns + 1, fixed + ok
            verdict = "FIXED" if ok else "not fixed"
        applied = "; ".join(row["statements"]) or "none"
        print(f"{row['name']:<32} {row['expect']:<24} {row['first']:<24} "
              f"{ms(row['before']):>10} {ms(row['after']):>10}  {verdict} ({why}); {applied}",
              flush=True)
    print(f"measured in {time.monotonic() - start:.0f} s")
    print(f"fixed by the first tip: {fixed} of {patterns}")
    print(f"controls without a high-severity tip: {controls_ok} of {controls}")
    failed = fixed < patterns or controls_ok < controls
    return 1 if check and failed else 0


try:
    sys.exit(main())
except Exception:  # the harness failed (planbot unreachable, an answer without its fields, ...)
    traceback.print_exc()
    sys.exit(2)
PY
  status=$?
exit "$status"
