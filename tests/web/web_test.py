#!/usr/bin/env python3
"""The web view in a real browser (issue 15): headless Chromium against `planbot serve`.

Starts `planbot serve` with API tokens on a throwaway source database of the PostgreSQL that
scripts/test started (libpq environment), runs `explain` → `exec create index` → `explain`
through the API as alice, then in the browser:

  - an anonymous visit lands on the login page; alice logs in with her token;
  - the history lists her entries;
  - a plan page draws the PEV2 tree, with a tip badge sitting on the node it is about;
  - the comparison of the two explains names the index and the speedup;
  - /analyze analyses a pasted EXPLAIN without adding a history entry;
  - bob, logged in on his own, is told that alice's entry does not exist;
  - alice logs out and is sent back to the login page.

On every page: the CSP header is there, no Content-Security-Policy violation or uncaught
exception is logged, and no request leaves planbot. Screenshots go to --artifacts (the README's
pictures are made here). Exit status 0 when everything holds.

Usage: tests/web/web_test.py --binary build/planbot [--artifacts build/web-screenshots]
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import Browser  # noqa: E402

TOKENS = {"alice": "alice-web-token-0123456789", "bob": "bob-web-token-0123456789",
          "ops": "ops-web-token-0123456789"}
QUERY = "select * from orders where created = '2024-06-01'"


def psql(db, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                          check=True, capture_output=True, text=True).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(base, method, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method,
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")


class Check:
    def __init__(self):
        self.failures = []

    def __call__(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.failures.append(what)


def page_is_clean(check, page, base, name):
    """No CSP violation, no uncaught exception, no request outside planbot."""
    csp = [m.text for m in page.console if "Content Security Policy" in m.text]
    check(not csp, f"{name}: no CSP violation {csp[:2]}")
    errors = [m.text for m in page.console if m.level == "exception"]
    check(not errors, f"{name}: no uncaught exception {errors[:2]}")
    outside = [u for u in page.requests
               if not (u.startswith(base + "/") or u.startswith("data:") or u == "about:blank")]
    check(not outside, f"{name}: no request outside planbot {outside[:3]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--artifacts", default="build/web-screenshots")
    args = ap.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    check = Check()

    work = tempfile.mkdtemp(prefix="planbot-web-")
    source = f"planbot_web_{os.getpid()}"
    psql("postgres", f"create database {source}")
    psql(source, """
        create table orders (id bigint generated always as identity primary key,
                             customer_id int not null, amount numeric(10,2), created date);
        insert into orders (customer_id, amount, created)
          select g % 5000, (g % 1000) / 10.0, date '2023-01-01' + g % 1000
          from generate_series(1, 300000) g;""")
    psql(source, "vacuum analyze orders")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    config = os.path.join(work, "planbot.yaml")
    with open(config, "w") as f:
        f.write(f"""listen: 127.0.0.1:{port}
store: {work}/planbot.db
api:
  tokens:
    - {{name: alice, token: "{TOKENS['alice']}", role: user}}
    - {{name: bob, token: "{TOKENS['bob']}", role: user}}
    - {{name: ops, token: "{TOKENS['ops']}", role: admin}}
limits: {{quota: {{commands: 0, per: 60s}}}}
databases:
  - name: shop
    provider: local
    local: {{source: {source}, warm_clones: 1, clone_prefix: {source}_clone}}
