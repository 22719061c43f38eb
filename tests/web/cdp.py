"""Minimal headless-Chromium driver over the Chrome DevTools Protocol (stdlib only).

Chromium is started with ``--remote-debugging-pipe``: it reads CDP commands from its
fd 3 and writes replies/events to its fd 4, every message being one JSON text
terminated by a NUL byte. No WebSocket, no third-party packages.

Usage::

    from cdp import Browser

    with Browser() as browser:                     # chromium --headless=new ...
        page = browser.new_page()
        assert page.goto("http://127.0.0.1:8080/") == 200
        page.type("#name", "alice")
        page.submit("form")
        assert page.wait_for_navigation() == 200
        page.wait_for("document.querySelector('h1').textContent.includes('alice')")
        assert page.eval("document.title") == "Thanks"
        page.screenshot("/tmp/thanks.png", full_page=True)
        assert not [m for m in page.console if m.level in ("error", "exception")]
        assert all(u.startswith("http://127.0.0.1:8080/") for u in page.requests)

API
---
``Browser(binary="chromium", width=1400, height=900, timeout=15, extra_args=())``
    Context manager. Launches Chromium with a throw-away ``--user-data-dir``.
    ``close()`` (idempotent, also run at interpreter exit) kills Chromium's whole
    process group and removes the profile dir. ``send(method, params, session_id,
    timeout)`` is the raw CDP call. ``new_page(incognito=False)`` returns a ``Page``
    (``incognito=True`` gives it its own browser context, i.e. its own cookie jar).
    ``stderr_tail()`` returns the end of Chromium's stderr log.

``Page`` (all waits take ``timeout`` in seconds)
    ``goto(url, timeout=15)``       navigate, wait for that document's load event;
                                    returns the HTTP status of the main document
                                    (after redirects; None without an HTTP response:
                                    about:blank, fragment-only navigation).
    ``eval(expr, timeout=15)``      Runtime.evaluate (returnByValue, awaitPromise);
                                    returns the JSON value; raises JSError.
    ``wait_for(js, timeout=10)``    poll (50 ms) until ``js`` is truthy; exceptions
                                    count as falsy; raises CDPTimeout naming ``js``.
    ``click(sel)``                  ``el.click()`` on ``document.querySelector(sel)``.
    ``type(sel, text)``             set value (native setter), fire input + change.
    ``submit(sel)``                 sel = form -> requestSubmit(); submit button ->
                                    click(); other element -> its form.requestSubmit().
    ``wait_for_navigation(timeout=15)``  wait until a new main-frame document,
                                    committed after the last goto/eval/click/type/
                                    submit, has fired its load event (returns at once
                                    if that already happened); returns its status.
    ``screenshot(path, full_page=False)``  PNG written to path; returns path.
    ``cookies(urls=None)``          Network.getCookies -> list of cookie dicts.
    ``url``                         URL of the current main-frame document.
    ``requests``                    every request URL (incl. redirect hops, iframes
                                    and workers), in order.
    ``responses``                   Response(url, status, headers) for every response
                                    incl. redirects; header names lower-cased.
    ``console``                     ConsoleMessage(level, text): console API calls
                                    (level = log/info/warning/error/debug/...), Log
                                    entries (CSP violations, failed loads, ...;
                                    level = verbose/info/warning/error) and uncaught
                                    exceptions (level = "exception"); also
                                    auto-accepted JS dialogs (level = "dialog").
    ``close()``                     close the tab.

Errors: ``CDPError`` (base; CDP error replies name the method), ``CDPTimeout``
(also a TimeoutError), ``BrowserClosed`` (Chromium died/closed; includes its stderr
tail), ``JSError`` (exception in evaluated JS), ``NavigationError`` (net error with
no HTTP response, e.g. connection refused).

Notes: the HTTP cache is disabled for every page so statuses are deterministic;
out-of-process iframes and workers are auto-attached so their requests and
console output land in the owning page's lists; alert/confirm/prompt/beforeunload
dialogs are accepted automatically so they never block evaluation.
"""

import atexit
import base64
import collections
import fcntl
import itertools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

__all__ = ["Browser", "Page", "Response", "ConsoleMessage", "CDPError", "CDPTimeout",
           "BrowserClosed", "JSError", "NavigationError"]

