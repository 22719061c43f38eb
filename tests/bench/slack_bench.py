#!/usr/bin/env python3
"""Helpers of run_slack_bench.sh.

fake PORT: a minimal Slack Web API (every method answers ok, with a ts where one is expected).
drive PORT SECRET SECONDS SLEEP: occupies every worker with `explain select pg_sleep(SLEEP)`,
then sends signed message events at 100/s and GET /healthz at the same rate, and prints the
latency percentiles of both.
"""
import hashlib
import hmac
import http.client
import http.server
import json
import sys
import threading
import time


def fake(port):
    counter = [0]
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            self.rfile.read(length)
            with lock:
                counter[0] += 1
                ts = "1700000000.%06d" % counter[0]
            body = json.dumps({"ok": True, "ts": ts, "user_id": "U0BOT",
                               "upload_url": "http://127.0.0.1:%d/upload" % port,
                               "file_id": "F%d" % counter[0]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


def signed_post(conn, secret, body):
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    conn.request("POST", "/slack/events", body=body, headers={
        "Content-Type": "application/json", "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": sig})
    res = conn.getresponse()
    res.read()
    return res.status


def event(n, text, user):
    return json.dumps({
        "type": "event_callback", "event_id": "EvBench%08d" % n, "event_time": int(time.time()),
        "team_id": "T0", "api_app_id": "A0",
        "authorizations": [{"user_id": "U0BOT", "is_bot": True}],
        "event": {"type": "message", "channel": "C0BENCH", "user": user, "text": text,
                  "ts": "1700000000.%06d" % n}})


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p / 100))] * 1000


def drive(port, secret, seconds, sleep):
    conn = http.client.HTTPConnection("127.0.0.1", port)
    for i in range(8):  # more sleepers than workers: every worker and clone stays busy
        assert signed_post(conn, secret, event(i, f"explain select pg_sleep({sleep})",
                                               f"U0SLEEP{i}")) == 200
    time.sleep(3)
    acks, health, failures = [], [], 0
    n = 100
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        due = start + (n - 100) / 100.0
        now = time.monotonic()
        if due > now:
            time.sleep(due - now)
        t = time.perf_counter()
        status = signed_post(conn, secret, event(n, "plan select * from accounts where id = 7",
                                                 "U0USER%02d" % (n % 40)))
        acks.append(time.perf_counter() - t)
        failures += status != 200
        t = time.perf_counter()
        conn.request("GET", "/healthz")
        conn.getresponse().read()
        health.append(time.perf_counter() - t)
        n += 1
    rate = len(acks) / (time.monotonic() - start)
    print(f"slack events: {len(acks)} at {rate:.0f}/s while every worker runs pg_sleep({sleep}), "
          f"non-200: {failures}")
    print(f"ack latency:     p50 {pct(acks, 50):.2f} ms, p99 {pct(acks, 99):.2f} ms, "
          f"max {max(acks) * 1000:.2f} ms")
    print(f"healthz latency: p50 {pct(health, 50):.2f} ms, p99 {pct(health, 99):.2f} ms")
    print(f"ratio p99 ack / p99 healthz: {pct(acks, 99) / pct(health, 99):.1f}")


if __name__ == "__main__":
    if sys.argv[1] == "fake":
        fake(int(sys.argv[2]))
    else:
        drive(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
