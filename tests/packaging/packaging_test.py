#!/usr/bin/env python3
"""The install and the systemd unit (issue 16): what an operator gets from `cmake --install`.

1. `cmake --install BUILD --prefix TMP` installs bin/planbot, lib/systemd/system/planbot.service
   (ExecStart naming TMP/bin/planbot) and, in share/doc/planbot, planbot.yaml,
   planbot.env.example, planbot.example.yaml and README.md.
2. `systemd-analyze verify` accepts the installed unit without a single warning, and
   `systemd-analyze security --offline=yes` rates its exposure at most --max-exposure.
3. The installed planbot accepts the installed planbot.yaml (`serve --check-config`, with every
   variable of planbot.env.example set).
4. The sandbox, without systemd (this container's PID 1 is not systemd, so the unit cannot be
   started): the installed `planbot serve` runs under strace on the PostgreSQL of the libpq
   environment, answers `plan`, `explain` and `\\d` (psql as a child) through `planbot ask`, and
   stops on SIGTERM. Every system call of planbot and psql is checked against the unit's own
   SystemCallFilter= lines (groups expanded by `systemd-analyze syscall-filter`), every socket
   against RestrictAddressFamilies=, every mapping against MemoryDenyWriteExecute= (no
   PROT_WRITE|PROT_EXEC mmap, no PROT_EXEC mprotect, as systemd's filter), every file opened
   for writing against ProtectSystem=strict (only the state and log directories, /tmp and
   /dev), every device against PrivateDevices=, and every /proc path against ProcSubset=pid
   should the unit set it. planbot runs as an unprivileged user there, as under DynamicUser=.

Exit status 0 when everything holds; each failure is printed.
Usage: tests/packaging/packaging_test.py --build build [--max-exposure 1.5]
"""
import argparse
import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

FAILURES = []
SERVICE_USER = "nobody"


def fail(what):
    FAILURES.append(what)
    print("FAIL: " + what, flush=True)


def check(condition, what):
    if not condition:
        fail(what)
    return condition


def run(args, env=None, timeout=300):
    return subprocess.run(args, capture_output=True, text=True, env=env, timeout=timeout)


def install(build, prefix):
    r = run(["cmake", "--install", build, "--prefix", prefix])
    if not check(r.returncode == 0, "cmake --install failed:\n" + r.stdout + r.stderr):
        return None
    expected = ["bin/planbot", "lib/systemd/system/planbot.service",
                "share/doc/planbot/planbot.yaml", "share/doc/planbot/planbot.env.example",
                "share/doc/planbot/planbot.example.yaml", "share/doc/planbot/README.md"]
    for rel in expected:
        check(os.path.isfile(os.path.join(prefix, rel)), "not installed: " + rel)
    check(os.access(os.path.join(prefix, "bin/planbot"), os.X_OK), "bin/planbot not executable")
    unit = os.path.join(prefix, "lib/systemd/system/planbot.service")
    with open(unit) as f:
        text = f.read()
    exec_start = re.search(r"^ExecStart=(.*)$", text, re.M)
    check(exec_start is not None and exec_start.group(1) ==
          prefix + "/bin/planbot serve --config /etc/planbot/planbot.yaml",
          "ExecStart does not run the installed binary: " + str(exec_start and exec_start.group(1)))
    return unit


def verify(unit, max_exposure):
    r = run(["systemd-analyze", "verify", unit])
    check(r.returncode == 0 and not r.stderr.strip() and not r.stdout.strip(),
          "systemd-analyze verify: exit %d\n%s%s" % (r.returncode, r.stdout, r.stderr))
    # --threshold counts in tenths: exposure 2.0 is 20.
    r = run(["systemd-analyze", "security", "--offline=yes", "--no-pager",
             "--threshold=%d" % round(max_exposure * 10), unit])
    score = re.search(r"Overall exposure level for planbot.service: ([0-9.]+)", r.stdout)
    print("systemd-analyze security: exposure " + (score.group(1) if score else "?"))
    check(score is not None and float(score.group(1)) <= max_exposure and r.returncode == 0,
          "systemd-analyze security: exposure above %s (exit %d):\n%s%s"
          % (max_exposure, r.returncode, r.stdout, r.stderr))


def env_template_vars(path):
    with open(path) as f:
        return [m.group(1) for m in re.finditer(r"^([A-Za-z_][A-Za-z0-9_]*)=", f.read(), re.M)]