DEFAULT_TIMEOUT = 15.0

Response = collections.namedtuple("Response", "url status headers")
ConsoleMessage = collections.namedtuple("ConsoleMessage", "level text")


class CDPError(Exception):
    """A CDP command failed (error reply); base class of all errors here."""


class CDPTimeout(CDPError, TimeoutError):
    """A CDP reply or a page condition did not arrive in time."""


class BrowserClosed(CDPError):
    """Chromium exited or was closed while a reply was awaited."""


class JSError(CDPError):
    """Evaluated JavaScript threw (or its promise rejected)."""


class NavigationError(CDPError):
    """Navigation failed without an HTTP response (net::ERR_...)."""


class _Waiter:
    __slots__ = ("method", "event", "result", "error")

    def __init__(self, method):
        self.method = method
        self.event = threading.Event()
        self.result = None
        self.error = None


def _child_fds(read_fd, write_fd):
    """preexec_fn: put Chromium's input pipe on fd 3 and its output pipe on fd 4."""
    def setup():
        # Move out of the way first so dup2 onto 3/4 cannot clobber a source fd.
        a = fcntl.fcntl(read_fd, fcntl.F_DUPFD, 10)
        b = fcntl.fcntl(write_fd, fcntl.F_DUPFD, 10)
        os.dup2(a, 3)  # dup2 clears FD_CLOEXEC: 3 and 4 survive exec
        os.dup2(b, 4)
        os.close(a)
        os.close(b)
    return setup


