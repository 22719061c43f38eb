#!/usr/bin/env python3
"""Writes the seed corpora of the libFuzzer targets: tests/fuzz/seeds/fuzz_<target>/, one input a file.

The seeds are committed; this script is how they were made. Regenerate them with

    python3 tests/fuzz/make_seeds.py [--db NAME]

against a PostgreSQL 15 server holding the fidelity schema (tests/data/fidelity/schema.sql),
reached through psql and the libpq environment (PGHOST, PGPORT, PGUSER). The database is
`planbot_fidelity` unless --db names another; when it has no tables, the script creates the
database `fuzz_seeds`, loads schema.sql into it and uses that. Every statement run for the seeds
is rolled back. The script clears tests/fuzz/seeds/ and writes it anew, then prints the count of
inputs per directory. Standard library only.

Targets and what their seeds hold:
  sql_check/       chat command texts: `plan`/`explain` + each fidelity statement, `explain` +
                   each advice query, and hand-written tricky commands
  explain_json/    EXPLAIN (..., FORMAT JSON) output: tests/data/tips/*.json, about 80 fidelity
                   entries run against the server (two option sets each), and broken variants
  literal_mask/    condition texts as EXPLAIN prints them (Filter, Index Cond, Output, Sort Key,
                   ...) taken from the explain_json seeds, and hand-written tricky ones
  server_errors/   sqlstate NUL phase NUL primary message NUL user SQL; phase "a" (raised while
                   the statement was parsed and analysed) or "e" (while it was planned or run);
                   messages are the server's own, phase found by PREPARE then EXECUTE
  slack/           first byte: 'e' Events API body, 'c' slash-command form, 't' message text,
                   's' raw body NUL signature header, for the signature check
  config_yaml/     planbot.example.yaml, packaging/planbot.yaml, YAML string literals of the config
                   tests, and broken YAML
  history_filter/  first byte: 'w' purge/redact filter words, 'j' JSON body of the API filter
  psql_describe/   describe commands as typed in chat, accepted and refused
"""

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SEEDS = os.path.join(HERE, "seeds")
FIDELITY = os.path.join(ROOT, "tests", "data", "fidelity")
PSQL = shutil.which("psql") or "/usr/lib/postgresql/15/bin/psql"

MAX_FILE = 64 * 1024
MAX_TOTAL = 3 * 1024 * 1024

# The EXPLAIN options of each mode, from the fidelity corpus's own checker.
sys.path.insert(0, FIDELITY)
from check_determinism import MODE_OPTIONS  # noqa: E402
ANALYZE_MODES = {m for m, o in MODE_OPTIONS.items() if o.startswith("ANALYZE")}

skipped = []  # (target, what, why), reported at the end


def to_bytes(data):
    return data if isinstance(data, bytes) else data.encode("utf-8", "surrogateescape")


def note_skip(target, what, why):
    skipped.append((target, what, why))


# ------------------------------------------------------------------------------------------------
# Corpus collection


class Corpus:
    """The inputs of one target: file name -> bytes, deduplicated by content."""

    def __init__(self, target):
        self.target = target
        self.files = {}
        self.hashes = set()

    def add(self, name, data):
        data = to_bytes(data)
        digest = hashlib.sha1(data).hexdigest()
        if digest in self.hashes:
            return False
        if len(data) > MAX_FILE:
            note_skip(self.target, name, f"{len(data)} bytes > 64 KiB")
            return False
        if name is None:
            name = digest[:12]
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:60] or digest[:12]
        if name in self.files:
            name = f"{name}_{digest[:8]}"
        self.files[name] = data
        self.hashes.add(digest)
        return True

    def size(self):
        return sum(len(d) for d in self.files.values())


# ------------------------------------------------------------------------------------------------
# psql


def psql(db, script, extra_args=()):
    proc = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=0", "-d", db,
                           *extra_args], input=script, capture_output=True, text=True)
    return proc.returncode, proc.stdout, proc.stderr


def psql_value(db, sql):
    rc, out, err = psql(db, sql + ";\n")
    if rc != 0 or "ERROR" in err:
        return None
    return out.strip()


