#!/usr/bin/env python3
"""Self-test for cdp.py: a tiny stdlib HTTP server on 127.0.0.1 plus headless Chromium.

Run: python3 tests/web/cdp_selftest.py   (exit 0 = pass; non-zero + message = failure)
"""

import faulthandler
import http.server
import os
import socket
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cdp  # noqa: E402

FORM_PAGE = b"""<!doctype html><html><head><title>Form</title></head><body>
<form method="POST" action="/submit"><input id="name" name="name">
<button id="go" type="submit">Go</button></form></body></html>"""

SCRIPT_PAGE = b"""<!doctype html><html><head><title>Script</title>
<script src="/app.js"></script></head><body><h1 id="h">waiting</h1></body></html>"""

APP_JS = b"""console.log('app.js loaded');
window.appLoaded = true;
setTimeout(() => { document.getElementById('h').textContent = 'ready'; }, 300);
fetch('/api/data').then(r => r.json()).then(j => { window.apiData = j; });
"""

CSP_PAGE = b"""<!doctype html><html><head><title>CSP</title></head><body>
<script>window.inlineRan = true;</script><script src="/app2.js"></script></body></html>"""

THROW_PAGE = b"""<!doctype html><html><body><script>
console.warn('about to throw');
throw new Error('boom from page');
</script></body></html>"""

FRAME_HOST = """<!doctype html><html><body>
<iframe id="f" src="http://localhost:{port}/frame"></iframe></body></html>"""

FRAME_PAGE = b"""<!doctype html><html><body><script src="/frame.js"></script></body></html>"""

SUBMITTED = []


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body are separate writes

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", ctype="text/html; charset=utf-8", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = urllib.parse.urlsplit(self.path).path
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        if path == "/form":
            self._send(200, FORM_PAGE)
        elif path == "/thanks":
            name = query.get("name", [""])[0]
            body = ("<!doctype html><title>Thanks</title><h1>Thanks, %s</h1>"
                    % name.replace("<", "&lt;")).encode()
            self._send(200, body)
        elif path == "/script":
            self._send(200, SCRIPT_PAGE,
                       headers=[("Set-Cookie", "session=abc123; Path=/; HttpOnly; SameSite=Lax")])
        elif path in ("/app.js", "/app2.js"):
            self._send(200, APP_JS if path == "/app.js" else b"window.externalRan = true;",
                       "text/javascript")
        elif path == "/api/data":
            self._send(200, b'{"ok": true, "n": 42}', "application/json")
        elif path == "/csp":
            self._send(200, CSP_PAGE,
                       headers=[("Content-Security-Policy", "default-src 'self'")])
        elif path == "/throw":
            self._send(200, THROW_PAGE)
        elif path == "/frame-host":
            self._send(200, FRAME_HOST.format(port=self.server.server_port).encode())
        elif path == "/frame":
            self._send(200, FRAME_PAGE)
        elif path == "/frame.js":
            self._send(200, b"console.log('in frame');", "text/javascript")
        elif path == "/empty404":
            self._send(404)
        elif path == "/redirect":
            self._send(302, headers=[("Location", "/form")])
        else:
            self._send(404, b"<!doctype html><title>Not found</title><p>nope</p>")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        name = form.get("name", [""])[0]
        SUBMITTED.append(name)
        self._send(303, headers=[("Location", "/thanks?" + urllib.parse.urlencode({"name": name}))])


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):  # killed browser, closed tab
            super().handle_error(request, client_address)


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def expect_raises(exc_type, fn, *args, contains=None, **kw):
    try:
        fn(*args, **kw)
    except exc_type as e:
        if contains is not None:
            check(contains in str(e), "expected %r in error message, got: %s" % (contains, e))
        return e
    raise AssertionError("%s%r did not raise %s" % (fn.__name__, args, exc_type.__name__))