class Browser:
    def __init__(self, binary="chromium", width=1400, height=900, timeout=DEFAULT_TIMEOUT,
                 extra_args=()):
        self.width, self.height, self.timeout = width, height, timeout
        self._ids = itertools.count(1)
        self._lock = threading.Lock()        # guards _pending, _handlers, _dead
        self._write_lock = threading.Lock()
        self._pending = {}
        self._handlers = {}                  # sessionId -> callable(method, params, sid)
        self._pages = []
        self._dead = None                    # reason string once Chromium is gone
        self._closed = False
        self._proc = None
        self._profile = tempfile.mkdtemp(prefix="cdp-profile-")
        self._log_path = os.path.join(self._profile, "chromium.log")
        exe = shutil.which(binary)
        if exe is None:
            shutil.rmtree(self._profile, ignore_errors=True)
            raise CDPError("Chromium binary %r not found (apt-get install -y chromium)" % binary)
        args = [exe, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--remote-debugging-pipe", "--user-data-dir=" + self._profile,
                "--no-first-run", "--no-default-browser-check",
                "--window-size=%d,%d" % (width, height),
                "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--disable-breakpad",
                "--hide-scrollbars", "--mute-audio", "--password-store=basic",
                "--use-mock-keychain",
                *extra_args, "about:blank"]
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()
        log = open(self._log_path, "wb")
        try:
            self._proc = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                close_fds=False,  # close_fds would close 3/4 after preexec_fn
                preexec_fn=_child_fds(to_chrome_r, from_chrome_w),
                start_new_session=True)  # own process group: close() kills all helpers
        except BaseException:
            for fd in (to_chrome_r, self._to_chrome, self._from_chrome, from_chrome_w):
                os.close(fd)
            shutil.rmtree(self._profile, ignore_errors=True)
            raise
        finally:
            log.close()
            if self._proc is not None:
                os.close(to_chrome_r)
                os.close(from_chrome_w)
        self._reader = threading.Thread(target=self._read_loop, name="cdp-reader", daemon=True)
        self._reader.start()
        atexit.register(self.close)
        try:
            self.version = self.send("Browser.getVersion")
        except BaseException:
            self.close()
            raise

    # -- lifecycle ---------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        if self._closed:
            return
        self._closed = True
        atexit.unregister(self.close)
        if self._proc is not None and self._proc.poll() is None:
            try:
                self.send("Browser.close", timeout=2)
            except CDPError:
                pass
            try:
                self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        if self._proc is not None:
            try:  # kill leftovers (renderers, zygote, crashpad) of our own session
                os.killpg(self._proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._mark_dead("browser closed")
        try:
            os.close(self._to_chrome)
        except OSError:
            pass
        self._reader.join(timeout=2)
        try:
            os.close(self._from_chrome)
        except OSError:
            pass
        for _ in range(3):
            shutil.rmtree(self._profile, ignore_errors=True)
            if not os.path.exists(self._profile):
                break
            time.sleep(0.1)

    @property
    def alive(self):
        return self._dead is None and self._proc.poll() is None

    def stderr_tail(self, n=2000):
        try:
            with open(self._log_path, "rb") as f:
                f.seek(0, os.SEEK_END)
                f.seek(max(0, f.tell() - n))
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _check_alive(self, what):
        if self._dead is None and self._proc.poll() is not None:
            self._mark_dead("Chromium exited with code %s" % self._proc.returncode)
        if self._dead is not None:
            raise BrowserClosed("%s: %s; stderr tail:\n%s"
                                % (what, self._dead, self.stderr_tail()))

    def _mark_dead(self, reason):
        with self._lock:
            if self._dead is None:
                self._dead = reason
            pending, self._pending = self._pending, {}
            pages = list(self._pages)
        for w in pending.values():
            w.error = BrowserClosed("%s while waiting for the reply to %s" % (reason, w.method))
            w.event.set()
        for p in pages:
            with p._cond:
                p._cond.notify_all()

    # -- transport ---------------------------------------------------------------
    def _write(self, msg):
        data = json.dumps(msg).encode() + b"\0"
        with self._write_lock:
            view = memoryview(data)
            while view:
                n = os.write(self._to_chrome, view)
                view = view[n:]

    def send_nowait(self, method, params=None, session_id=None):
        """Send a command and ignore its reply (safe to call from event handlers)."""
        msg = {"id": next(self._ids), "method": method, "params": params or {}}
        if session_id:
            msg["sessionId"] = session_id
        try:
            self._write(msg)
        except OSError:
            pass

    def send(self, method, params=None, session_id=None, timeout=None):
        """Send a CDP command and return its result dict (raises CDPError/CDPTimeout)."""
        timeout = self.timeout if timeout is None else timeout
        self._check_alive(method)
        msg_id = next(self._ids)
        msg = {"id": msg_id, "method": method, "params": params or {}}
        if session_id:
            msg["sessionId"] = session_id
        waiter = _Waiter(method)
        with self._lock:
            self._pending[msg_id] = waiter
        try:
            self._write(msg)
        except OSError as e:
            with self._lock:
                self._pending.pop(msg_id, None)
            try:
                self._proc.wait(timeout=1)
            except subprocess.TimeoutExpired:
                pass
            self._mark_dead("cannot write to Chromium (%s; exit code %s)"
                            % (e, self._proc.returncode))
            self._check_alive(method)
        deadline = time.monotonic() + timeout
        while not waiter.event.wait(min(0.25, max(0.0, deadline - time.monotonic()))):
            if self._proc.poll() is not None:
                self._reader.join(timeout=1)  # let it drain what Chromium wrote last
                if waiter.event.is_set():
                    break
                self._mark_dead("Chromium exited with code %s" % self._proc.returncode)
            elif time.monotonic() >= deadline:
                with self._lock:
                    self._pending.pop(msg_id, None)
                raise CDPTimeout("CDP %s: no reply within %gs" % (method, timeout))
        if isinstance(waiter.error, BrowserClosed):
            raise BrowserClosed("CDP %s: %s; stderr tail:\n%s"
                                % (method, waiter.error, self.stderr_tail()))
        if waiter.error is not None:
            raise waiter.error
        return waiter.result

    def _read_loop(self):
        buf = bytearray()
        try:
            while True:
                try:
                    chunk = os.read(self._from_chrome, 1 << 20)
                except OSError:
                    break
                if not chunk:
                    break
                start = len(buf)
                buf += chunk
                pos = 0
                while True:
                    end = buf.find(b"\0", start)
                    if end < 0:
                        break
                    raw = bytes(buf[pos:end])
                    pos = start = end + 1
                    try:
                        msg = json.loads(raw.decode("utf-8", "replace"))
                    except ValueError:
                        continue
                    self._dispatch(msg)
                del buf[:pos]
        finally:
            code = self._proc.poll()
            self._mark_dead("Chromium closed the pipe" + ("" if code is None else
                                                            " (exit code %s)" % code))

    def _dispatch(self, msg):
        if "id" in msg:
            with self._lock:
                waiter = self._pending.pop(msg["id"], None)
            if waiter is None:
                return
            if "error" in msg:
                err = msg["error"]
                waiter.error = CDPError("CDP %s failed: %s%s" % (
                    waiter.method, err.get("message"),
                    " (%s)" % err["data"] if err.get("data") else ""))
            else:
                waiter.result = msg.get("result", {})
            waiter.event.set()
            return
        handler = self._handlers.get(msg.get("sessionId"))
        if handler is not None:
            try:
                handler(msg.get("method"), msg.get("params") or {}, msg.get("sessionId"))
            except Exception as e:  # never kill the reader thread
                print("cdp: event handler error for %s: %r" % (msg.get("method"), e),
                      file=sys.stderr)

    # -- pages -------------------------------------------------------------------
    def new_page(self, incognito=False):
        params = {"url": "about:blank"}
        if incognito:
            params["browserContextId"] = self.send(
                "Target.createBrowserContext", {"disposeOnDetach": True})["browserContextId"]
        target_id = self.send("Target.createTarget", params)["targetId"]
        session = self.send("Target.attachToTarget",
                            {"targetId": target_id, "flatten": True})["sessionId"]
        page = Page(self, target_id, session)
        with self._lock:
            self._pages.append(page)
        page._setup()
        return page


class Page:
    def __init__(self, browser, target_id, session_id):
        self.browser = browser
        self.target_id = target_id
        self.session_id = session_id
        self.requests = []
        self.responses = []
        self.console = []
        self.url = "about:blank"
        self._cond = threading.Condition()
        self._status = {}          # requestId -> final HTTP status (documents: = loaderId)
        self._failed = {}          # requestId -> net error text
        self._nav_count = 0        # main-frame document commits
        self._nav_mark = 0
        self._same_doc_count = 0   # main-frame fragment/history API navigations
        self._loader = None        # loaderId of the current main-frame document
        self._loaded = set()       # loaderIds whose load event fired
        self._crashed = False
        self._main_frame = target_id
        self._children = set()
        browser._handlers[session_id] = self._on_event

    # -- internals ---------------------------------------------------------------
    def _send(self, method, params=None, timeout=None):
        return self.browser.send(method, params, self.session_id, timeout)

    def _setup(self):
        b = self.browser
        for method in ("Page.enable", "Runtime.enable", "Network.enable", "Log.enable"):
            self._send(method)
        self._send("Network.setCacheDisabled", {"cacheDisabled": True})
        self._send("Emulation.setDeviceMetricsOverride", {
            "width": b.width, "height": b.height, "deviceScaleFactor": 1, "mobile": False})
        self._send("Target.setAutoAttach", {
            "autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True})
        frame = self._send("Page.getFrameTree")["frameTree"]["frame"]
        with self._cond:
            self._main_frame = frame["id"]
            if self._loader is None:
                self._loader = frame.get("loaderId")

    def _wait(self, pred, timeout, what):
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if pred():
                    return
                if self._crashed:
                    raise CDPError("%s: the page crashed" % what)
                self.browser._check_alive(what)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise CDPTimeout("%s: timed out after %gs (page url %s)"
                                     % (what, timeout, self.url))
                self._cond.wait(min(left, 0.25))

    def _add_response(self, request_id, resp):
        headers = {k.lower(): v for k, v in (resp.get("headers") or {}).items()}
        self.responses.append(Response(resp.get("url"), resp.get("status"), headers))
        self._status[request_id] = resp.get("status")

    def _on_event(self, method, p, sid):
        main = sid == self.session_id
        if method == "Network.requestWillBeSent":
            if p.get("redirectResponse"):
                self._add_response(p["requestId"], p["redirectResponse"])
            self.requests.append(p["request"]["url"])
        elif method == "Network.responseReceived":
            self._add_response(p["requestId"], p["response"])
        elif method == "Network.loadingFailed":
            self._failed[p["requestId"]] = p.get("errorText")
        elif method == "Runtime.consoleAPICalled":
            text = " ".join(_remote_to_text(a) for a in p.get("args", []))
            self.console.append(ConsoleMessage(p.get("type", "log"), text))
        elif method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            desc = (d.get("exception") or {}).get("description")
            self.console.append(ConsoleMessage("exception", desc or d.get("text", "")))
        elif method == "Log.entryAdded":
            e = p.get("entry", {})
            self.console.append(ConsoleMessage(e.get("level", "info"), e.get("text", "")))
        elif method == "Page.javascriptDialogOpening":
            self.console.append(ConsoleMessage("dialog", "%s: %s" % (p.get("type"),
                                                                     p.get("message"))))
            self.browser.send_nowait("Page.handleJavaScriptDialog", {"accept": True}, sid)
        elif method == "Page.frameNavigated" and main:
            frame = p.get("frame", {})
            if not frame.get("parentId"):
                self._nav_count += 1
                self._loader = frame.get("loaderId")
                self.url = frame.get("url", "") + frame.get("urlFragment", "")
        elif method == "Page.navigatedWithinDocument" and main:
            if p.get("frameId") == self._main_frame:
                self.url = p.get("url", self.url)
                self._same_doc_count += 1
        elif method == "Page.loadEventFired" and main:
            self._loaded.add(self._loader)
        elif method == "Target.attachedToTarget":
            child = p["sessionId"]
            self.browser._handlers[child] = self._on_event
            self._children.add(child)
            for m, params in (("Network.enable", None),
                              ("Network.setCacheDisabled", {"cacheDisabled": True}),
                              ("Runtime.enable", None), ("Log.enable", None),
                              ("Page.enable", None),
                              ("Target.setAutoAttach", {"autoAttach": True, "flatten": True,
                                                        "waitForDebuggerOnStart": True}),
                              ("Runtime.runIfWaitingForDebugger", None)):
                self.browser.send_nowait(m, params, child)
        elif method == "Target.detachedFromTarget":
            child = p.get("sessionId")
            self._children.discard(child)
            self.browser._handlers.pop(child, None)
        elif method == "Inspector.targetCrashed" and main:
            self._crashed = True
        else:
            return
        with self._cond:
            self._cond.notify_all()

    def _evaluate(self, expr, timeout=None):
        r = self._send("Runtime.evaluate", {
            "expression": expr, "returnByValue": True, "awaitPromise": True,
            "userGesture": True}, timeout=timeout)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            desc = (d.get("exception") or {}).get("description") or \
                (d.get("exception") or {}).get("value")
            raise JSError("JS error in %s: %s" % (_short(expr), desc or d.get("text")))
        res = r.get("result", {})
        if "unserializableValue" in res:
            try:
                return float(res["unserializableValue"])
            except ValueError:
                return res["unserializableValue"]
        return res.get("value")

    # -- public API --------------------------------------------------------------
    def goto(self, url, timeout=DEFAULT_TIMEOUT):
        """Navigate; wait for the load event; return the main document's HTTP status."""
        self._nav_mark = self._nav_count
        same_doc = self._same_doc_count
        r = self._send("Page.navigate", {"url": url}, timeout=timeout)
        loader = r.get("loaderId")
        if r.get("errorText"):
            # 4xx/5xx with an empty body, 204, downloads: Chromium reports a net error
            # although an HTTP response exists; give that status back.
            try:
                self._wait(lambda: loader in self._status or loader in self._failed,
                           min(timeout, 2.0), "goto(%s)" % url)
            except CDPTimeout:
                pass
            self._nav_mark = self._nav_count
            if loader in self._status:
                return self._status[loader]
            raise NavigationError("goto(%s): %s" % (url, r["errorText"]))
        if loader is None:  # same-document navigation (fragment change): no response
            try:
                self._wait(lambda: self._same_doc_count > same_doc, min(timeout, 2.0),
                           "goto(%s)" % url)
            except CDPTimeout:
                pass
            return None
        self._wait(lambda: loader in self._loaded, timeout, "goto(%s): load event" % url)
        self._nav_mark = self._nav_count
        return self._status.get(loader)

    def wait_for_navigation(self, timeout=DEFAULT_TIMEOUT):
        """Wait for a main-frame document committed after the last action to load."""
        mark = self._nav_mark
        self._wait(lambda: self._nav_count > mark and self._loader in self._loaded,
                   timeout, "wait_for_navigation")
        self._nav_mark = self._nav_count
        return self._status.get(self._loader)

    def eval(self, expr, timeout=DEFAULT_TIMEOUT):
        """Evaluate a JS expression (promises awaited); return its JSON value."""
        self._nav_mark = self._nav_count
        return self._evaluate(expr, timeout)

    def wait_for(self, js_condition, timeout=10.0):
        """Poll until js_condition is truthy; return its value."""
        deadline = time.monotonic() + timeout
        last_err = None
        while True:
            left = deadline - time.monotonic()
            try:
                value = self._evaluate(js_condition, timeout=max(1.0, min(left, 5.0)))
                if value:
                    return value
                last_err = None
            except BrowserClosed:
                raise
            except CDPError as e:  # JS exceptions, context destroyed by a navigation...
                last_err = e
            if time.monotonic() >= deadline:
                raise CDPTimeout("wait_for(%s): still falsy after %gs%s" % (
                    js_condition, timeout, "; last error: %s" % last_err if last_err else ""))
            time.sleep(0.05)

    def _dom_action(self, name, selector, body):
        self._nav_mark = self._nav_count
        js = ("(() => { const sel = %s; const el = document.querySelector(sel);"
              " if (!el) throw new Error('%s: no element matches ' + sel); %s })()"
              % (json.dumps(selector), name, body))
        try:
            return self._evaluate(js)
        except JSError:
            raise
        except CDPError as e:
            # The action may have navigated so fast the context vanished mid-reply.
            if "context" in str(e).lower() and "destroyed" in str(e).lower():
                return None
            raise

    def click(self, selector):
        self._dom_action("click", selector,
                         "el.scrollIntoView({block: 'center'}); el.click(); return true;")

    def type(self, selector, text):
        self._dom_action("type", selector, """
            el.focus();
            const proto = el instanceof HTMLTextAreaElement ? HTMLTextAreaElement.prototype
                : el instanceof HTMLSelectElement ? HTMLSelectElement.prototype
                : HTMLInputElement.prototype;
            Object.getOwnPropertyDescriptor(proto, 'value').set.call(el, %s);
            el.dispatchEvent(new Event('input', {bubbles: true}));
            el.dispatchEvent(new Event('change', {bubbles: true}));
            return true;""" % json.dumps(text))

    def submit(self, selector):
        self._dom_action("submit", selector, """
            if (el instanceof HTMLFormElement) { el.requestSubmit(); return true; }
            if ((el instanceof HTMLButtonElement || el instanceof HTMLInputElement)
                && (el.type === 'submit' || el.type === 'image') && el.form) {
              el.click(); return true; }
            const form = el.form || el.closest('form');
            if (!form) throw new Error('submit: no form for ' + sel);
            form.requestSubmit(); return true;""")

    def screenshot(self, path, full_page=False):
        params = {"format": "png"}
        if full_page:
            m = self._send("Page.getLayoutMetrics")
            size = m.get("cssContentSize") or m["contentSize"]
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "width": max(1, size["width"]),
                              "height": max(1, size["height"]), "scale": 1}
        data = base64.b64decode(self._send("Page.captureScreenshot", params)["data"])
        with open(path, "wb") as f:
            f.write(data)
        return path

    def cookies(self, urls=None):
        params = {"urls": list(urls)} if urls else {}
        return self._send("Network.getCookies", params)["cookies"]

    def close(self):
        try:
            self.browser.send("Target.closeTarget", {"targetId": self.target_id}, timeout=5)
        except CDPError:
            pass
        for sid in [self.session_id, *self._children]:
            self.browser._handlers.pop(sid, None)


def _remote_to_text(obj):
    if "value" in obj:
        v = obj["value"]
        return v if isinstance(v, str) else json.dumps(v)
    if "unserializableValue" in obj:
        return obj["unserializableValue"]
    return obj.get("description") or obj.get("type", "")


def _short(s, n=120):
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n] + "..."