def pick_database(requested):
    if requested:
        return requested
    tables = psql_value("planbot_fidelity",
                        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    if tables and int(tables) > 0:
        return "planbot_fidelity"
    db = "fuzz_seeds"
    tables = psql_value(db, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
    if tables and int(tables) > 0:
        return db
    print(f"planbot_fidelity has no tables: loading schema.sql into {db}", file=sys.stderr)
    psql("postgres", f"DROP DATABASE IF EXISTS {db};\nCREATE DATABASE {db};\n")
    rc, _, err = psql(db, "", ["-f", os.path.join(FIDELITY, "schema.sql")])
    if rc != 0:
        sys.exit(f"loading schema.sql failed:\n{err}")
    return db


# ------------------------------------------------------------------------------------------------
# statements.sql (the same format as check_determinism.py reads)

HEADER = re.compile(r"^-- ([a-z_]+):\s?(.*)$")


def parse_corpus(text):
    session, entries, cur, in_body = [], [], None, False
    for line in text.splitlines():
        m = HEADER.match(line)
        if m and m.group(1) == "name":
            cur = {"name": m.group(2).strip(), "modes": [], "setup": [], "body": []}
            entries.append(cur)
            in_body = False
            continue
        if cur is None:
            if m and m.group(1) == "session":
                session.append(m.group(2).strip())
            continue
        if not in_body and m:
            key, value = m.group(1), m.group(2).strip()
            if key == "modes":
                cur["modes"] += [v.strip() for v in value.split(",") if v.strip()]
            elif key == "setup":
                cur["setup"].append(value)
            continue
        if not in_body and (not line.strip() or line.startswith("--")):
            continue
        in_body = True
        cur["body"].append(line)
    for e in entries:
        e["sql"] = "\n".join(e.pop("body")).strip().rstrip(";").rstrip()
    return session, entries


def load_fidelity():
    with open(os.path.join(FIDELITY, "statements.sql"), encoding="utf-8") as f:
        return parse_corpus(f.read())


def advice_queries():
    out = []
    folder = os.path.join(ROOT, "tests", "data", "advice")
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".sql"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for line in f:
                if line.startswith("-- query:"):
                    out.append((name[:-4], line[len("-- query:"):].strip()))
    return out


# ------------------------------------------------------------------------------------------------
# 1. sql_check

TRICKY_COMMANDS = [
    ("exec_create_index_concurrently", "exec create index concurrently i on t(a)"),
    ("exec_create_index", "exec create index on orders (customer_id)"),
    ("hypo_create_index", "hypo create index on t(a)"),
    ("hypo_desc", "hypo desc"),
    ("hypo_drop", "hypo drop 13543"),
    ("hypo_reset", "hypo reset"),
    ("exec_vacuum", "exec vacuum t"),
    ("exec_vacuum_full_analyze", "exec vacuum (full, analyze) orders"),
    ("exec_analyze", "exec analyze orders"),
    ("exec_reindex", "exec reindex index orders_pkey"),
    ("exec_cluster", "exec cluster orders using orders_pkey"),
    ("exec_create_statistics",
     "exec create statistics s1 (dependencies) on city, zip from customers"),
    ("exec_create_extension_hypopg", "exec create extension hypopg"),
    ("exec_drop_table_cascade", "exec drop table orders cascade"),
    ("exec_update", "exec update orders set status = 'x' where id = 1"),
    ("exec_insert_returning", "exec insert into t values (1) returning *"),
    ("describe_d", "\\d t"),
    ("describe_dt_plus", "\\dt+ public.*"),
    ("describe_quoted", "\\d+ \"Order Items\""),
    ("describe_shell", "\\! ls"),
    ("help", "help"),
    ("help_upper", "HELP"),
    ("reset", "reset"),
    ("activity", "activity"),
    ("terminate", "terminate 12345"),
    ("terminate_bad", "terminate -1; select 1"),
    ("history", "history"),
    ("history_5", "history 5"),
    ("history_huge", "history 99999999999999999999"),
    ("purge_before_bare", "purge before 30d"),
    ("purge_before", "purge --before 30d"),
    ("redact_user", "redact --user alice --id 3,4"),
    ("purge_all", "purge --all"),
    ("unknown_word", "what can you do"),
    ("empty", ""),
    ("only_space", "   \n\t "),
    ("plan_no_sql", "plan"),
    ("plan_dollar_semicolon", "plan select $$;$$"),
    ("plan_literals", "plan select 'a''b', E'\\'', U&'\\0041', B'101', X'ff', 1e10, $1"),
    ("plan_two_statements", "plan select 1; select 2"),
    ("plan_trailing_semicolons", "plan select 1;;; "),
    ("plan_comments", "plan select /* comment 'x' */ 1 -- tail"),
    ("plan_nested_comment", "plan select /* a /* b */ still comment */ 1"),
    ("plan_unterminated_comment", "plan select 1 /* never closed"),
    ("plan_unterminated_literal", "plan select 'abc"),
    ("plan_unterminated_dollar", "plan select $x$abc"),
    ("plan_with_recursive", "plan with recursive r(n) as (select 1 union all select n+1 from r) "
                            "select * from r"),
    ("plan_cte_dml", "plan with d as (delete from orders returning *) select count(*) from d"),
    ("exec_set_work_mem", "exec set work_mem = '64MB'"),
    ("exec_set_role", "exec set role postgres"),
    ("exec_set_session_authorization", "exec set session authorization postgres"),
    ("plan_hypopg_create", "plan select hypopg_create_index('x')"),
    ("exec_do", "exec do $$begin end$$"),
    ("exec_do_tagged", "exec do $body$ begin perform pg_sleep(1); end $body$ language plpgsql"),
    ("plan_pg_read_file", "plan select pg_read_file('/etc/passwd')"),
    ("plan_pg_sleep", "plan select pg_sleep(3600)"),
    ("plan_dblink", "plan select * from dblink('host=evil', 'select 1') as t(a int)"),
    ("exec_copy_to_file", "exec copy orders to '/tmp/orders.csv'"),
    ("exec_copy_program", "exec copy orders to program 'curl evil'"),
    ("plan_copy_stdin", "plan copy t from stdin"),
    ("backslash_copy", "\\copy orders to '/tmp/x'"),
    ("plan_nested_parens", "plan select ((((((1))))))"),
    ("plan_deep_parens", "plan select " + "(" * 300 + "1" + ")" * 300),
    ("plan_unbalanced_parens", "plan select ((1)"),
    ("explain_explain", "explain explain select 1"),
    ("explain_analyze_inside", "explain explain (analyze) delete from orders"),
    ("plan_prepare", "plan prepare p as select 1"),
    ("plan_execute", "plan execute p(1)"),
    ("plan_begin", "plan begin"),
    ("exec_commit", "exec commit"),
    ("exec_rollback_semicolon", "exec rollback; drop table orders"),
    ("plan_listen_notify", "plan notify ch, 'payload'"),
    ("exec_lock", "exec lock table orders in access exclusive mode"),
    ("exec_alter_system", "exec alter system set fsync = off"),
    ("exec_create_function", "exec create function f() returns int language sql as 'select 1'"),
    ("exec_grant", "exec grant all on orders to public"),
    ("plan_select_into", "plan select * into new_table from orders"),
    ("plan_for_update", "plan select * from orders for update skip locked"),
    ("plan_values", "plan values (1, 'a'), (2, 'b')"),
    ("plan_table", "plan table orders"),
    ("plan_quoted_ident", "plan select \"weird \"\"name\"\"\" from \"Order Items\""),
    ("plan_unicode_ident", "plan select U&\"d\\0061t\\+000061\" from t"),
    ("plan_psql_var", "plan select :var, :'var', :\"var\""),
    ("plan_backslash_meta_in_sql", "plan select 1 \\g /tmp/x"),
    ("plan_positional_params", "plan select * from orders where id = $1 and status = $2"),
    ("plan_param_99", "plan select $99999999999"),
    ("plan_e_string_escapes", "plan select E'\\x41\\101\\u0041\\U00000041\\n\\\\'"),
    ("plan_standard_strings", "plan select 'a\\' as backslash"),
    ("plan_nul_byte", "plan select 'a\x00b'"),
    ("plan_crlf", "plan\r\nselect 1\r\n"),
    ("plan_tab_after_word", "plan\tselect 1"),
    ("plan_uppercase", "PLAN SELECT 1"),
    ("plan_leading_space", "   plan select 1"),
    ("plan_nbsp", "plan\u00a0select 1"),
    ("plan_smart_quotes", "plan select * from users where name = \u2018bob\u2019"),
    ("plan_invalid_utf8", b"plan select '\xff\xfe'"),
    ("plan_overlong_utf8", b"plan select '\xc0\xaf'"),
    ("explain_mixed_case_keyword", "eXpLaIn SeLeCt 1"),
    ("explain_operator_soup", "explain select 1 +-*/<>=~!@#%^&|`? 2"),
    ("explain_numeric_forms", "explain select 0x1F, 0o17, 0b101, 1_000, .5, 5., 1.5e-3, 1e+"),
    ("explain_typecast_chain", "explain select '1'::text::int::bigint::numeric(10,2)"),
    ("explain_lateral", "explain select * from orders o, lateral (select * from customers c "
                        "where c.id = o.customer_id limit 1) x"),
    ("explain_window", "explain select id, row_number() over (partition by customer_id order by "
                       "id) from orders"),
    ("explain_merge", "explain merge into t using s on t.id = s.id when matched then delete"),
    ("explain_long_in_list",
     "explain select * from orders where id in (" + ", ".join(str(i) for i in range(2000)) + ")"),
]


def make_sql_check(entries):
    c = Corpus("sql_check")
    for i, e in enumerate(entries):
        verb = "plan" if i % 2 == 0 else "explain"
        c.add(f"fid_{e['name']}", f"{verb} {e['sql']}")
    for name, query in advice_queries():
        c.add(f"advice_{name}", f"explain {query}")
    for name, text in TRICKY_COMMANDS:
        c.add(f"hand_{name}", text)
    return c


# ------------------------------------------------------------------------------------------------
# 2. explain_json


def pick_entries(entries, count=80):
    dml = [e for e in entries
           if re.match(r"(?is)^\s*(insert|update|delete|merge)\b", e["sql"])]
    rest = [e for e in entries if e not in dml]
    want = max(0, count - len(dml))
    if want >= len(rest):
        chosen = rest
    else:
        chosen = [rest[round(j * (len(rest) - 1) / max(1, want - 1))] for j in range(want)]
    keep = {e["name"] for e in chosen + dml}
    return [e for e in entries if e["name"] in keep]


def option_sets(e, index):
    """Two option lists for an entry: one of its own modes (rotating), and the options planbot's
    `plan` or `explain` sends, with SETTINGS, and WAL where the entry has the wal mode."""
    modes = e["modes"]
    mode = modes[index % len(modes)]
    sets = [(mode, MODE_OPTIONS[mode])]
    if any(m in ANALYZE_MODES for m in modes):
        rich = "ANALYZE, BUFFERS, VERBOSE, SETTINGS" + (", WAL" if "wal" in modes else "")
        sets.append(("explain", rich))
    else:
        sets.append(("plan", "COSTS, VERBOSE, SETTINGS"))
    return sets


def extract_json(section):
    """The EXPLAIN JSON of one marked section of psql's -At output, or None."""
    lines = section.split("\n")
    for i, line in enumerate(lines):
        if line.startswith("["):
            text = "\n".join(lines[i:]).rstrip("\n")
            try:
                doc = json.loads(text)
            except ValueError:
                return None
            if isinstance(doc, list) and doc and all(isinstance(q, dict) and "Plan" in q
                                                    for q in doc):
                return text
            return None
    return None


def run_entry(db, session, e, sets):
    script = ["\\set VERBOSITY terse"]
    script += [s + ";" for s in session]
    for tag, (_, options) in enumerate(sets):
        script.append("BEGIN;")
        if e["setup"]:
            script += ["\\o /dev/null", "; ".join(e["setup"]) + ";", "\\o"]
        script.append(f"\\echo '@@@ {tag}'")
        script.append(f"EXPLAIN ({options}, FORMAT JSON) {e['sql']};")
        script.append("\\echo '@@@ end'")
        script.append("ROLLBACK;")
    _, out, err = psql(db, "\n".join(script) + "\n")
    sections, key = {}, None
    for line in out.split("\n"):
        if line.startswith("@@@ "):
            key = line[4:]
            sections[key] = []
        elif key is not None:
            sections[key].append(line)
    results = []
    for tag, (label, options) in enumerate(sets):
        text = extract_json("\n".join(sections.get(str(tag), [])))
        results.append((label, options, text))
    errors = [line for line in err.split("\n") if "ERROR" in line]
    return results, errors


def deep_plan(levels):
    plan = {"Node Type": "Result", "Startup Cost": 0.0, "Total Cost": 0.01, "Plan Rows": 1,
            "Plan Width": 4}
    for i in range(levels):
        plan = {"Node Type": "Nested Loop" if i % 2 else "Subquery Scan",
                "Parent Relationship": "Outer" if i % 2 else "Subquery", "Join Type": "Inner",
                "Total Cost": i + 1, "Plan Rows": 1, "Plans": [plan]}
    return json.dumps([{"Plan": plan, "Planning Time": 0.05}], separators=(",", ":"))


def make_explain_json(db, session, entries):
    c = Corpus("explain_json")
    tips = os.path.join(ROOT, "tests", "data", "tips")
    for name in sorted(os.listdir(tips)):
        if name.endswith(".json"):
            with open(os.path.join(tips, name), "rb") as f:
                c.add(f"tips_{name[:-5]}", f.read())
    picked = pick_entries(entries)
    for index, e in enumerate(picked):
        sets = option_sets(e, index)
        results, errors = run_entry(db, session, e, sets)
        for label, options, text in results:
            if text is None:
                why = errors[0] if errors else "no JSON in the output"
                note_skip("explain_json", f"{e['name']} ({options})", why)
                continue
            c.add(f"fid_{e['name']}_{label}", text)
    # Broken and odd variants.
    good = json.dumps([{"Plan": {"Node Type": "Seq Scan", "Relation Name": "orders",
                                 "Alias": "orders", "Startup Cost": 0.0, "Total Cost": 35.5,
                                 "Plan Rows": 7, "Plan Width": 36,
                                 "Filter": "(note = 'secret-77'::text)"}}], indent=2)
    c.add("broken_truncated", good[: len(good) // 2])
    c.add("broken_missing_node_type", json.dumps(
        [{"Plan": {"Relation Name": "orders", "Startup Cost": 0.0, "Total Cost": 1.0,
                   "Plan Rows": 1, "Plan Width": 4,
                   "Plans": [{"Node Type": "Seq Scan", "Parent Relationship": "Outer"}]}}],
        indent=2))
    c.add("broken_empty_array", "[]")
    c.add("broken_object_not_array", '{"Plan": {"Node Type": "Result"}}')
    c.add("broken_deep_nesting_200", deep_plan(200))
    c.add("broken_wrong_types", json.dumps(
        [{"Plan": {"Node Type": 7, "Startup Cost": "cheap", "Total Cost": None,
                   "Plan Rows": -1, "Plan Width": 1e308, "Plans": {"Node Type": "Result"}},
          "Planning Time": "x", "Triggers": 5}]))
    return c


# ------------------------------------------------------------------------------------------------
# 3. literal_mask

CONDITION_KEYS = {"Filter", "Index Cond", "Recheck Cond", "Join Filter", "Hash Cond",
                  "Merge Cond", "One-Time Filter", "TID Cond", "Conflict Filter"}
LIST_KEYS = {"Output", "Sort Key", "Group Key", "Presorted Key", "Hash Key"}

TRICKY_CONDITIONS = [
    ("email", "(email = 'bob@example.com'::text)"),
    ("doubled_quote", "'a''b'"),
    ("doubled_quote_in_cond", "(name = 'O''Brien'::text)"),
    ("e_string_escaped_quote", "E'\\''"),
    ("e_string_escapes", "(t = E'\\x41\\101\\n\\\\')"),
    ("dollar_tag", "$tag$x$tag$"),
    ("dollar_empty_tag", "(body = $$it's$$::text)"),
    ("dollar_nested_tags", "$a$ $b$ x $b$ $a$"),
    ("unicode_escape", "U&'d\\0061t\\+000061'"),
    ("unicode_escape_uescape", "U&'d!0061t' UESCAPE '!'"),
    ("bit_string", "B'101'"),
    ("hex_string", "X'1F'"),
    ("numeric_exponent", "1.5e-3"),
    ("numeric_forms", "((a > 0x1F) AND (b < 1_000) AND (c = .5) AND (d = 5.))"),
    ("negative_numeric", "(total > '-12.50'::numeric)"),
    ("param_and_literal", "$1 = 'x'"),
    ("existing_params", "((id = $3) AND (name = 'x'::text) AND (n > 5))"),
    ("unterminated", "'abc"),
    ("unterminated_in_cond", "(email = 'bob@exa"),
    ("quoted_ident", "\"quoted ident\" = 'v'"),
    ("quoted_ident_with_quote", "(\"we\"\"ird\" = 'v'::text)"),
    ("comment_before_literal", "/* c */ 'x'"),
    ("line_comment", "x = 1 -- 'tail'"),
    ("array_literal", "(id = ANY ('{5,50,500}'::bigint[]))"),
    ("row_comparison", "(ROW(customer_id, ordered_at) > ROW(19990, '2023-06-01 00:00:00'"
                       "::timestamp without time zone))"),
    ("subplan_labels", "((hashed SubPlan 1) OR (x = (InitPlan 2).col1))"),
    ("like_escape", "(name ~~ '%99\\%%'::text)"),
    ("interval", "(created_at > (now() - '7 days'::interval))"),
    ("nul_byte", "(a = 'x\x00y')"),
    ("invalid_utf8", b"(a = '\xff\xfe')"),
    ("only_quote", "'"),
    ("only_dollar", "$"),
    ("keywords_kept", "((flag IS NOT TRUE) AND (x IS NULL) AND (y = false))"),
]


def collect_conditions(value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            if k in CONDITION_KEYS and isinstance(v, str):
                out.append(v)
            elif k in LIST_KEYS and isinstance(v, list):
                out += [s for s in v if isinstance(s, str)]
            else:
                collect_conditions(v, out)
    elif isinstance(value, list):
        for v in value:
            collect_conditions(v, out)


def make_literal_mask(explain_corpus, limit=300):
    c = Corpus("literal_mask")
    found = []
    for name in sorted(explain_corpus.files):
        try:
            collect_conditions(json.loads(explain_corpus.files[name]), found)
        except ValueError:
            continue
    unique = list(dict.fromkeys(found))
    # Texts with constants first, then by length: the masker's interesting inputs.
    has_literal = re.compile(r"'|\$|\b\d")
    unique.sort(key=lambda s: (0 if has_literal.search(s) else 1, -len(s)))
    if len(unique) > limit:
        note_skip("literal_mask", f"{len(unique) - limit} of {len(unique)} extracted texts",
                  f"limit of {limit}")
    for text in unique[:limit]:
        c.add(None, text)
    for name, text in TRICKY_CONDITIONS:
        c.add(f"hand_{name}", text)
    return c


# ------------------------------------------------------------------------------------------------
# 4. server_errors

ERROR_SETUP = """\
CREATE SCHEMA fz_seed;
SET LOCAL search_path = fz_seed;
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, age int CHECK (age >= 0),
                    name text);
INSERT INTO users VALUES (1, 'bob@example.com', 30, 'bob'), (2, 'alice@example.com', 40, 'alice');
CREATE TABLE t (a int, b text, email text, name text, n int);
INSERT INTO t VALUES (1, 'x', 'bob@example.com', 'alice', 0);
CREATE TABLE orders_fk (id int PRIMARY KEY, user_id int REFERENCES users (id));
INSERT INTO orders_fk VALUES (10, 1);
CREATE ROLE fz_seed_nobody NOLOGIN;
GRANT USAGE ON SCHEMA fz_seed TO fz_seed_nobody;
"""
AS_NOBODY = "SET LOCAL ROLE fz_seed_nobody"

# (name, user SQL, extra setup or None, direct): direct statements are not PREPAREd (utility
# statements); their phase is "e".
ERROR_CASES = [
    ("undefined_table", "select * from orders", None, False),
    ("undefined_table_regclass_literal", "select 'bob'::regclass", None, False),
    ("undefined_schema_regclass_literal", "select 'bob@example.com'::regclass", None, False),
    ("regclass_quoted_literal", "select '\"Bob Smith\"'::regclass", None, False),
    ("undefined_table_regclass_column", "select email::regclass from t", None, False),
    ("undefined_table_quoted", "select * from \"Orders\"", None, False),
    ("undefined_table_literal_and_comment", "select 'orders'::regclass -- orders", None, False),
    ("undefined_table_comment_value", "select name::regclass from t /* alice */", None, False),
    ("undefined_table_nextval", "select nextval('nosuch_seq')", None, False),
    ("missing_from", "select m2.x from t m", None, False),
    ("for_update_not_in_from", "select 1 from t for update of x", None, False),
    ("invalid_text_integer_column", "select email::int from t", None, False),
    ("invalid_text_integer_literal", "select 'bob'::int", None, False),
    ("invalid_text_integer_compare", "select * from t where a = 'bob@example.com'", None, False),
    ("invalid_text_uuid", "select 'bob@example.com'::uuid", None, False),
    ("invalid_text_numeric_column", "select email::numeric from t", None, False),
    ("invalid_json", "select 'abc'::jsonb", None, False),
    ("datetime_out_of_range", "select '2024-13-01'::date", None, False),
    ("to_date_value", "select to_date(email, 'YYYY-MM') from t", None, False),
    ("undefined_column", "select x from t", None, False),
    ("undefined_column_qualified", "select t.nosuch from t", None, False),
    ("undefined_column_using", "select * from t join users using (nosuch)", None, False),
    ("undefined_function", "select lower(1)", None, False),
    ("undefined_function_named_arg", "select f(x => 1)", None, False),
    ("undefined_operator", "select 1 = 'a'::text", None, False),
    ("undefined_operator_prefix", "select - true", None, False),
    ("regoper_literal", "select 'secret-value'::regoper", None, False),
    ("regoper_column", "select name::regoper from t", None, False),
    ("undefined_object_type", "select 1::nosuch", None, False),
    ("undefined_guc_literal", "select current_setting('bob@example.com')", None, False),
    ("undefined_guc_quotes", "select current_setting('x\" ' || name || ' \"z') from t", None,
     False),
    ("unique_violation_insert", "insert into users values (3, 'bob@example.com', 1)", None, False),
    ("unique_violation_update", "update users set email = 'alice@example.com' where id = 1", None,
     False),
    ("not_null_violation", "insert into users (id, email) values (4, null)", None, False),
    ("check_violation", "insert into users values (5, 'c@example.com', -1)", None, False),
    ("fk_violation_insert", "insert into orders_fk values (11, 99)", None, False),
    ("fk_violation_delete", "delete from users where id = 1", None, False),
    ("syntax_error", "selec 1", None, False),
    ("syntax_error_literal", "select 'bob@example.com' 'x' from", None, False),
    ("syntax_error_end", "select 1 +", None, False),
    ("improper_qualified_name", "select 1 from a.b.c.d", None, False),
    ("subquery_alias", "select 1 from (select 1)", None, False),
    ("subquery_too_many_columns", "select a from t where a in (select a, b from t)", None, False),
    ("where_not_boolean", "select 1 from t where 1", None, False),
    ("filter_not_boolean", "select sum(a) filter (where name) from t", None, False),
    ("union_types", "select 1 union select 'a'::text", None, False),
    ("case_types", "select case when true then 1 else 'a'::text end", None, False),
    ("grouping_error", "select a, count(*) from t", None, False),
    ("order_by_position", "select a from t order by 5", None, False),
    ("order_by_position_literal_7", "select 1 from t where b = '7' order by 7", None, False),
    ("group_by_position", "select count(*) from t group by 2", None, False),
    ("on_conflict_no_constraint",
     "insert into users (id, email) values (1, 'z') on conflict (name) do nothing", None, False),
    ("cross_database", "select 1 from db.s.t", None, False),
    ("srf_in_where", "select 1 where generate_series(1, 2) > 1", None, False),
    ("not_window_function", "select lower('a') over ()", None, False),
    ("recursive_twice",
     "with recursive r as (select 1 as n union all select r.n from r, r r2) select * from r", None,
     False),
    ("division_by_zero", "select 1/0", None, False),
    ("division_by_zero_column", "select 1/n from t", None, False),
    ("integer_overflow", "select 2147483647::int + 1", None, False),
    ("cardinality", "select (select a from t union all select a from t)", None, False),
    ("negative_limit", "select 1 limit -1", None, False),
    ("bad_regex", "select b ~ '(' from t", None, False),
    ("bad_guc_value", "select set_config('work_mem', 'lots', false)", None, False),
    ("permission_table", "select * from t", AS_NOBODY, False),
    ("permission_function", "select pg_read_file('/etc/passwd')", AS_NOBODY, False),
    ("permission_copy", "copy t to '/tmp/fz_seed_never_written'", AS_NOBODY, True),
    ("statement_timeout", "select pg_sleep(1)", "SET LOCAL statement_timeout = '20ms'", False),
    ("index_concurrently_in_tx", "create index concurrently i on t(a)", None, True),
    ("vacuum_in_tx", "vacuum t", None, True),
    ("set_bad_value", "set work_mem = 'lots'", None, True),
    ("raise_in_do", "do $$begin raise exception 'bob@example.com'; end$$", None, True),
    ("drop_missing", "drop table nosuch", None, True),
]

# Messages the server would not print for this SQL, or hostile ones: the sanitizer's attacks
# (tests/analyzer/server_errors_test.cc).
SYNTHETIC_ERRORS = [
    ("syn_quotes_repair", "42704", "a", "unrecognized configuration parameter \"x\" secret \"z\"",
     "select current_setting('x\" ' || name || ' \"z') from t"),
    ("syn_relation_repair", "42P01", "a", "relation \"x\" secret \"z\" does not exist",
     "select x, z from t"),
    ("syn_dictionary_literal", "42P01", "a", "relation \"carol\" does not exist",
     "select name::regclass from t where 'alice bob carol' <> '' /* dave erin */ -- frank\n"),
    ("syn_dictionary_comment", "42P01", "a", "relation \"erin\" does not exist",
     "select name::regclass from t where 'alice bob carol' <> '' /* dave erin */ -- frank\n"),
    ("syn_detail_appended", "42P01", "a", "relation \"foo\" does not exist\nDETAIL: x",
     "select foo from t"),
    ("syn_empty_name", "42P01", "a", "relation \"\" does not exist", "select foo from t"),
    ("syn_operator_value", "42883", "a", "operator does not exist: bob",
     "select name::regoper, a.b.c from t"),
    ("syn_parameter_type", "42P18", "a", "could not determine data type of parameter $1",
     "select $1"),
    ("syn_regclass_email", "42P01", "a", "relation \"bob@example.com\" does not exist",
     "select 'bob@example.com'::regclass"),
    ("syn_large_object", "42704", "a", "large object 4711 does not exist", "select 1"),
    ("syn_bad_sqlstate", "ZZ999", "a", "secret", ""),
    ("syn_short_sqlstate", "22", "e", "secret", ""),
    ("syn_check_name_email", "23514", "e", "violates check constraint \"bob@example.com\"", ""),
    ("syn_long_constraint", "23505", "e",
     "duplicate key value violates unique constraint \"" + "c" * 100 + "\"", ""),
    ("syn_bad_phase", "42P01", "x", "relation \"t\" does not exist", "select * from t"),
    ("syn_missing_fields", "42P01", "a", "relation \"t\" does not exist", None),
    ("syn_unterminated_sql", "42601", "a", "unterminated quoted string at or near \"'abc\"",
     "select 'abc"),
    ("syn_invalid_utf8", "42P01", "a", "relation \"\udcff\" does not exist",
     "select * from \"\udcff\""),
]

ERROR_LINE = re.compile(r"^(?:psql:[^:]*:\d+: )?ERROR:  ([0-9A-Z]{5}): (.*)$")


def first_error(lines):
    for line in lines:
        m = ERROR_LINE.match(line)
        if m:
            return m.group(1), m.group(2)
    return None


def run_error_case(db, sql, extra, direct):
    script = ["\\set VERBOSITY verbose", "BEGIN;", "\\o /dev/null", ERROR_SETUP]
    if extra:
        script.append(extra + ";")
    script.append("\\o")
    if not direct:
        # \g on a line of its own: the SQL may end in a comment, and the server sees no ';'
        script += ["\\warn @@P", f"PREPARE fz_seed_s AS {sql}", "\\g"]
    script += ["\\warn @@X", "\\o /dev/null", "EXECUTE fz_seed_s" if not direct else sql, "\\g",
               "\\o", "\\warn @@END", "ROLLBACK;"]
    _, _, err = psql(db, "\n".join(script) + "\n")
    sections, key = {"setup": []}, "setup"
    for line in err.split("\n"):
        if line.startswith("@@"):
            key = line[2:]
            sections[key] = []
        else:
            sections[key].append(line)
    if first_error(sections["setup"]):
        return None, "setup failed: " + " ".join(first_error(sections["setup"]))
    if not direct:
        found = first_error(sections.get("P", []))
        if found:
            return (found[0], "a", found[1]), None
    found = first_error(sections.get("X", []))
    if found:
        return (found[0], "e", found[1]), None
    return None, "no error raised"


def make_server_errors(db):
    c = Corpus("server_errors")
    for name, sql, extra, direct in ERROR_CASES:
        result, why = run_error_case(db, sql, extra, direct)
        if result is None:
            note_skip("server_errors", name, why)
            continue
        sqlstate, phase, message = result
        if "fz_seed" in message:  # about the harness (PREPARE), not the user's SQL
            note_skip("server_errors", name, f"message about the harness: {message}")
            continue
        c.add(name, "\0".join([sqlstate, phase, message, sql]))
    for name, sqlstate, phase, message, sql in SYNTHETIC_ERRORS:
        parts = [sqlstate, phase, message] + ([sql] if sql is not None else [])
        c.add(name, "\0".join(parts))
    return c


# ------------------------------------------------------------------------------------------------
# 5. slack

BOT = "U0BOT"


def envelope(event, event_id="Ev0001", **extra):
    body = {"token": "unused", "team_id": "T0TEAM", "api_app_id": "A0APP",
            "type": "event_callback", "event_id": event_id, "event_time": 1700000001,
            "authorizations": [{"user_id": BOT, "is_bot": True}], "event": event}
    body.update(extra)
    return json.dumps(body, ensure_ascii=False)


def message(text, **extra):
    event = {"type": "message", "channel": "C024BE91L", "user": "U2147483697", "text": text,
             "ts": "1355517523.000005", "event_ts": "1355517523.000005",
             "channel_type": "channel"}
    event.update(extra)
    return event


SNIPPET = [{"id": "F0S", "name": "query.sql", "mode": "snippet", "filetype": "sql", "size": 120,
            "url_private_download": "https://files.slack.com/files-pri/T1-F0S/download/query.sql"}]


def slash(text, **extra):
    fields = {"token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": "T1", "team_domain": "example",
              "channel_id": "C1", "channel_name": "db", "user_id": "U1", "user_name": "alice",
              "command": "/planbot", "text": text,
              "response_url": "https://hooks.slack.com/commands/1/2/3",
              "trigger_id": "13345224609.738474920.8088930838d88f008e0", "api_app_id": "A0APP"}
    fields.update(extra)
    return urllib.parse.urlencode(fields)


PUBLISHED_BODY = (
    "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmib"
    "IGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c")


def make_slack():
    c = Corpus("slack")
    e = lambda name, body: c.add("e_" + name, b"e" + to_bytes(body))  # noqa: E731
    e("url_verification", json.dumps(
        {"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
         "type": "url_verification"}))
    e("url_verification_no_challenge", '{"type":"url_verification"}')
    e("message_plain", envelope(message("explain select 1")))
    e("message_mention", envelope(message(f"<@{BOT}> explain select 1")))
    e("message_mention_colon", envelope(message(f"<@{BOT}|planbot>: plan select 1")))
    e("message_entities", envelope(message(
        "explain select * from t where a &gt; 5 and b &lt;&gt; 'x &amp; y'")))
    e("message_double_escaped", envelope(message("plan select '&amp;lt;b&amp;gt;' || x")))
    e("message_fence", envelope(message("explain ```sql\nselect *\nfrom t\nwhere a &lt; 5\n```")))
    e("message_fence_inline", envelope(message("explain```select 1```")))
    e("message_backticks", envelope(message("explain `select 1`")))
    e("message_mailto", envelope(message(
        "plan select * from users where email = '<mailto:a@b.com|a@b.com>'")))
    e("message_link", envelope(message(
        "plan select * from sites where url = '<http://example.com/?a=1&amp;b=2|example.com>'")))
    e("message_smart_quotes", envelope(message(
        "explain select \u201cName\u201d from users where name = \u2018bob\u2019 and "
        "t = 'it\u2019s\u00a0ok'")))
    e("message_nbsp_mention", envelope(message(f"<@{BOT}>\u00a0explain select 1")))
    e("message_other_mention", envelope(message("<@U999> explain select 1")))
    e("message_thread_reply", envelope(message("explain select 1",
                                               thread_ts="1355517000.000001")))
    e("message_thread_reply_mention", envelope(message(f"<@{BOT}> explain select 1",
                                                       thread_ts="1355517000.000001")))
    e("message_thread_broadcast", envelope(message(
        "explain select 1", subtype="thread_broadcast", thread_ts="1355517523.000005")))
    e("message_snippet", envelope(message("explain", subtype="file_share", files=SNIPPET)))
    e("message_snippet_and_sql", envelope(message("explain select 1", subtype="file_share",
                                                  files=SNIPPET)))
    e("message_image", envelope(message("explain", subtype="file_share", files=[
        {"id": "F1", "mode": "hosted", "filetype": "png",
         "url_private_download": "https://files.slack.com/a.png"}])))
    e("message_edited", envelope(message("explain select 1", edited={"user": "U1", "ts": "2.0"})))
    e("message_bot_id", envelope(message("explain select 1", bot_id="B0OTHER")))
    e("message_bot_subtype", envelope(message("explain select 1", subtype="bot_message")))
    e("message_from_bot_user", envelope(message("explain select 1", user=BOT)))
    e("message_changed", envelope({
        "type": "message", "subtype": "message_changed", "channel": "C1", "ts": "2.0",
        "message": {"user": "U1", "text": "explain select 2", "ts": "1.0"},
        "previous_message": {"user": "U1", "text": "explain select 1", "ts": "1.0"}}))
    e("message_deleted", envelope({"type": "message", "subtype": "message_deleted",
                                   "channel": "C1", "ts": "2.0", "deleted_ts": "1.0"}))
    e("message_channel_join", envelope(message(f"<@U1> has joined the channel",
                                               subtype="channel_join")))
    e("message_odd_types", envelope({"type": "message", "text": 5, "files": "x",
                                     "edited": True, "user": ["U1"], "ts": 1.5}))
    e("app_mention", envelope({"type": "app_mention", "user": "U2147483697", "channel": "C1",
                               "ts": "1.2", "text": f"<@{BOT}> explain select 1 where 2 &gt; 1"}))
    e("app_mention_later", envelope({"type": "app_mention", "user": "U1", "channel": "C1",
                                     "ts": "1.2", "text": f"fyi <@{BOT}> plan select 1"}))
    e("app_mention_thanks", envelope({"type": "app_mention", "user": "U1", "channel": "C1",
                                      "ts": "1.2", "text": f"thanks <@{BOT}>!"}))
    e("reaction_added", envelope({"type": "reaction_added", "user": "U1", "reaction": "eyes",
                                  "item": {"type": "message", "channel": "C1", "ts": "1.2"}}))
    e("event_missing", '{"type":"event_callback","event_id":"Ev9","team_id":"T1"}')
    e("event_not_object", '{"type":"event_callback","event_id":"Ev9","event":"message"}')
    e("unknown_type", '{"type":"app_rate_limited","team_id":"T1","minute_rate_limited":1518467820}')
    e("broken_truncated", envelope(message("explain select 1"))[:90])
    e("broken_not_json", "token=x&type=event_callback")
    e("broken_array", "[]")
    e("broken_empty", "")
    e("deep_nesting", '{"type":"event_callback","event":' + "[" * 500 + "]" * 500 + "}")
    cf = lambda name, body: c.add("c_" + name, b"c" + to_bytes(body))  # noqa: E731
    cf("explain", slash("explain select 1"))
    cf("quotes_plus_percent", slash("explain select * from t where a = 'x+y' and b like '50%'"))
    cf("newlines", slash("plan select *\nfrom t\r\nwhere a = 1"))
    cf("describe", slash("\\d+ \"Order Items\""))
    cf("empty_text", slash(""))
    cf("help", slash("help"))
    cf("ssl_check", "ssl_check=1&token=x")
    cf("published_example", PUBLISHED_BODY)
    cf("missing_fields", "command=%2Fplanbot&text=explain+select+1")
    cf("duplicate_keys", slash("plan select 1") + "&text=exec+drop+table+orders&user_id=U0ADMIN")
    cf("bad_percent", "command=%2Fplanbot&text=explain%zz%2&user_id=U1%")
    cf("plus_and_space", "command=/planbot&text=explain select+1&user_id=U1&channel_id=C1")
    cf("no_equals", "command&text&&=&user_id==U1")
    cf("utf8_encoded", slash("plan select \u2018bob\u2019, 'caf\u00e9'"))
    cf("nul_encoded", "command=%2Fplanbot&text=plan+select+%00+1&user_id=U1&channel_id=C1")
    t = lambda name, text: c.add("t_" + name, b"t" + to_bytes(text))  # noqa: E731
    t("plain", "explain select 1")
    t("mention", f"<@{BOT}>: plan select 1")
    t("entities", "explain select 1 where a &lt; 2 &amp;&amp; b &gt; 3 &quot;x&quot; &l")
    t("fence_lang", "explain ```SQL\nselect 1```")
    t("fence_twice", "explain ```a``` and ```b```")
    t("links", "see <http://x.com|x.com> <http://y.com> <#C123|general> <!here> <@U123> a <b")
    t("smart", "where \"a\u201d\" = 1 and x = \u2032a\u2032 or \u2033b\u2033")
    t("unclosed_fence", "explain ```select 1")
    t("only_backticks", "``")
    t("invalid_utf8", b"explain select '\xe2\x80'")
    s = lambda name, body: c.add("s_" + name, b"s" + to_bytes(body))  # noqa: E731
    # 's': body NUL signature header; the target signs the body with the published secret and
    # the current time, so a fixed header is always "another signature" (refused).
    sig = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    s("published_example", PUBLISHED_BODY + "\0" + sig)
    s("event_body", envelope(message("explain select 1")) + "\0" + sig)
    s("url_verification", '{"type":"url_verification","challenge":"c"}\0' + sig)
    s("uppercase", PUBLISHED_BODY + "\0" + sig.upper())
    s("no_prefix", PUBLISHED_BODY + "\0" + sig[3:])
    s("other_version", PUBLISHED_BODY + "\0v1=" + sig[3:])
    s("short", PUBLISHED_BODY + "\0v0=abc")
    s("long", PUBLISHED_BODY + "\0" + sig + "00")
    s("two_signatures", PUBLISHED_BODY + "\0" + sig + ",v0=" + "0" * 64)
    s("spaces", PUBLISHED_BODY + "\0 " + sig + " ")
    s("empty_header", PUBLISHED_BODY + "\0")
    s("no_header", PUBLISHED_BODY)
    s("empty", "")
    s("empty_body", "\0" + sig)
    return c


# ------------------------------------------------------------------------------------------------
# 6. config_yaml

CPP_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "\\": "\\", "\"": "\"", "'": "'",
               "?": "?", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def decode_cpp_string(body):
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt == "x":
            m = re.match(r"[0-9A-Fa-f]+", body[i + 2:])
            out.append(chr(int(m.group(0), 16)) if m else "x")
            i += 2 + (len(m.group(0)) if m else 0)
        elif nxt in "uU":
            width = 4 if nxt == "u" else 8
            out.append(chr(int(body[i + 2:i + 2 + width], 16)))
            i += 2 + width
        elif nxt.isdigit() and nxt in "01234567":
            m = re.match(r"[0-7]{1,3}", body[i + 1:])
            out.append(chr(int(m.group(0), 8)))
            i += 1 + len(m.group(0))
        else:
            out.append(CPP_ESCAPES.get(nxt, nxt))
            i += 2
    return "".join(out)


def cpp_string_groups(src):
    """Adjacent string literals of a C++ source (concatenated, escapes decoded), in order."""
    groups, current, i, n = [], None, 0, len(src)

    def flush():
        nonlocal current
        if current is not None:
            groups.append("".join(current))
        current = None

    while i < n:
        ch = src[i]
        if src.startswith("//", i):
            i = src.find("\n", i)
            i = n if i < 0 else i
            continue
        if src.startswith("/*", i):
            i = src.find("*/", i + 2)
            i = n if i < 0 else i + 2
            continue
        if ch.isspace():
            i += 1
            continue
        m = re.match(r'(?:u8|[uUL])?R"([^()\\\s]{0,16})\(', src[i:i + 40])
        if m and (i == 0 or not (src[i - 1].isalnum() or src[i - 1] == "_")):
            end = src.find(")" + m.group(1) + '"', i + m.end())
            end = n if end < 0 else end
            current = (current or []) + [src[i + m.end():end]]
            i = end + len(m.group(1)) + 2
            continue
        if ch == '"':
            j = i + 1
            while j < n and src[j] != '"':
                j += 2 if src[j] == "\\" else 1
            current = (current or []) + [decode_cpp_string(src[i + 1:j])]
            i = j + 1
            continue
        if ch == "'":
            if i > 0 and src[i - 1].isalnum() and i + 1 < n and src[i + 1].isalnum() and \
                    not re.match(r"(?:u8|[uUL])$", src[max(0, i - 2):i]):
                i += 1  # digit separator
                continue
            j = i + 1
            while j < n and src[j] != "'":
                j += 2 if src[j] == "\\" else 1
            flush()
            i = j + 1
            continue
        flush()
        i += 1
    flush()
    return groups


YAMLISH = re.compile(r"(?m)^[ ]*(?:- )?[A-Za-z_][A-Za-z0-9_.]*:(?: |$)")
YAML_LINE = re.compile(r"^(?:\s|- |-$|#|[\[\]{}]|[A-Za-z_][A-Za-z0-9_.]*:(?: |$))")


def looks_like_yaml(text):
    """A string literal that holds a YAML document (or fragment), not a message or a path."""
    lines = [line for line in text.split("\n") if line.strip()]
    if "\n" not in text or not YAMLISH.search(text) or not lines:
        return False
    return sum(1 for line in lines if YAML_LINE.match(line)) >= 0.8 * len(lines)


MINIMAL_YAML = "databases:\n  - {name: shop, local: {source: shop}}\n"

BROKEN_YAML = [
    ("tabs", "databases:\n\t- name: shop\n\t  local: {source: shop}\n"),
    ("tab_after_key", "listen:\t127.0.0.1:8080\n" + MINIMAL_YAML),
    ("anchor_alias", "defaults: &d {history: full, retention: 7d}\ndatabases:\n"
                     "  - name: shop\n    <<: *d\n    local: {source: shop}\n"
                     "  - name: crm\n    history: *d\n    local: {source: crm}\n"),
    ("merge_keys", "databases:\n  - &base\n    name: shop\n    local: {source: shop}\n"
                   "  - <<: *base\n    name: shop2\n"),
    ("alias_undefined", "databases: *nope\n"),
    ("alias_loop_like", "a: &a [*a]\n" + MINIMAL_YAML),
    ("billion_laughs", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
                       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c]\n"
                       + MINIMAL_YAML),
    ("env_references", "listen: ${LISTEN}\nstore: ${HOME}/${STORE:-x}.db\napi:\n  tokens:\n"
                       "    - {name: ci, token: \"${}\", role: user}\n"
                       "    - {name: ops, token: \"$${ESCAPED}\", role: admin}\n"
                       "    - {name: x, token: \"${UNSET_VARIABLE_123}\", role: \"${ROLE\"}\n"
                       + MINIMAL_YAML),
    ("env_unclosed", "slack:\n  bot_token: \"${SLACK_BOT_TOKEN\"\n" + MINIMAL_YAML),
    ("deep_nesting_100", "databases:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(100))
                         + "  " * 101 + "v\n"),
    ("deep_flow_nesting", "databases: " + "[" * 100 + "]" * 100 + "\n"),
    ("duplicate_keys", "listen: 127.0.0.1:1\nlisten: 127.0.0.1:2\n" + MINIMAL_YAML),
    ("multi_document", MINIMAL_YAML + "---\n" + MINIMAL_YAML + "...\n"),
    ("wrong_types", "listen: [1, 2]\nstore: {a: b}\nlimits: 5\ndatabases: shop\n"),
    ("tags", "listen: !!binary aGVsbG8=\ndatabases: !!set {shop}\nstore: !custom x\n"),
    ("unterminated_quote", "listen: \"127.0.0.1:8080\n" + MINIMAL_YAML),
    ("bad_indent", "databases:\n  - name: shop\n   local: {source: shop}\n"),
    ("empty", ""),
    ("only_comment", "# nothing\n"),
    ("bom_crlf", "\ufefflisten: 127.0.0.1:8080\r\n" + MINIMAL_YAML.replace("\n", "\r\n")),
    ("nul_byte", "listen: 127.0.0.1:8080\0\n" + MINIMAL_YAML),
    ("huge_numbers", "limits:\n  quota: {commands: 99999999999999999999999, per: 36501d}\n"
                     "  workers: -1\n  statement_timeout: 1e3s\n" + MINIMAL_YAML),
    ("complex_key", "? [a, b]\n: c\n" + MINIMAL_YAML),
]


def make_config_yaml():
    c = Corpus("config_yaml")
    for rel in ("planbot.example.yaml", "packaging/planbot.yaml"):
        with open(os.path.join(ROOT, rel), "rb") as f:
            c.add(rel.replace("/", "_"), f.read())
    sources = [os.path.join(ROOT, "tests", "support", "config_testing.h"),
               os.path.join(ROOT, "tests", "core", "config_test.cc")]
    folder = os.path.join(ROOT, "tests", "adapters", "config")
    sources += [os.path.join(folder, n) for n in sorted(os.listdir(folder)) if n.endswith(".cc")]
    for path in sources:
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            groups = cpp_string_groups(f.read())
        stem = os.path.splitext(os.path.basename(path))[0]
        k = 0
        for text in groups:
            if not looks_like_yaml(text):
                continue
            k += 1
            c.add(f"{stem}_{k}", text)
            if "databases:" not in text and not text.startswith((" ", "-")):
                c.add(f"{stem}_{k}_min", MINIMAL_YAML + text)
    for name, text in BROKEN_YAML:
        c.add(f"broken_{name}", text)
    return c


# ------------------------------------------------------------------------------------------------
# 7. history_filter

FILTER_WORDS = [
    ("before_days", "--before 30d"),
    ("before_equals_hours", "--before=12h"),
    ("before_date", "--before 2026-11-01"),
    ("before_rfc3339", "--before 2026-11-01T12:30:00Z"),
    ("before_no_z", "--before 2026-11-01T12:30:00"),
    ("before_fraction_offset", "--before 2026-11-01T12:30:00.123+02:00"),
    ("all_fields", "--user alice --session s1 --fingerprint abc --database shop"),
    ("user_slack_id", "--user U123 --before 30d"),
    ("fingerprint", "--fingerprint 1a2b3c4d5e6f7a8b"),
    ("database", "--database shop"),
    ("ids", "--id 3,4 --id 9"),
    ("all", "--all"),
    ("empty", ""),
    ("all_and_user", "--all --user bob"),
    ("id_zero", "--id 0"),
    ("id_not_number", "--id 3,x"),
    ("id_trailing_comma", "--id 3,"),
    ("id_huge", "--id 99999999999999999999999"),
    ("id_negative", "--id -5"),
    ("before_word", "--before soon"),
    ("before_too_long", "--before 36501d"),
    ("before_negative", "--before -1d"),
    ("unknown_flag", "--colour red"),
    ("bare_word", "alice"),
    ("flag_without_value", "--user"),
    ("flag_twice", "--user a --user b"),
    ("words_without_dashes", "user U123 before 30d"),
    ("since", "--since 2026-01-01"),
    ("empty_equals", "--user= --=x --"),
    ("whitespace", "  --user\talice \n --database\u00a0shop  "),
    ("quoted_value", "--user \"bob smith\""),
    ("unicode", "--user \u00e9milie --database \u0431\u0430\u0437\u0430"),
]

FILTER_JSON = [
    ("full", '{"before": "30d", "user": "alice", "id": [3, 4], "session": "s1", '
             '"database": "shop", "fingerprint": "1a2b3c4d5e6f7a8b"}'),
    ("id_mixed", '{"user": "alice", "id": [1, "2,3"], "before": "1d"}'),
    ("id_number", '{"id": 5}'),
    ("id_string", '{"id": "3,4"}'),
    ("all", '{"all": true}'),
    ("all_false", '{"all": false}'),
    ("array", "[]"),
    ("all_string", '{"all": "yes"}'),
    ("user_number", '{"user": 7}'),
    ("unknown_key", '{"users": "x"}'),
    ("empty_object", "{}"),
    ("null", "null"),
    ("truncated", '{"user": '),
    ("id_negative_float", '{"id": [-1, 1.5, 1e30, true, null, [2]]}'),
    ("before_rfc3339", '{"before": "2026-11-01T12:30:00Z"}'),
    ("nested", '{"user": {"name": "alice"}, "id": {"a": 1}}'),
    ("duplicate_keys", '{"user": "a", "user": "b"}'),
    ("escapes", '{"user": "a\\u0000b\\ud800", "database": "\\"shop\\""}'),
]


def make_history_filter():
    c = Corpus("history_filter")
    for name, text in FILTER_WORDS:
        c.add(f"w_{name}", "w" + text)
    for name, text in FILTER_JSON:
        c.add(f"j_{name}", "j" + text)
    return c


# ------------------------------------------------------------------------------------------------
# 8. psql_describe

DESCRIBE = [
    ("d", "\\d"), ("d_plus", "\\d+"), ("dt", "\\dt"), ("dt_plus", "\\dt+"), ("di", "\\di"),
    ("di_plus", "\\di+"), ("dv", "\\dv"), ("dv_plus", "\\dv+"), ("dm", "\\dm"),
    ("dm_plus", "\\dm+"), ("dn", "\\dn"), ("dx", "\\dx"), ("df", "\\df"), ("l", "\\l"),
    ("d_orders", "\\d orders"), ("d_plus_orders", "\\d+ orders"),
    ("dt_plus_public_star", "\\dt+ public.*"), ("di_plus_prefix", "\\di+ customers_*"),
    ("d_quoted_space", "\\d \"Order Items\""), ("d_quoted_quotes", "\\d+ \"Weird \"\"name\"\"\""),
    ("d_quoted_schema", "\\d \"App\".\"Big Table\""), ("dt_wildcards", "\\dt ord?rs$"),
    ("d_utf8", "\\d caf\u00e9"), ("d_quoted_colon", "\\d \"a:b 'c'\""), ("l_pattern", "\\l shop*"),
    ("df_pattern", "\\df leak_*"), ("spaces", "  \\d   orders  \n"),
    ("pattern_200", "\\d " + "x" * 200),
    # refused
    ("semicolon", "\\d orders; drop table x"), ("newline_shell", "\\d orders\n\\! ls"),
    ("second_arg_backslash", "\\d orders \\\\! ls"), ("glued_backslash", "\\d orders\\! ls"),
    ("shell", "\\! ls"), ("connect", "\\c other"), ("copy", "\\copy orders to '/tmp/x'"),
    ("output", "\\o /tmp/x"), ("system_tables", "\\dS"), ("glued_pattern", "\\dt+orders"),
    ("unbalanced", "\\d \"unbalanced"), ("two_args", "\\d a b"), ("tab", "\\d orders\tx"),
    ("tab_after_meta", "\\d\torders"), ("pattern_300", "\\d " + "x" * 300),
    ("nul", "\\d ord\0ers"), ("escape_seq", "\\d ord\x1b[2Jers"), ("del", "\\d ord\x7f"),
    ("line_separator", "\\d ord\u2028ers"), ("bidi_override", "\\d ord\u202eers"),
    ("c1_nel", b"\\d ord\xc2\x85"), ("invalid_utf8", b"\\d ord\xffx"),
    ("overlong", b"\\d ord\xc0\xafx"), ("truncated_utf8", b"\\d ord\xe2\x82"),
    ("backticks", "\\d a`id`b"), ("quoted_backticks", "\\d \"a`id`b\""), ("variable", "\\d :foo"),
    ("quoted_variable", "\\d :'foo'"), ("single_quoted_escape", "\\d 'a\\x41'"),
    ("quoted_backslash", "\\d \"a\\\\b\""), ("quoted_semicolon", "\\d \"a;b\""),
    ("pipe", "\\d orders|cat"), ("dash_option", "\\d -x"), ("quote_not_closed", "\\d \"a\"\""),
    ("quoted_then_second", "\\d \"a\" b"), ("empty", ""), ("blank", "   "),
    ("no_backslash", "d orders"), ("sql", "select 1"), ("lone_backslash", "\\"),
    ("meta_semicolon", "\\d;drop"), ("long_meta", "\\" + "x" * 40), ("meta_utf8", "\\d\u00e9"),
    ("gset", "\\gset"), ("gexec", "select 'drop table x' \\gexec"), ("include", "\\i /etc/passwd"),
    ("setenv", "\\setenv PAGER 'sh -c id'"),
]


def make_psql_describe():
    c = Corpus("psql_describe")
    for name, text in DESCRIBE:
        c.add(name, text)
    return c


# ------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="database with the fidelity schema (default: "
                                     "planbot_fidelity, or a fuzz_seeds loaded from schema.sql)")
    args = parser.parse_args()

    db = pick_database(args.db)
    session, entries = load_fidelity()
    explain = make_explain_json(db, session, entries)
    corpora = [
        make_sql_check(entries),
        explain,
        make_literal_mask(explain),
        make_server_errors(db),
        make_slack(),
        make_config_yaml(),
        make_history_filter(),
        make_psql_describe(),
    ]
    total = sum(c.size() for c in corpora)
    if total > MAX_TOTAL:
        sys.exit(f"the seeds would take {total} bytes, more than {MAX_TOTAL}: nothing written")

    if os.path.isdir(SEEDS):
        shutil.rmtree(SEEDS)
    for c in corpora:
        folder = os.path.join(SEEDS, "fuzz_" + c.target)
        os.makedirs(folder)
        for name, data in sorted(c.files.items()):
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)

    print(f"seeds from database {db} written to {os.path.relpath(SEEDS, ROOT)}/")
    for c in corpora:
        print(f"  {c.target:16} {len(c.files):4} files {c.size():9} bytes")
    print(f"  {'total':16} {sum(len(c.files) for c in corpora):4} files {total:9} bytes")
    if skipped:
        print(f"skipped ({len(skipped)}):")
        for target, what, why in skipped:
            print(f"  {target}: {what}: {why}")


if __name__ == "__main__":
    main()