def run(base, port, outdir):
    timings = {}
    t0 = time.monotonic()
    with cdp.Browser() as browser:
        timings["launch"] = time.monotonic() - t0
        page = browser.new_page()

        # goto + status codes (plain, redirect, 404 with body, 404 without body)
        check(page.goto(base + "/form") == 200, "GET /form should be 200")
        check(page.url == base + "/form", "page.url after goto: %s" % page.url)
        check(page.goto(base + "/redirect") == 200, "302 -> /form should end in 200")
        check(page.url == base + "/form", "redirect should land on /form, got %s" % page.url)
        check(any(r.status == 302 and r.url.endswith("/redirect") for r in page.responses),
              "302 redirect response should be recorded: %s" % (page.responses,))
        check(page.goto(base + "/form#frag") is None, "fragment navigation: no response")
        check(page.url == base + "/form#frag", "url after fragment navigation: %s" % page.url)
        check(page.goto(base + "/nope") == 404, "missing page should be 404")
        check(page.goto(base + "/empty404") == 404, "empty-body 404 should still give 404")
        expect_raises(cdp.NavigationError, page.goto, "http://127.0.0.1:%d/" % closed_port(),
                      contains="ERR_CONNECTION_REFUSED")

        # eval
        check(page.goto(base + "/form") == 200, "back to /form")
        check(page.eval("1 + 2") == 3, "eval arithmetic")
        check(page.eval("({a: [1, 'x', null]})") == {"a": [1, "x", None]}, "eval object")
        check(page.eval("new Promise(r => setTimeout(() => r('late'), 100))") == "late",
              "eval awaits promises")
        check(page.eval("undefined") is None, "eval undefined -> None")
        check(page.eval("document.title") == "Form", "eval document.title")
        expect_raises(cdp.JSError, page.eval, "nosuchvar.x", contains="nosuchvar")
        expect_raises(cdp.JSError, page.eval, "Promise.reject(new Error('rejected!'))",
                      contains="rejected!")
        check(page.eval("alert('hi'); 7") == 7, "alert dialog should be auto-accepted")
        check(("dialog", "alert: hi") in page.console, "dialog recorded: %s" % page.console)

        # type + submit (POST -> 303 -> GET) + wait_for_navigation
        page.type("#name", "Zoë <b>")
        check(page.eval("document.querySelector('#name').value") == "Zoë <b>", "type sets value")
        page.eval("window.inputEvents = 0; document.querySelector('#name')"
                  ".addEventListener('input', () => window.inputEvents++)")
        page.type("#name", "alice")
        check(page.eval("window.inputEvents") == 1, "type dispatches an input event")
        page.submit("form")
        check(page.wait_for_navigation(timeout=10) == 200, "form POST -> 303 -> /thanks 200")
        check(SUBMITTED[-1] == "alice", "server got the typed name: %s" % SUBMITTED)
        check(page.url.startswith(base + "/thanks"), "landed on /thanks: %s" % page.url)
        check(page.eval("document.querySelector('h1').textContent") == "Thanks, alice",
              "thanks page content")
        check(any(r.status == 303 for r in page.responses), "303 recorded")
        # submit via the submit button, and click()
        page.goto(base + "/form")
        page.type("#name", "bob")
        page.submit("#go")
        check(page.wait_for_navigation() == 200, "submit via button")
        check(SUBMITTED[-1] == "bob", "server got bob: %s" % SUBMITTED)
        page.goto(base + "/form")
        page.type("#name", "carol")
        page.click("#go")
        check(page.wait_for_navigation() == 200, "click on submit button navigates")
        check(SUBMITTED[-1] == "carol", "server got carol: %s" % SUBMITTED)
        expect_raises(cdp.JSError, page.click, "#does-not-exist", contains="#does-not-exist")
        expect_raises(cdp.CDPTimeout, page.wait_for_navigation, timeout=0.5,
                      contains="wait_for_navigation")

        # script page: requests, wait_for, cookies, console
        page2 = browser.new_page()
        check(page2.goto(base + "/script") == 200, "GET /script 200")
        check(page2.eval("window.appLoaded") is True, "external script ran before load")
        check(page2.wait_for("document.getElementById('h').textContent === 'ready'",
                             timeout=5), "wait_for sees the timeout-driven change")
        data = page2.wait_for("window.apiData", timeout=5)
        check(data == {"ok": True, "n": 42}, "wait_for returns the value: %r" % (data,))
        e = expect_raises(cdp.CDPTimeout, page2.wait_for, "window.neverSet === 1", timeout=0.5)
        check("window.neverSet === 1" in str(e), "timeout names the expression: %s" % e)
        for suffix in ("/script", "/app.js", "/api/data"):
            check(base + suffix in page2.requests, "request %s missing: %s"
                  % (suffix, page2.requests))
        check(all(u.startswith(base + "/") for u in page2.requests),
              "all requests same-origin: %s" % page2.requests)
        check(("log", "app.js loaded") in page2.console, "console.log captured: %s"
              % page2.console)
        doc = [r for r in page2.responses if r.url == base + "/script"]
        check(doc and doc[0].status == 200 and doc[0].headers.get("content-type", "")
              .startswith("text/html"), "document response recorded: %s" % (doc,))
        cookies = page2.cookies()
        check(any(c["name"] == "session" and c["value"] == "abc123" and c["httpOnly"]
                  for c in cookies), "session cookie: %s" % cookies)
        check(page2.eval("document.cookie") == "", "HttpOnly cookie hidden from JS")

        # screenshots
        shot = os.path.join(outdir, "shot.png")
        full = os.path.join(outdir, "full.png")
        page2.screenshot(shot)
        page2.eval("document.body.style.height = '3000px'")
        page2.screenshot(full, full_page=True)
        for path, min_h in ((shot, 900), (full, 3000)):
            with open(path, "rb") as f:
                head = f.read(24)
            check(head[:8] == b"\x89PNG\r\n\x1a\n", "%s is not a PNG" % path)
            w, h = int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")
            check(w == 1400 and h >= min_h, "%s size %dx%d" % (path, w, h))

        # CSP violation from an inline script is reported in console
        page3 = browser.new_page()
        check(page3.goto(base + "/csp") == 200, "GET /csp 200")
        check(page3.eval("window.inlineRan") is None, "inline script must be blocked")
        check(page3.eval("window.externalRan") is True, "same-origin script allowed")
        page3.wait_for("true")
        csp = [m for m in page3.console if "Content Security Policy" in m.text]
        check(csp and csp[0].level == "error", "CSP violation in console: %s" % page3.console)
        csp_header = [r.headers.get("content-security-policy") for r in page3.responses
                      if r.url == base + "/csp"]
        check(csp_header == ["default-src 'self'"], "CSP header recorded: %s" % csp_header)

        # uncaught exceptions
        check(page3.goto(base + "/throw") == 200, "GET /throw 200")
        exc = [m for m in page3.console if m.level == "exception"]
        check(exc and "boom from page" in exc[0].text, "uncaught exception: %s" % page3.console)
        check(("warning", "about to throw") in page3.console, "console.warn captured")

        # cross-origin (out-of-process) iframe: its requests are seen too
        page4 = browser.new_page()
        check(page4.goto(base + "/frame-host") == 200, "GET /frame-host 200")
        other = "http://localhost:%d" % port
        page4.wait_for("true")
        deadline = time.monotonic() + 5
        while other + "/frame.js" not in page4.requests and time.monotonic() < deadline:
            time.sleep(0.05)
        check(other + "/frame" in page4.requests and other + "/frame.js" in page4.requests,
              "iframe requests seen: %s" % page4.requests)
        check([u for u in page4.requests if not u.startswith(base + "/")],
              "off-origin requests are detectable")
        check(("log", "in frame") in page4.console, "iframe console seen: %s" % page4.console)

        # incognito page has its own cookie jar
        page5 = browser.new_page(incognito=True)
        check(page5.goto(base + "/form") == 200, "incognito goto")
        check(not page5.cookies(), "incognito page has no cookies: %s" % page5.cookies())
        page5.close()
        page.close()

    timings["first browser"] = time.monotonic() - t0

    # a dead Chromium must give a clear error fast, and close() must not hang
    t1 = time.monotonic()
    browser = cdp.Browser()
    page = browser.new_page()
    page.goto(base + "/form")
    os.killpg(browser._proc.pid, 9)
    e = expect_raises(cdp.BrowserClosed, page.eval, "1")
    check("Runtime.evaluate" in str(e), "error names the CDP method: %s" % e)
    expect_raises(cdp.BrowserClosed, page.goto, base + "/form")
    profile = browser._profile
    browser.close()
    check(not os.path.exists(profile), "profile dir removed")
    check(time.monotonic() - t1 < 10, "dead-browser handling took too long")
    timings["dead browser"] = time.monotonic() - t1
    return timings


def main():
    faulthandler.dump_traceback_later(55, exit=True)  # never run past a minute
    server = QuietServer(("127.0.0.1", 0), Handler)
    port = server.server_port
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = "http://127.0.0.1:%d" % port
    t0 = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as outdir:
            timings = run(base, port, outdir)
    except Exception as e:
        traceback.print_exc()
        print("cdp selftest FAILED: %s: %s" % (type(e).__name__, e), file=sys.stderr)
        return 1
    finally:
        server.shutdown()
        server.server_close()
    print("cdp selftest OK in %.1fs (%s)" % (time.monotonic() - t0, ", ".join(
        "%s %.1fs" % kv for kv in timings.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