def check_config(prefix):
    doc = os.path.join(prefix, "share/doc/planbot")
    env = dict(os.environ)
    for name in env_template_vars(os.path.join(doc, "planbot.env.example")):
        if not name.startswith("PG"):
            env[name] = name.lower() + "-0123456789abcdef"
    r = run([os.path.join(prefix, "bin/planbot"), "serve", "--check-config", "--config",
             os.path.join(doc, "planbot.yaml")], env=env)
    check(r.returncode == 0 and "\nstore: /var/lib/planbot/planbot.db\n" in r.stdout,
          "installed planbot.yaml does not check: exit %d\n%s%s"
          % (r.returncode, r.stdout, r.stderr))


# --- the unit's sandbox rules, read from the unit itself ---------------------------------------

def unit_settings(unit):
    settings = {}
    with open(unit) as f:
        for line in f:
            m = re.match(r"^([A-Za-z]+)=(.*)$", line.strip())
            if m:
                settings.setdefault(m.group(1), []).append(m.group(2))
    return settings


def expand_group(name, seen=None):
    seen = set() if seen is None else seen
    if name in seen:
        return set()
    seen.add(name)
    r = run(["systemd-analyze", "syscall-filter", "--no-pager", name])
    if r.returncode != 0:
        fail("systemd-analyze syscall-filter %s: %s" % (name, r.stderr))
        return set()
    calls = set()
    for line in r.stdout.splitlines()[1:]:
        item = line.strip()
        if not item or item.startswith("#"):
            continue
        calls |= expand_group(item, seen) if item.startswith("@") else {item}
    return calls


def allowed_syscalls(settings):
    allowed = None
    for value in settings.get("SystemCallFilter", []):
        deny = value.startswith("~")
        names = set()
        for item in value.lstrip("~").split():
            names |= expand_group(item) if item.startswith("@") else {item}
        if deny:
            allowed = (allowed or set()) - names
        else:
            allowed = names if allowed is None else allowed | names
    # Always allowed by systemd under any filter.
    return (allowed or set()) | {"execve", "exit", "exit_group", "getrlimit", "rt_sigreturn",
                                 "sigreturn"}


# --- the traced run ------------------------------------------------------------------------

def psql(db, sql):
    return subprocess.run(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c",
                           sql], check=True, capture_output=True, text=True).stdout


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_healthy(port, proc):
    for _ in range(300):
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen("http://127.0.0.1:%d/healthz" % port, timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


def traced_run(prefix, work):
    """Runs the installed planbot under strace; returns the trace file and the state dirs."""
    planbot = os.path.join(prefix, "bin/planbot")
    source = "planbot_pkg_%d" % os.getpid()
    prefix_name = "pkg%d" % os.getpid()
    state = os.path.join(work, "state")
    logs = os.path.join(work, "log")
    os.makedirs(state)
    os.makedirs(logs)
    # The service's user is not root (DynamicUser=yes): neither is the traced planbot. As root,
    # SQLite would chown its journal files, which the unit's filter forbids.
    os.chmod(work, 0o755)
    for d in (state, logs):
        os.chown(d, pwd.getpwnam(SERVICE_USER).pw_uid, -1)
    port = free_port()
    token = "packaging-test-token-0123456789"
    config = os.path.join(work, "planbot.yaml")
    with open(config, "w") as f:
        f.write("listen: 127.0.0.1:%d\nstore: %s/planbot.db\n"
                "api: {tokens: [{name: ops, token: %s, role: admin}]}\n"
                "databases:\n  - name: main\n"
                "    local: {source: %s, warm_clones: 0, clone_prefix: %s}\n"
                "logging: {format: json, level: info}\n"
                "audit: {export: %s/audit.jsonl}\n" % (port, state, token, source, prefix_name,
                                                       logs))
    psql("postgres", "CREATE DATABASE " + source)
    trace = os.path.join(work, "trace.txt")
    log = open(os.path.join(work, "serve.log"), "w")
    # The unit's environment: no HOME of a user, PATH as systemd sets it.
    env = {k: v for k, v in os.environ.items() if k.startswith("PG")}
    env.update({"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin", "LANG": "C.UTF-8"})
    try:
        psql(source, "CREATE TABLE orders (id int primary key, total numeric); "
                     "INSERT INTO orders SELECT g, g FROM generate_series(1, 1000) g; ANALYZE")
        strace = subprocess.Popen(["strace", "-f", "-qq", "-s", "256", "-o", trace, "-u",
                                   SERVICE_USER, planbot,
                                   "serve", "--config", config], cwd=state, env=env, stdout=log,
                                  stderr=log)
        try:
            if not check(wait_healthy(port, strace), "planbot serve under strace never healthy"):
                return None
            ask = [planbot, "ask", "--url", "http://127.0.0.1:%d" % port, "--token", token]
            for command, expected in [("plan select * from orders where id = 1", "Index Scan"),
                                      ("explain select count(*) from orders", "Aggregate"),
                                      ("\\d orders", "Table \"public.orders\""),
                                      ("\\dt+", "orders")]:
                r = run(ask + [command], env=env, timeout=120)
                check(r.returncode == 0 and expected in r.stdout,
                      "ask %r: exit %d\n%s%s" % (command, r.returncode, r.stdout, r.stderr))
            children = run(["ps", "-o", "pid=", "--ppid", str(strace.pid)]).stdout.split()
            check(len(children) == 1, "no planbot process under strace: %r" % children)
            for pid in children:
                os.kill(int(pid), signal.SIGTERM)
            code = strace.wait(timeout=120)
            check(code == 0, "planbot serve exited %d after SIGTERM" % code)
        finally:
            if strace.poll() is None:
                strace.kill()
                strace.wait()
    finally:
        log.close()
        subprocess.run(["psql", "-X", "-q", "-d", "postgres", "-c",
                        "DROP DATABASE IF EXISTS " + source], capture_output=True)
    return trace, [state, logs]


SYSCALL = re.compile(r"^\d+\s+(?:<\.\.\. )?([a-z0-9_]+)(\(| resumed>)(.*)$")
STATIC_DEVICES = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom",
                  "/dev/tty", "/dev/ptmx", "/dev/log"}
