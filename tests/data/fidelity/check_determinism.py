#!/usr/bin/env python3
"""Checks that every EXPLAIN pair of the fidelity corpus is deterministic.

For each entry of statements.sql and each of its modes, this runs the exact protocol of
tests/analyzer/fidelity_test.cc twice (JSON run, TEXT run, JSON run, TEXT run, with the same
warm-up, CHECKPOINT and transaction handling) in one psql session, and reports every entry whose
output differs between the two rounds. It also checks the `expect` node types against the JSON and
the `expect_text` strings against the TEXT output, so coverage claims are verified too.

Standard library only; talks to the server through psql and the libpq environment (PGHOST, PGPORT,
PGUSER). Usage:

  check_determinism.py [--load] [--rounds N] [--only REGEX] [--db NAME] [--show-text]

--load drops and recreates the database from schema.sql first. Exit status 0 when clean.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PSQL = "/usr/lib/postgresql/15/bin/psql"

MODE_OPTIONS = {
    "plan": "COSTS",
    "plan_verbose": "VERBOSE",
    "costs_off": "COSTS OFF",
    "plan_buffers": "BUFFERS",
    "analyze": "ANALYZE, TIMING OFF, SUMMARY OFF",
    "analyze_verbose": "ANALYZE, TIMING OFF, SUMMARY OFF, VERBOSE",
    "analyze_costs_off": "ANALYZE, TIMING OFF, SUMMARY OFF, COSTS OFF",
    "analyze_timing": "ANALYZE",
    "buffers": "ANALYZE, TIMING OFF, SUMMARY OFF, BUFFERS",
    "settings": "SETTINGS",
    "wal": "ANALYZE, TIMING OFF, SUMMARY OFF, WAL",
}
WARM_UP_MODES = {"buffers", "plan_buffers"}
MASKED_MODES = {"analyze_timing"}  # compared with milliseconds (n.nnn) masked, as the test does
TIMING = re.compile(r"(?<!\d)\d+\.\d{3}(?!\d)")
ENTRY_KEYS = {"name", "modes", "expect", "expect_text", "setup", "note"}
HEADER = re.compile(r"^-- ([a-z_]+):\s?(.*)$")


def parse_corpus(text):
    """Returns (session_sql, entries); raises ValueError on a malformed file."""
    session, entries, cur, in_body = [], [], None, False
    for lineno, line in enumerate(text.splitlines(), 1):
        m = HEADER.match(line)
        if m and m.group(1) == "name":
            cur = {"name": m.group(2).strip(), "modes": [], "expect": [], "expect_text": [],
                   "setup": [], "body": [], "line": lineno}
            entries.append(cur)
            in_body = False
            continue
        if cur is None:
            if m and m.group(1) == "session":
                session.append(m.group(2).strip())
            elif line.strip() and not line.startswith("--"):
                raise ValueError(f"line {lineno}: SQL before the first '-- name:'")
            continue
        if not in_body and m:
            key, value = m.group(1), m.group(2).strip()
            if key not in ENTRY_KEYS:
                raise ValueError(f"line {lineno}: unknown header '{key}'")
            if key in ("modes", "expect", "expect_text"):
                cur[key] += [v.strip() for v in value.split(",") if v.strip()]
            elif key == "setup":
                cur["setup"].append(value)
            continue
        if not in_body and (not line.strip() or line.startswith("--")):
            continue
        in_body = True
        cur["body"].append(line)
    for e in entries:
        e["sql"] = "\n".join(e.pop("body")).strip().rstrip(";").rstrip()
        validate(e)
    names = [e["name"] for e in entries]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ValueError(f"duplicate names: {sorted(dupes)}")
    return "; ".join(session), entries


def validate(e):
    where = f"entry '{e['name']}' (line {e['line']})"
    if not re.fullmatch(r"[a-z0-9_]+", e["name"]):
        raise ValueError(f"{where}: bad name")
    if not e["sql"]:
        raise ValueError(f"{where}: no statement")
    if not e["modes"] or any(m not in MODE_OPTIONS for m in e["modes"]):
        raise ValueError(f"{where}: bad modes {e['modes']}")
    if not e["expect"]:
        raise ValueError(f"{where}: no expect")


def explain(mode, fmt, sql):
    return f"EXPLAIN ({MODE_OPTIONS[mode]}, FORMAT {fmt}) {sql};"


def one_run(e, mode, fmt, tag):
    """psql script for one run: its own transaction, rolled back."""
    out = []
    if mode == "wal":
        out.append("CHECKPOINT;")
    out.append("BEGIN;")
    if e["setup"]:
        out += ["\\o /dev/null", "; ".join(e["setup"]) + ";", "\\o"]
    out.append(f"\\echo '@@@ {e['name']} {mode} {tag}'")
    out.append(explain(mode, fmt, e["sql"]))
    out.append("ROLLBACK;")
    return out


def pair_script(e, mode, round_no):
    out = []
    if mode in WARM_UP_MODES:
        warm = one_run(e, mode, "JSON", "warm")
        out += ["\\o /dev/null"] + [line for line in warm if not line.startswith("\\")] + ["\\o"]
    out += one_run(e, mode, "JSON", f"J{round_no}")
    out += one_run(e, mode, "TEXT", f"T{round_no}")
    return out


def build_script(session, entries, rounds):
    lines = ["\\set ON_ERROR_STOP 0", session + ";" if session else ""]
    for e in entries:
        for mode in e["modes"]:
            for r in range(1, rounds + 1):
                lines += pair_script(e, mode, r)
    return "\n".join(lines) + "\n"


def run_psql(db, script):
    proc = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-d", db], input=script,
                          capture_output=True, text=True)
    return proc.stdout, proc.stderr


def split_outputs(stdout):
    outputs, key = {}, None
    for line in stdout.splitlines():
        if line.startswith("@@@ "):
            key = tuple(line[4:].split())
            outputs[key] = []
        elif key is not None:
            outputs[key].append(line)
    return {k: "\n".join(v) for k, v in outputs.items()}


def node_types(plan, acc):
    acc.add(plan.get("Node Type"))
    for child in plan.get("Plans", []):
        node_types(child, acc)
    return acc


def check_entry(e, outputs, rounds, show_text):
    problems, texts, types = [], [], set()
    for mode in e["modes"]:
        for fmt in ("J", "T"):
            raw = [outputs.get((e["name"], mode, f"{fmt}{r}"), "") for r in range(1, rounds + 1)]
            runs = [TIMING.sub("#.###", r) for r in raw] if mode in MASKED_MODES else raw
            if any(not r.strip() for r in runs):
                problems.append(f"{mode}: empty {fmt} output (error?)")
                continue
            if any(r != runs[0] for r in runs[1:]):
                problems.append(f"{mode}: {fmt} differs between rounds:\n" + first_diff(runs))
            if fmt == "T":
                texts.append(runs[0])
                if show_text:
                    print(f"==== {e['name']} [{mode}]\n{runs[0]}")
            else:
                try:
                    for q in json.loads(raw[0]):
                        node_types(q["Plan"], types)
                except (ValueError, KeyError, TypeError) as ex:
                    problems.append(f"{mode}: bad JSON: {ex}")
    missing = [t for t in e["expect"] if t not in types]
    if missing and types:
        problems.append(f"expected node types missing: {missing} (have {sorted(types)})")
    joined = "\n".join(texts)
    missing_text = [t for t in e["expect_text"] if t not in joined]
    if missing_text and texts:
        problems.append(f"expected text missing: {missing_text}")
    return problems


def first_diff(runs):
    a, b = runs[0].splitlines(), next(r for r in runs[1:] if r != runs[0]).splitlines()
    for i in range(max(len(a), len(b))):
        la = a[i] if i < len(a) else "<none>"
        lb = b[i] if i < len(b) else "<none>"
        if la != lb:
            return f"    line {i + 1}:\n    - {la}\n    + {lb}"
    return "    (no line differs)"


def load(db):
    admin = [PSQL, "-X", "-q", "-d", "postgres", "-v", "ON_ERROR_STOP=1"]
    subprocess.run(admin + ["-c", "SET client_min_messages = warning",
                            "-c", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)",
                            "-c", f"CREATE DATABASE {db} TEMPLATE template0 ENCODING 'UTF8' "
                            "LC_COLLATE 'C' LC_CTYPE 'C'"], check=True)
    start = time.time()
    subprocess.run([PSQL, "-X", "-q", "-d", db, "-v", "ON_ERROR_STOP=1", "-o", "/dev/null",
                    "-f", os.path.join(HERE, "schema.sql")], check=True)
    print(f"schema loaded in {time.time() - start:.1f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", default="planbot_fidelity")
    ap.add_argument("--load", action="store_true")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--only", default="")
    ap.add_argument("--show-text", action="store_true")
    args = ap.parse_args()
    with open(os.path.join(HERE, "statements.sql"), encoding="utf-8") as f:
        session, entries = parse_corpus(f.read())
    if args.load:
        load(args.db)
    selected = [e for e in entries if re.search(args.only, e["name"])]
    start = time.time()
    stdout, stderr = run_psql(args.db, build_script(session, selected, args.rounds))
    outputs = split_outputs(stdout)
    bad = 0
    for e in selected:
        problems = check_entry(e, outputs, args.rounds, args.show_text)
        if problems:
            bad += 1
            print(f"NOT OK {e['name']}:\n  " + "\n  ".join(problems))
    if stderr.strip():
        print("psql stderr:\n" + stderr)
    pairs = sum(len(e["modes"]) for e in selected)
    print(f"{len(selected)} entries, {pairs} pairs, {args.rounds} rounds, "
          f"{time.time() - start:.1f} s: {bad} entries not OK")
    return 1 if bad or stderr.strip() else 0


if __name__ == "__main__":
    sys.exit(main())