web: {{public_url: "{base}"}}
""")
    log = open(os.path.join(work, "serve.log"), "w")
    serve = subprocess.Popen([args.binary, "serve", "--config", config], stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)
                break
            except Exception:
                time.sleep(0.1)
        alice = TOKENS["alice"]
        st, before = api(base, "POST", "/api/v1/commands", alice,
                         {"text": "explain " + QUERY, "session": "web"})
        check(st == 200, f"explain before the index: {st}")
        st, _ = api(base, "POST", "/api/v1/commands", alice,
                    {"text": "exec create index orders_created_idx on orders (created)",
                     "session": "web"})
        check(st == 200, f"exec create index: {st}")
        st, after = api(base, "POST", "/api/v1/commands", alice,
                        {"text": "explain " + QUERY, "session": "web"})
        check(st == 200, f"explain after the index: {st}")
        a, b = before["id"], after["id"]
        check(after.get("url") == f"{base}/plans/{b}", "the answer links to the entry's page")

        with Browser() as browser:
            page = browser.new_page()
            # Anonymous: the login page.
            page.goto(base + "/")
            check(page.url == base + "/login", f"an anonymous visit lands on /login ({page.url})")
            page.type("#token", "not-a-token")
            page.submit("#login-form")
            page.wait_for_navigation()
            page.wait_for("!document.querySelector('#login-error').hidden")
            check(True, "a wrong token is refused on the login page")
            page.type("#token", alice)
            page.submit("#login-form")
            check(page.wait_for_navigation() == 200, "login with alice's token")
            cookie = [c for c in page.cookies() if c["name"] == "planbot_session"]
            check(bool(cookie) and cookie[0]["httpOnly"] and cookie[0]["sameSite"] == "Strict",
                  "the session cookie is HttpOnly and SameSite=Strict")

            # History.
            page.wait_for("document.querySelectorAll('tr.history-row').length >= 3")
            check(page.eval(f"!!document.querySelector('#entry-{b} a.history-id')"),
                  "the history lists the entry with a link to its page")
            check(page.eval("document.querySelector('#nav-user-name').textContent") == "alice",
                  "the page says who is logged in")
            page.screenshot(os.path.join(args.artifacts, "history.png"))
            page_is_clean(check, page, base, "history")

            # One plan: the tree, its text, a tip on its node.
            status = page.goto(f"{base}/plans/{a}")
            check(status == 200, "the plan page opens")
            headers = next(r.headers for r in page.responses if r.url == f"{base}/plans/{a}")
            check(headers.get("content-security-policy", "").startswith("default-src 'self'"),
                  "the page is served with Content-Security-Policy: default-src 'self'")
            page.wait_for("document.querySelectorAll('#pev2 .plan-node-body').length >= 1", 30)
            check(True, "PEV2 draws the plan's nodes")
            _, entry_a = api(base, "GET", f"/api/v1/history/{a}", alice)
            check(any(t.get("node") is not None for t in entry_a["tips"]),
                  f"entry #{a} has a tip about a node: {[t['code'] for t in entry_a['tips']]}")
            # (a DOM node comes back as {}: ask for a boolean)
            page.wait_for("!!document.querySelector('#pev2 .plan-node-body .planbot-tip')", 15)
            tip = page.eval("""(() => {
                const badge = document.querySelector('#pev2 .plan-node-body .planbot-tip');
                const card = badge.closest('.plan-node-body');
                return {node: badge.dataset.node, code: badge.dataset.code,
                        card: card.textContent};
            })()""")
            check("Seq Scan" in tip["card"] or "Gather" in tip["card"],
                  f"the tip {tip['code']} sits on the scan it is about (node #{tip['node']})")
            check("Seq Scan" in page.eval("document.querySelector('#plan-text').textContent"),
                  "PostgreSQL's text is beside the tree")
            check(page.eval("document.querySelectorAll('#tips li').length") >= 1,
                  "the tips are listed")
            page.wait_for("document.querySelectorAll('#other-runs li').length >= 1", 10)
            check(True, "other runs of the same query are linked")
            page.screenshot(os.path.join(args.artifacts, "plan.png"))
            page_is_clean(check, page, base, "plan")

            # Before and after the index.
            page.goto(f"{base}/compare/{a}/{b}")
            page.wait_for("document.querySelector('#verdict') && "
                          "document.querySelector('#verdict').textContent.includes('faster')", 15)
            verdict = page.eval("document.querySelector('#verdict').textContent")
            check("faster" in verdict, f"the comparison shows the speedup: {verdict.strip()}")
            changes = page.eval("document.querySelector('#changes').textContent")
            check("orders_created_idx" in changes, "the comparison names the new index")
            page.screenshot(os.path.join(args.artifacts, "compare.png"))
            page_is_clean(check, page, base, "compare")

            # A pasted plan: analysed, not stored.
            _, listed = api(base, "GET", "/api/v1/history?limit=100", alice)
            count = len(listed["entries"])
            pasted = psql(source, "explain (analyze, buffers, format json) "
                                  "select customer_id, count(*) from orders group by 1")
            page.goto(base + "/analyze")
            page.wait_for("document.body.dataset.ready === '1'")
            page.type("#analyze-plan", pasted)
            page.click("#analyze-submit")
            try:
                page.wait_for("document.querySelectorAll('#pev2 .plan-node-body').length >= 2", 30)
            except Exception:
                print("alerts:", page.eval("document.querySelector('#alerts').textContent"))
                print("value length:", page.eval("document.querySelector('#analyze-plan').value.length"), len(pasted))
                print("pev2:", page.eval("document.querySelector('#pev2').innerHTML.slice(0, 200)"))
                print("responses:", [(r.url, r.status) for r in page.responses][-4:])
                page.screenshot(os.path.join(args.artifacts, "analyze-fail.png"))
                raise
            check(True, "a pasted plan is drawn")
            _, listed = api(base, "GET", "/api/v1/history?limit=100", alice)
            check(len(listed["entries"]) == count, "analysing a pasted plan stores nothing")
            page_is_clean(check, page, base, "analyze")

            # Another user.
            other = browser.new_page(incognito=True)
            other.goto(base + "/login")
            other.type("#token", TOKENS["bob"])
            other.submit("#login-form")
            other.wait_for_navigation()
            other.goto(f"{base}/plans/{a}")
            other.wait_for("document.querySelector('#not-found') && "
                           "!document.querySelector('#not-found').hidden", 10)
            check(not other.eval("document.querySelector('#pev2 .plan-node-body')"),
                  "bob is told alice's entry does not exist, and sees no plan")
            other.screenshot(os.path.join(args.artifacts, "not-found.png"))

            # Logout.
            page.goto(base + "/")
            page.wait_for("document.querySelector('#logout') && "
                          "!document.querySelector('#logout-form').hidden")
            page.click("#logout")
            page.wait_for_navigation()
            check(page.url == base + "/login", f"logout returns to the login page ({page.url})")
            page.goto(base + "/")
            check(page.url == base + "/login", "after logout the history needs a login again")
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=20)
        except subprocess.TimeoutExpired:
            serve.kill()
        log.close()
        try:
            psql("postgres", f"drop database if exists {source} with (force)")
        except subprocess.CalledProcessError:
            pass
        if check.failures:
            print(open(os.path.join(work, "serve.log")).read()[-3000:])
        shutil.rmtree(work, ignore_errors=True)

    if check.failures:
        print(f"{len(check.failures)} failed: {check.failures}")
        return 1
    print("web view: all checks passed; screenshots in " + args.artifacts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