STATIC_DEVICE_DIRS = ("/dev/pts/", "/dev/shm/", "/dev/mqueue/", "/dev/hugepages/", "/dev/fd/")


def check_trace(trace, settings, writable):
    allowed = allowed_syscalls(settings)
    families = set()
    for value in settings.get("RestrictAddressFamilies", []):
        families |= set(value.split())
    def setting(name):
        return settings.get(name, [""])[-1]
    mdwe = setting("MemoryDenyWriteExecute") == "yes"
    strict = setting("ProtectSystem") == "strict"
    proc_subset = setting("ProcSubset") == "pid"
    private_devices = setting("PrivateDevices") == "yes"
    used = set()
    problems = []
    with open(trace) as f:
        for line in f:
            m = SYSCALL.match(line)
            if not m or m.group(2) == " resumed>":
                continue
            name, args = m.group(1), m.group(3)
            used.add(name)
            prot = args.split(",")[2] if args.count(",") >= 2 else ""
            if mdwe and name in ("mmap", "mmap2") and "PROT_WRITE" in prot and "PROT_EXEC" in prot:
                problems.append("MemoryDenyWriteExecute: " + line.strip())
            if mdwe and name in ("mprotect", "pkey_mprotect") and "PROT_EXEC" in args:
                problems.append("MemoryDenyWriteExecute: " + line.strip())
            if name in ("socket", "socketpair"):
                family = args.split(",")[0]
                if families and family not in families:
                    problems.append("RestrictAddressFamilies: " + line.strip())
            if name in ("openat", "open", "creat"):
                opened = re.search(r'"([^"]*)",\s*([A-Z_|]+)', args)
                path, flags = (opened.group(1), opened.group(2)) if opened else ("", "")
                writing = name == "creat" or re.search(r"O_WRONLY|O_RDWR|O_CREAT", flags)
                if strict and writing and not (path.startswith("/tmp/") or path.startswith("/dev/") or
                                    any(path.startswith(d + "/") for d in writable)):
                    problems.append("ProtectSystem=strict (write outside the state and log "
                                    "directories): " + line.strip())
                if proc_subset and path.startswith("/proc/") and not re.match(
                        r"^/proc/(self|thread-self|\d+)(/|$)", path):
                    problems.append("ProcSubset=pid: " + line.strip())
                if private_devices and path.startswith("/dev/") and not (
                        path in STATIC_DEVICES or
                                                     path.startswith(STATIC_DEVICE_DIRS)):
                    problems.append("PrivateDevices: " + line.strip())
    check("execve" in used and "openat" in used, "the trace is empty")
    for name in sorted(used - allowed):
        problems.append("SystemCallFilter: %s is used but not allowed" % name)
    for p in problems:
        fail(p)
    print("traced %d distinct system calls of planbot and psql" % len(used))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--max-exposure", type=float, default=1.5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="planbot-packaging-") as work:
        prefix = os.path.join(work, "prefix")
        unit = install(os.path.abspath(args.build), prefix)
        if unit:
            verify(unit, args.max_exposure)
            check_config(prefix)
            traced = traced_run(prefix, work)
            if traced:
                check_trace(traced[0], unit_settings(unit), traced[1])
            if FAILURES:
                print("serve log:\n" + open(os.path.join(work, "serve.log")).read()[-4000:]
                      if os.path.exists(os.path.join(work, "serve.log")) else "")
    print("packaging: %d passed, %d failed" % (1 if not FAILURES else 0, 1 if FAILURES else 0))
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
