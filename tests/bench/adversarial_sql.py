#!/usr/bin/env python3
"""Writes adversarial request bodies for tests/bench/run_adversarial_bench.sh into DIR.

Two families, each as `plan` and `explain` commands:
  big_*   statements that fill the 1 MiB body limit with shapes that were expensive or fatal
          before planbot bounded its analysis (deep operator chains overflowed libpg_query's
          recursive tree writer; 9,000 NOTs took 23 s of JSON; a million constants took
          minutes to normalize): they must be refused quickly with 400 too_complex;
  edge_*  the largest statements planbot still accepts (just under 100,000 tokens, or 1,000
          levels): they must be answered in full.
Usage: adversarial_sql.py DIR
"""
import json
import os
import sys

LIMIT = 1 << 20  # planbot's body limit


def fill(prefix, unit, suffix):
    """prefix + unit * n + suffix with the largest n whose request body fits the limit."""
    n = (LIMIT - 64 - len(prefix) - len(suffix)) // len(unit)
    while len(json.dumps({"text": "explain " + prefix + unit * n + suffix})) > LIMIT:
        n -= max(1, n // 200)
    return prefix + unit * n + suffix


def nest(open_, inner, close, n):
    return open_ * n + inner + close * n


BIG = {
    "nots_9000": "select " + "not " * 9000 + "true",  # the 36 KB case: 23 s before
    "not_chain": fill("select ", "not ", "true"),
    "plus_chain": fill("select 1", "+1", ""),
    "concat_chain": fill("select 'a'", "||'a'", ""),
    "cast_chain": fill("select 1", "::int", ""),
    "parens": fill("select ", "(", "1"),
    "in_list": fill("select 1 from pg_class where oid in (", "1,", "1)"),
    "columns": fill("select ", "1,", "1"),
    "values": fill("values (1)", ",(1)", ""),
    "or_chain": fill("select 1 where true", " or true", ""),
    "unions": fill("select 1", " union all select 1", ""),
    "statements": fill("", "select 1;", ""),
    "string_literal": fill("select '", "x", "'"),
    "comment": fill("select 1 /*", "x", "*/"),
    "subqueries": "select " + nest("(select ", "1", ")", 40000),
    "case_nest": "select " + nest("case when true then ", "1", " end", 40000),
    "joins": "select 1 from pg_class t0" + "".join(
        f" join pg_class t{i} on true" for i in range(1, 30000)),
}

EDGE = {
    "in_list_50k": "select 1 from pg_class where oid in (" + ",".join(["1"] * 49990) + ")",
    "columns_50k": "select " + ",".join(["1"] * 49990),
    "identifiers_50k": "select " + ",".join(["relname"] * 49990) + " from pg_class",
    "or_list_25k": "select 1 from pg_class where " + " or ".join(["oid = 1"] * 24990),
    "plus_chain_990": "select 1" + "+1" * 990,
    "parens_990": "select " + nest("(", "1", ")", 990),
    "subqueries_400": "select " + nest("(select ", "1", ")", 400),
    "case_900": "select " + nest("case when true then ", "1", " end", 900),
    "unions_990": "select 1" + " union all select 1" * 990,
    # (PostgreSQL's own planner needs seconds for 100 such joins: the server's cost, bounded by
    # statement_timeout, not planbot's analysis.)
    "joins_30": "select 1 from pg_class t0" + "".join(
        f" join pg_class t{i} on t{i}.oid = t{i - 1}.reltype" for i in range(1, 30)),
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for family, cases in (("big", BIG), ("edge", EDGE)):
        for name, sql in cases.items():
            for command in ("plan", "explain"):
                body = json.dumps({"text": command + " " + sql})
                assert len(body) <= LIMIT, (name, len(body))
                with open(os.path.join(out, f"{family}_{name}_{command}.json"), "w") as f:
                    f.write(body)


if __name__ == "__main__":
    main()
