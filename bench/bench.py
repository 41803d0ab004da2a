#!/usr/bin/env python3
"""The end-to-end benchmark of Hookgate. Run it through bench/run (which installs the peers and
builds the binaries); this file only measures.

Everything runs on loopback in one go, so that each figure sits next to the baseline it is
compared with, measured minutes apart on the same (noisy) machine:

  1  baselines: wrk -> nginx `return 204`; SQLite single-row commits/s (WAL, synchronous=FULL)
  2  durable ingest (fan-out 1) with wrk; latency at half that rate with hgload (open loop)
  3  delivery: time to drain a held backlog (fan-out 1 and 4) to nginx
  4  ingest-to-arrival latency, no backlog (hgload's receiver, correlated by webhook-id)
  5  email: time to drain a held backlog to postfix's smtp-sink
  6  memory: peak RSS (VmHWM) with a large pending backlog; stats answer time, small vs large log
  7  1, 2 and 3 nodes on one PostgreSQL 15 started by the bench: ingest and drain, CPU and commits (bench/nodes.py)
  8  hostile peers: normal API requests beside one client's idle and trickling connections (8a);
     a healthy endpoint beside ten accounts whose endpoints never answer, on the default delivery settings (8b)

The table goes to stdout and bench/results/latest.md, the raw figures to
bench/results/latest.json. Exit status: 0 when every part ran, 1 when one broke (a peer did not
start, requests failed, a backlog did not drain). A missed target is not a failure.
"""

import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("BENCH_BUILD_DIR", os.path.join(ROOT, "build"))
HOOKGATE = os.environ.get("BENCH_HOOKGATE", os.path.join(BUILD, "hookgate"))
HGLOAD = os.environ.get("BENCH_HGLOAD", os.path.join(BUILD, "bench", "hgload"))
WRK = os.environ.get("BENCH_WRK", shutil.which("wrk") or "/usr/bin/wrk")
NGINX = os.environ.get("BENCH_NGINX", shutil.which("nginx") or "/usr/sbin/nginx")
SMTP_SINK = os.environ.get("BENCH_SMTP_SINK", shutil.which("smtp-sink") or "/usr/sbin/smtp-sink")
SMTP_SOURCE = os.environ.get("BENCH_SMTP_SOURCE", shutil.which("smtp-source") or "/usr/sbin/smtp-source")
RESULTS = os.environ.get("BENCH_RESULTS_DIR", os.path.join(ROOT, "bench", "results"))
WRK_LUA = os.path.join(ROOT, "bench", "wrk-post.lua")
ADMIN_TOKEN = "bench-admin-token-0123456789"


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


def env_float(name, default):
    value = os.environ.get(name, "")
    return float(value) if value.strip() else default


QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")
DURATION = env_float("BENCH_DURATION", 5 if QUICK else 10)              # each wrk run, seconds
LATENCY_DURATION = env_float("BENCH_LATENCY_DURATION", 8 if QUICK else 15)
SQLITE_SECONDS = env_float("BENCH_SQLITE_SECONDS", 3 if QUICK else 5)
WRK_THREADS = env_int("BENCH_WRK_THREADS", 2)
WRK_CONNECTIONS = env_int("BENCH_WRK_CONNECTIONS", 16)
BACKLOG = env_int("BENCH_BACKLOG", 5000 if QUICK else 50000)             # deliveries, part 3
EMAIL_BACKLOG = env_int("BENCH_EMAIL_BACKLOG", BACKLOG)                 # messages, part 5
MEMORY_PENDING = env_int("BENCH_MEMORY_PENDING", 10000 if QUICK else 100000)
STATS_SMALL = env_int("BENCH_STATS_SMALL", 10000)
STATS_LARGE = env_int("BENCH_STATS_LARGE", 100000 if QUICK else 1000000)
STATS_REQUESTS = env_int("BENCH_STATS_REQUESTS", 200)
E2E_RATE = env_float("BENCH_E2E_RATE", 100)
E2E_COUNT = env_int("BENCH_E2E_COUNT", 500 if QUICK else 1000)
# 0: the gateway's defaults (hookgate.delivery.workers 64, maxInFlight 8 per endpoint).
WORKERS = env_int("BENCH_WORKERS", 0)
HOSTILE_IDLE = env_int("BENCH_HOSTILE_IDLE", 1000)                       # part 8a: idle connections of one client
HOSTILE_TRICKLE = env_int("BENCH_HOSTILE_TRICKLE", 300)                  # part 8a: connections trickling a byte a second
HOSTILE_DURATION = env_float("BENCH_HOSTILE_DURATION", 20 if QUICK else 60)
NOISY_ACCOUNTS = env_int("BENCH_NOISY_ACCOUNTS", 10)                     # part 8b: accounts whose endpoint never answers
NOISY_PENDING = env_int("BENCH_NOISY_PENDING", 1000)                     # part 8b: deliveries pending for each of them
NOISY_RATE = env_float("BENCH_NOISY_RATE", 50)                           # part 8b: events/s to the healthy endpoint
NOISY_SECONDS = env_float("BENCH_NOISY_SECONDS", 20 if QUICK else 60)    # part 8b: how long that load runs
NOISY_DRAIN = env_float("BENCH_NOISY_DRAIN", 30)                         # part 8b: wait for late arrivals after it
FILL_CONNECTIONS = env_int("BENCH_FILL_CONNECTIONS", 16)
DRAIN_STALL = env_float("BENCH_DRAIN_STALL", 60)                          # seconds without progress = broken
ONLY = [p.strip() for p in os.environ.get("BENCH_ONLY", "").split(",") if p.strip()]
KEEP = os.environ.get("BENCH_KEEP", "") not in ("", "0")


def log(message):
    print("bench: " + message, file=sys.stderr, flush=True)


class Broken(Exception):
    """Something did not work (as opposed to: was slow)."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, timeout, process=None, what="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise Broken(f"{what} exited with status {process.returncode} before listening on port {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise Broken(f"{what} did not listen on 127.0.0.1:{port} within {timeout:.0f} s")


def stop_process(process, timeout=30):
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def event_body(size=1000):
    """A booking event of about `size` bytes, like the booking platform sends."""
    data = {
        "appointment": {"uuid": "3f1c9a52-7d2e-4c1b-9a77-0c4f1e2b8d10", "number": "B-2026-004711", "status": "confirmed",
                        "start": "2026-12-03T09:30:00+01:00", "end": "2026-12-03T10:15:00+01:00", "timezone": "Europe/Zurich",
                        "service": {"id": 17, "name": "Erstberatung Steuern", "duration": 45},
                        "employee": {"id": 3, "name": "Dr. Anna Keller", "email": "anna.keller@kanzlei-keller.example"},
                        "price": {"amount": 180.0, "currency": "CHF", "paid": False}},
        "customer": {"name": "Erika Muster", "email": "erika@example.com", "phone": "+41 44 123 45 67"},
        "notes": "",
    }
    body = {"type": "appointment.booking.created", "data": data}
    text = json.dumps(body, separators=(",", ":"))
    data["notes"] = "x" * max(0, size - len(text))
    return json.dumps(body, separators=(",", ":"))


def percentile(sorted_values, q):
    if not sorted_values:
        return None
    i = max(0, min(len(sorted_values) - 1, int(-(-q * len(sorted_values) // 1)) - 1))
    return sorted_values[i]


def pause(process):
    """Stops a receiver (SIGSTOP to its process group): the kernel still accepts connections and
    buffers requests, but nothing answers. This is how the benchmark holds a backlog: a
    receiver that stalls makes the gateway's workers wait (the bench sets a long delivery
    timeout), so every event ingested meanwhile stays pending, none fails and none is retried.
    resume() lets the receiver answer, and the whole backlog drains."""
    os.killpg(process.pid, signal.SIGSTOP)
    # A process stops when it next leaves the kernel; wait until every member of the group has.
    deadline = time.monotonic() + 10
    while True:
        states = group_states(process.pid)
        if states and all(state in "Tt" for state in states):
            return
        if time.monotonic() > deadline:
            raise Broken(f"the receiver (process group {process.pid}) did not stop within 10 s: states {states}")
        time.sleep(0.01)


def process_stats():
    """(pid, fields) of every process: /proc/<pid>/stat after the command name, so fields[0] is
    the state, [1] the parent, [2] the process group, [11:15] utime stime cutime cstime."""
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                yield int(entry), f.read().rpartition(")")[2].split()
        except OSError:
            continue


def group_states(pgid):
    """The states (R, S, D, T, ...) of the processes in a process group."""
    return [fields[0] for _, fields in process_stats() if int(fields[2]) == pgid]


def check_backlog(what, pending, expected):
    """A paused receiver holds the whole backlog; should a few deliveries have gone through anyway
    (a receiver that took a moment to stop), the figure is computed on what was really pending,
    but a backlog that did not build up is a failure."""
    if pending < 0.9 * expected or pending > expected:
        raise Broken(f"{what}: {pending} deliveries pending after ingesting {expected} with the receiver paused")
    if pending != expected:
        log(f"{what}: {expected - pending} of {expected} deliveries went through while the receiver was paused; "
            f"measuring on the {pending} pending")


def resume(process):
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGCONT)


# ---- peers ----------------------------------------------------------------------------------------------

class Nginx:
    """nginx answering 204 to everything, with its own configuration in the work folder."""

    def __init__(self, work):
        self.dir = os.path.join(work, "nginx")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.process = None

    def start(self):
        # No `reuseport`: with it, any other root process binding this port with SO_REUSEPORT (Poco's
        # ServerSocket::bind(address, true) sets it) would silently share it and answer while nginx
        # is paused.
        d = self.dir
        user = "user root;\n" if os.geteuid() == 0 else ""
        config = f"""# written by bench/bench.py
{user}worker_processes auto;
daemon off;
master_process on;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {d}/client_body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    keepalive_requests 1000000;
    keepalive_timeout 75s;
    server {{
        listen 127.0.0.1:{self.port};
        location / {{ return 204; }}
    }}
}}
"""
        path = os.path.join(d, "nginx.conf")
        with open(path, "w") as f:
            f.write(config)
        # Its own session, so that pause() can stop the master and its workers together.
        self.process = subprocess.Popen([NGINX, "-c", path, "-p", d + "/", "-e", d + "/error.log"],
                                        stdout=subprocess.DEVNULL, stderr=open(os.path.join(d, "stderr.log"), "w"),
                                        start_new_session=True)
        wait_for_port(self.port, 15, self.process, "nginx")

    def pause(self):
        pause(self.process)

    def resume(self):
        resume(self.process)

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            resume(self.process)
            self.process.send_signal(signal.SIGQUIT)  # graceful: master and workers exit
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


class SMTPSink:
    """postfix's smtp-sink on a free port (a test SMTP server that accepts and drops mail)."""

    def __init__(self, work):
        self.dir = os.path.join(work, "smtp-sink")
        os.makedirs(self.dir, exist_ok=True)
        self.port = free_port()
        self.process = None

    def start(self):
        command = [SMTP_SINK]
        if os.geteuid() == 0:
            command += ["-u", "nobody"]  # required when started as root
        command += [f"127.0.0.1:{self.port}", "1024"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL,
                                        stderr=open(os.path.join(self.dir, "stderr.log"), "w"), start_new_session=True)
        wait_for_port(self.port, 15, self.process, "smtp-sink")

    def pause(self):
        pause(self.process)

    def resume(self):
        resume(self.process)

    def stop(self):
        resume(self.process)
        stop_process(self.process, 10)


class Hookgate:
    """One hookgate process on a fresh database in its own folder, configured for the bench."""

    def __init__(self, work, name, smtp_port=None, extra=None):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.name = name
        self.process = None
        self.port = None
        self.props = os.path.join(self.dir, "hookgate.properties")
        lines = {
            "hookgate.http.address": "127.0.0.1",
            "hookgate.http.port": "0",
            "hookgate.http.portFile": "hookgate.port",
            "hookgate.api.adminToken": ADMIN_TOKEN,
            "hookgate.store.type": "sqlite",
            "hookgate.store.sqlite.path": "hookgate.db",
            "hookgate.store.sqlite.synchronous": "full",
            "hookgate.templates.dir": os.path.join(ROOT, "templates"),
            "hookgate.delivery.workers": str(WORKERS) if WORKERS else None,
            "hookgate.delivery.jitter": "0",
            # Long enough for a receiver paused while a backlog is ingested (see pause()).
            "hookgate.delivery.timeout": "10m",
            "hookgate.delivery.leaseTime": "15m",
            "hookgate.security.allowPrivateDestinations": "true",
            "hookgate.smtp.mode": "smtp" if smtp_port else "pickup",
            "hookgate.smtp.pickupDir": "outbox",
            "hookgate.smtp.host": "127.0.0.1",
            "hookgate.smtp.port": str(smtp_port or 25),
            "hookgate.smtp.tls": "none",
            "hookgate.smtp.from": "hookgate@bench.example",
            "hookgate.plans.enterprise.endpoints": "10",
            "hookgate.logging.level": "warning",
            "hookgate.logging.file": "hookgate.log",
        }
        lines.update(extra or {})
        lines = {k: v for k, v in lines.items() if v is not None}  # None in `extra`: the gateway's default
        with open(self.props, "w") as f:
            f.write("# written by bench/bench.py\n")
            for k, v in lines.items():
                f.write(f"{k} = {v}\n")

    @property
    def db(self):
        return os.path.join(self.dir, "hookgate.db")

    def start(self, timeout=120):
        port_file = os.path.join(self.dir, "hookgate.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        self.stderr = open(os.path.join(self.dir, "stderr.log"), "a")
        self.process = subprocess.Popen([HOOKGATE, "--config=" + self.props], stdout=self.stderr, stderr=self.stderr,
                                        cwd=self.dir)
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise Broken(f"hookgate ({self.name}) exited with status {self.process.returncode} at start; "
                             f"see {self.dir}/stderr.log: {self.tail()}")
            try:
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    break
            except (OSError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise Broken(f"hookgate ({self.name}) wrote no port file within {timeout} s")
            time.sleep(0.05)
        while True:
            try:
                status, _ = self.request("GET", "/health", token=None)
                if status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise Broken(f"hookgate ({self.name}) did not report healthy within {timeout} s")
            time.sleep(0.05)

    def tail(self):
        try:
            with open(os.path.join(self.dir, "stderr.log")) as f:
                return " | ".join(f.read().strip().splitlines()[-5:])
        except OSError:
            return ""

    def stop(self):
        stop_process(self.process, 60)
        if self.process is not None and self.process.returncode not in (0, None, -signal.SIGTERM):
            log(f"hookgate ({self.name}) exited with status {self.process.returncode}")

    def alive(self):
        return self.process is not None and self.process.poll() is None

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def request(self, method, path, body=None, token=ADMIN_TOKEN, connection=None):
        own = connection is None
        conn = connection or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            headers = {}
            if token:
                headers["Authorization"] = "Bearer " + token
            data = None
            if body is not None:
                data = json.dumps(body).encode()
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            try:
                parsed = json.loads(payload) if payload else None
            except ValueError:
                parsed = payload.decode(errors="replace")
            return response.status, parsed
        finally:
            if own:
                conn.close()

    def api(self, method, path, body=None, expect=(200, 201, 202, 204)):
        status, answer = self.request(method, path, body)
        if status not in expect:
            raise Broken(f"{method} {path} answered {status}: {answer}")
        return answer

    def metrics(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request("GET", "/metrics")
            text = conn.getresponse().read().decode()
        finally:
            conn.close()
        values = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                try:
                    values[name] = float(value)
                except ValueError:
                    pass
        return values

    def pending(self):
        return int(self.metrics().get("hookgate_pending_deliveries", -1))

    def cpu_seconds(self):
        """User + system CPU time the hookgate process has used so far."""
        with open(f"/proc/{self.process.pid}/stat") as f:
            fields = f.read().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def proc_status(self, key):
        with open(f"/proc/{self.process.pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) * 1024  # kB -> bytes
        return None

    def setup_account(self, account, targets, enabled=True):
        """An enterprise account with webhooks on and one endpoint per target ({"url": ...} or
        {"email": ...}), subscribed to everything. Returns the endpoint ids."""
        self.api("POST", "/api/v1/accounts", {"id": account, "name": "Bench " + account, "plan": "enterprise",
                                              "webhooksEnabled": True})
        ids = []
        for i, target in enumerate(targets):
            body = dict(target)
            body.update({"eventTypes": ["*"], "hierarchy": "nested", "description": f"bench {i}", "enabled": enabled})
            ids.append(self.api("POST", f"/api/v1/accounts/{account}/endpoints", body)["id"])
        return ids

    def set_enabled(self, account, endpoint_ids, enabled):
        for e in endpoint_ids:
            self.api("PATCH", f"/api/v1/accounts/{account}/endpoints/{e}", {"enabled": enabled})

    def wait_drained(self, what, stall=DRAIN_STALL, poll=0.05):
        """Polls /metrics until no delivery is pending. Returns the time it took (s). Broken when
        the count stops falling for `stall` seconds."""
        start = time.monotonic()
        last_value, last_change = None, start
        while True:
            value = self.pending()
            now = time.monotonic()
            if value == 0:
                return now - start
            if value != last_value:
                last_value, last_change = value, now
            elif now - last_change > stall:
                raise Broken(f"{what}: {value} deliveries still pending, none finished in the last {stall:.0f} s")
            if not self.alive():
                raise Broken(f"{what}: hookgate exited with status {self.process.returncode}: {self.tail()}")
            time.sleep(poll)

    def endpoint_stats(self, account, endpoint):
        return self.api("GET", f"/api/v1/accounts/{account}/endpoints/{endpoint}/stats")


# ---- tools ------------------------------------------------------------------------------------------

def run_wrk(url, body_file, token=None, duration=DURATION, threads=WRK_THREADS, connections=WRK_CONNECTIONS, method="POST"):
    env = dict(os.environ, WRK_BODY_FILE=body_file, WRK_TOKEN=token or "", WRK_METHOD=method)
    command = [WRK, f"-t{threads}", f"-c{connections}", f"-d{max(1, round(duration))}s", "--timeout", "10s", "-s", WRK_LUA, url]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=duration + 120)
    if done.returncode != 0:
        raise Broken(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")
    for line in done.stdout.splitlines():
        if line.startswith("WRKJSON "):
            result = json.loads(line[len("WRKJSON "):])
            result["seconds"] = result["duration_us"] / 1e6
            errors = result["connect_errors"] + result["read_errors"] + result["write_errors"] + result["timeouts"]
            result["ok"] = result["requests"] - result["status_errors"]
            result["rate"] = result["ok"] / result["seconds"]
            result["socket_errors"] = errors
            result["command"] = " ".join(command[:-3] + ["wrk-post.lua", url])
            return result
    raise Broken("wrk printed no summary: " + done.stdout[-500:])


def run_hgload(mode, url, body_file, timeout=1800, **options):
    command = [HGLOAD, mode, "--url", url, "--token", ADMIN_TOKEN, "--body", body_file]
    for key, value in options.items():
        command += ["--" + key.replace("_", "-"), str(value)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise Broken(f"hgload {mode} failed ({done.returncode}): {done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def check_wrk(result, what):
    """Broken unless every request of a wrk run got a 2xx answer."""
    if result["status_errors"] or result["socket_errors"]:
        raise Broken(f"{what}: {result['status_errors']} non-2xx answers, {result['socket_errors']} socket errors")


def check_load(result, what, allow_errors=0):
    bad = result.get("http_errors", 0) + result.get("transport_errors", 0)
    if bad > allow_errors:
        raise Broken(f"{what}: {bad} requests failed, first: {result.get('first_error')}")


def fill_backlog(hg, account, events, body_file, what):
    result = run_hgload("fill", hg.url(f"/api/v1/accounts/{account}/events"), body_file, count=events,
                        connections=FILL_CONNECTIONS)
    check_load(result, what)
    return result


# The hanging receiver of part 8b, run as its own process (/usr/bin/python3, standard library):
# accepts every connection, reads whatever comes and never answers, so each attempt to it lasts
# until the gateway's delivery timeout. Prints {"port": P, "control": C} once it listens; a
# connection to the control port gets its counters as one JSON object.
HANGING_RECEIVER = r'''
import asyncio, json, resource, sys, time

soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
try:
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
except (ValueError, OSError):
    pass
stats = {"connections": 0, "requests": 0, "open": 0, "peak_open": 0, "bytes": 0, "paths": {},
         "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0]}


async def hold(reader, writer):
    stats["connections"] += 1
    stats["open"] += 1
    stats["peak_open"] = max(stats["peak_open"], stats["open"])
    head = b""
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            stats["bytes"] += len(chunk)
            if head is not None:
                head += chunk
                end = head.find(b"\r\n\r\n")
                if end >= 0 or len(head) > 65536:
                    # One request per connection: the client waits for an answer that never comes.
                    stats["requests"] += 1
                    parts = head[:head.find(b"\r\n")].split(b" ")
                    path = parts[1].decode(errors="replace") if len(parts) > 1 else "?"
                    stats["paths"][path] = stats["paths"].get(path, 0) + 1
                    head = None
    except (OSError, asyncio.IncompleteReadError):
        pass
    finally:
        stats["open"] -= 1
        writer.close()


async def control(reader, writer):
    writer.write(json.dumps(dict(stats, at=time.monotonic())).encode())
    try:
        await writer.drain()
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(hold, "127.0.0.1", 0, backlog=4096)
    ctl = await asyncio.start_server(control, "127.0.0.1", 0)
    print(json.dumps({"port": server.sockets[0].getsockname()[1], "control": ctl.sockets[0].getsockname()[1]}), flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
'''


class HangingReceiver:
    """An HTTP endpoint that never answers (HANGING_RECEIVER in its own process and session)."""

    def __init__(self, work):
        self.dir = os.path.join(work, "hanging-receiver")
        os.makedirs(self.dir, exist_ok=True)
        self.process = None
        self.port = self.control = None

    def start(self, timeout=15):
        script = os.path.join(self.dir, "hanging_receiver.py")
        with open(script, "w") as f:
            f.write(HANGING_RECEIVER)
        python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
        self.process = subprocess.Popen([python, script], stdout=subprocess.PIPE,
                                        stderr=open(os.path.join(self.dir, "stderr.log"), "w"), start_new_session=True)
        import select
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else b""
        if not line:
            stop_process(self.process, 5)
            raise Broken(f"the hanging receiver did not start within {timeout} s (see {self.dir}/stderr.log)")
        ports = json.loads(line)
        self.port, self.control = ports["port"], ports["control"]

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def stats(self):
        with socket.create_connection(("127.0.0.1", self.control), timeout=10) as s:
            s.settimeout(10)
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        return json.loads(data)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)  # holds nothing worth a graceful end
            self.process.wait()


class ArrivalReceiver:
    """An HTTP receiver in this process answering 204 at once and timestamping (time.monotonic())
    the first arrival of each webhook-id."""

    def __init__(self):
        import http.server
        self.first = {}
        self.requests = 0
        self.without_id = 0
        self.lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 60

            def do_POST(self):
                at = time.monotonic()
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    while True:
                        size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                        self.rfile.read(size + 2)
                        if size == 0:
                            break
                else:
                    self.rfile.read(int(self.headers.get("Content-Length") or 0))
                wid = self.headers.get("webhook-id", "")
                with receiver.lock:
                    receiver.requests += 1
                    if wid:
                        receiver.first.setdefault(wid, at)
                    else:
                        receiver.without_id += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            block_on_close = False

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/"):
        return f"http://127.0.0.1:{self.port}{path}"

    def arrived(self, event_id):
        with self.lock:
            return self.first.get(event_id)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def open_loop_events(port, account, body, rate, seconds, connections=4, late=10):
    """POSTs events to `account` at `rate`/s for `seconds`, open loop over `connections` keep-alive
    connections (one thread each, like hgload rate): event i is due at start + i/rate. A thread
    that falls more than `late` seconds behind stops; what it did not send counts as not sent.
    Returns (sent, start, end, errors, not_sent, first_error); sent holds (event id, due, answered)."""
    start = time.monotonic() + 0.05
    end = start + seconds
    total = int(seconds * rate)
    sent, state = [], {"errors": 0, "not_sent": 0, "first_error": ""}
    lock = threading.Lock()
    headers = {"Authorization": "Bearer " + ADMIN_TOKEN, "Content-Type": "application/json"}
    path = f"/api/v1/accounts/{account}/events"

    def worker(k):
        conn = None
        for i in range(k, total, connections):
            due = start + i / rate
            now = time.monotonic()
            if now > due + late or now > end + late:
                with lock:
                    state["not_sent"] += len(range(i, total, connections))
                break
            if due > now:
                time.sleep(due - now)
            status, answer, error = 0, b"", ""
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=late)
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                answer = response.read()
                status = response.status
                if response.will_close:
                    conn.close()
                    conn = None
            except (OSError, http.client.HTTPException) as e:
                error = f"{type(e).__name__}: {e}"
                if conn is not None:
                    conn.close()
                conn = None
            done = time.monotonic()
            event_id = None
            if status == 202:
                try:
                    event_id = json.loads(answer)["id"]
                except (ValueError, KeyError, TypeError):
                    error = "202 without an event id: " + answer[:200].decode(errors="replace")
            with lock:
                if event_id:
                    sent.append((event_id, due, done))
                else:
                    state["errors"] += 1
                    if not state["first_error"]:
                        state["first_error"] = error or f"HTTP {status}: {answer[:200].decode(errors='replace')}"
        if conn is not None:
            conn.close()

    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=max(0.0, end + 2 * late + 5 - time.monotonic()))
    with lock:  # a thread still stuck in a request (it cannot be: `late` is its socket timeout) adds nothing more
        result = sorted(sent, key=lambda s: s[1])
        return result, start, end, state["errors"], state["not_sent"], state["first_error"]


# ---- the parts ------------------------------------------------------------------------------------

class Bench:
    def __init__(self, work):
        self.work = work
        self.results = {}      # raw figures, by part
        self.errors = {}       # part -> message
        self.nginx = None
        self.body_file = os.path.join(work, "event.json")
        with open(self.body_file, "w") as f:
            f.write(event_body(1000))
        self.post_file = os.path.join(work, "post-1k.json")
        with open(self.post_file, "w") as f:
            f.write(json.dumps({"data": "x" * 1013}))  # exactly 1024 bytes

    def part(self, name, function):
        if ONLY and name not in ONLY:
            return
        log(f"--- {name}")
        started = time.monotonic()
        try:
            function()
        except Exception as e:  # noqa: BLE001 - any failure of a part is reported, the others still run
            message = str(e) if isinstance(e, Broken) else f"{type(e).__name__}: {e}"
            message = " ".join(message.split())  # one line, for the table
            if len(message) > 400:
                message = message[:400] + " …"
            self.errors[name] = message
            log(f"{name} BROKE: {message}")
            if not isinstance(e, Broken):
                traceback.print_exc()
        log(f"--- {name} took {time.monotonic() - started:.1f} s")

    # 1. baselines

    def nginx_baseline(self):
        r = run_wrk(self.nginx.url("/"), self.post_file)
        check_wrk(r, "wrk -> nginx")
        self.results["nginx"] = r
        log(f"wrk -> nginx: {r['rate']:.0f} req/s")

    def sqlite_baseline(self):
        path = os.path.join(self.work, "sqlite-baseline.db")
        db = sqlite3.connect(path, isolation_level=None)
        db.execute("PRAGMA journal_mode = WAL")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, created_at INTEGER NOT NULL, body TEXT NOT NULL)")
        row = "y" * 1500
        for _ in range(50):  # warm-up
            db.execute("INSERT INTO t (created_at, body) VALUES (?, ?)", (0, row))
        n = 0
        start = time.monotonic()
        end = start + SQLITE_SECONDS
        while True:
            db.execute("INSERT INTO t (created_at, body) VALUES (?, ?)", (n, row))  # autocommit: one commit each
            n += 1
            if n % 16 == 0 and time.monotonic() >= end:
                break
        seconds = time.monotonic() - start
        db.close()
        self.results["sqlite"] = {"commits": n, "seconds": seconds, "rate": n / seconds, "row_bytes": len(row)}
        log(f"SQLite: {n / seconds:.0f} commits/s")

    # 2. ingest

    def ingest(self):
        hg = Hookgate(self.work, "ingest")
        hg.start()
        try:
            hg.setup_account("ingest", [{"url": self.nginx.url("/ingest")}])
            # The HTTP layer alone, for comparison: GET /health does no store work.
            health = run_wrk(hg.url("/health"), self.body_file, duration=max(2.0, DURATION / 2), method="GET")
            self.results["health"] = health
            log(f"wrk -> hookgate GET /health: {health['rate']:.0f} req/s")
            # Ingest alone, for comparison: an account without endpoints stores its events and
            # creates no deliveries (what the store's group commit does without delivery work).
            hg.setup_account("ingest_alone", [])
            cpu = hg.cpu_seconds()
            alone = run_wrk(hg.url("/api/v1/accounts/ingest_alone/events"), self.body_file, token=ADMIN_TOKEN,
                            duration=max(2.0, DURATION / 2))
            alone["cpu_seconds"] = hg.cpu_seconds() - cpu
            check_wrk(alone, "wrk -> hookgate ingest without endpoints")
            self.results["ingest_alone"] = alone
            log(f"ingest without deliveries: {alone['rate']:.0f} events/s")
            url = hg.url("/api/v1/accounts/ingest/events")
            cpu = hg.cpu_seconds()
            r = run_wrk(url, self.body_file, token=ADMIN_TOKEN)
            r["cpu_seconds"] = hg.cpu_seconds() - cpu
            r["drain_after_s"] = hg.wait_drained("ingest backlog")
            check_wrk(r, "wrk -> hookgate ingest")
            self.results["ingest"] = r
            log(f"ingest: {r['rate']:.0f} events/s (wrk p99 {r['p99_us'] / 1000:.1f} ms); backlog drained in {r['drain_after_s']:.1f} s")

            rate = max(1.0, r["rate"] / 2)
            lat = run_hgload("rate", url, self.body_file, rate=f"{rate:.1f}", duration=LATENCY_DURATION,
                             connections=WRK_CONNECTIONS)
            check_load(lat, "ingest at half rate")
            lat["drain_after_s"] = hg.wait_drained("half-rate backlog")
            self.results["ingest_half_rate"] = lat
            log(f"ingest at {rate:.0f}/s: p50 {lat['latency']['p50_ms']:.2f} ms, p99 {lat['latency']['p99_ms']:.2f} ms")
        finally:
            hg.stop()

    # 3. delivery

    def drain(self, name, fanout, total):
        hg = Hookgate(self.work, name)
        hg.start()
        try:
            account = name
            endpoints = hg.setup_account(account, [{"url": self.nginx.url(f"/{name}/{i}")} for i in range(fanout)])
            events = total // fanout
            self.nginx.pause()
            try:
                fill = fill_backlog(hg, account, events, self.body_file, f"{name}: filling the backlog")
                pending = hg.pending()
                check_backlog(name, pending, events * fanout)
                start = time.monotonic()
                cpu = hg.cpu_seconds()
            finally:
                self.nginx.resume()
            hg.wait_drained(name)
            seconds = time.monotonic() - start
            cpu = hg.cpu_seconds() - cpu
            succeeded = sum(hg.endpoint_stats(account, e)["succeeded"] for e in endpoints)
            if succeeded != events * fanout:
                raise Broken(f"{name}: {succeeded} of {events * fanout} deliveries succeeded")
            result = {"fanout": fanout, "events": events, "deliveries": pending, "seconds": seconds, "cpu_seconds": cpu,
                      "rate": pending / seconds, "fill": fill,
                      "attempts_ok": hg.metrics().get('hookgate_attempts_total{transport="http",result="succeeded"}')}
            self.results[name] = result
            log(f"{name}: {result['rate']:.0f} deliveries/s ({pending} in {seconds:.1f} s); "
                f"filled at {fill['rate']:.0f} events/s")
        finally:
            hg.stop()

    def drain_fanout1(self):
        self.drain("drain_fanout1", 1, BACKLOG)

    def drain_fanout4(self):
        self.drain("drain_fanout4", 4, BACKLOG)

    # 4. ingest to arrival

    def e2e(self):
        hg = Hookgate(self.work, "e2e")
        hg.start()
        try:
            port = free_port()
            hg.setup_account("e2e", [{"url": f"http://127.0.0.1:{port}/hook"}])
            r = run_hgload("e2e", hg.url("/api/v1/accounts/e2e/events"), self.body_file, rate=E2E_RATE, count=E2E_COUNT,
                           connections=4, receiver_port=port, wait=30)
            check_load(r, "ingest-to-arrival")
            if r["missing"]:
                raise Broken(f"ingest-to-arrival: {r['missing']} of {r['acknowledged']} acknowledged events never arrived")
            self.results["e2e"] = r
            log(f"ingest to arrival: p50 {r['e2e_latency']['p50_ms']:.2f} ms, p99 {r['e2e_latency']['p99_ms']:.2f} ms")
        finally:
            hg.stop()

    # 8a. normal requests while one client holds idle and trickling connections

    def hostile_api(self):
        """Another client's GET /health, authenticated GET and ingest, one after the other on new
        connections, for HOSTILE_DURATION: first alone, then while one client (127.0.0.2) holds
        HOSTILE_IDLE idle connections and HOSTILE_TRICKLE that send a byte a second, and opens a new
        one for each the gateway closes (refused or cut off at a deadline)."""
        import resource
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = HOSTILE_IDLE + HOSTILE_TRICKLE + 1024
        if soft < want:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
        hg = Hookgate(self.work, "hostile_api")
        hg.start()
        try:
            hg.setup_account("hostile", [])
            quiet = self._normal_requests(hg, HOSTILE_DURATION)
            attack = self._normal_requests(hg, HOSTILE_DURATION, idle=HOSTILE_IDLE, trickle=HOSTILE_TRICKLE)
            metrics = hg.metrics()
            attack["refused"] = int(metrics.get("hookgate_http_connections_refused_total", 0))
            attack["timed_out"] = int(metrics.get("hookgate_http_connections_timed_out_total", 0))
            self.results["hostile_api"] = {"quiet": quiet, "attack": attack, "idle": HOSTILE_IDLE,
                                           "trickle": HOSTILE_TRICKLE, "seconds": HOSTILE_DURATION}
            log(f"normal requests alone: p50 {quiet['p50_ms']:.2f} ms, p99 {quiet['p99_ms']:.2f} ms; "
                f"beside {HOSTILE_IDLE} idle + {HOSTILE_TRICKLE} trickling: p50 {attack['p50_ms']:.2f} ms, "
                f"p99 {attack['p99_ms']:.2f} ms, {attack['errors']} errors")
        finally:
            hg.stop()

    def _normal_requests(self, hg, seconds, idle=0, trickle=0):
        state = {"stop": False, "reconnects": 0}
        head = b"GET /health HTTP/1.1\r\nHost: bench\r\nX-Pad: " + b"x" * 5000 + b"\r\n\r\n"

        def connect():
            s = socket.socket()
            s.settimeout(5)
            s.bind(("127.0.0.2", 0))
            try:
                s.connect(("127.0.0.1", hg.port))
                s.setblocking(False)
                return s
            except OSError:
                s.close()
                return None

        idle_sockets = [connect() for _ in range(idle)]
        trickling = [[connect(), 0] for _ in range(trickle)]

        def alive(s):
            if s is None:
                return False
            try:
                return s.recv(1) != b""
            except BlockingIOError:
                return True
            except OSError:
                return False

        def attacker():
            while not state["stop"]:
                began = time.monotonic()
                for i, s in enumerate(idle_sockets):
                    if not alive(s):
                        if s:
                            s.close()
                        idle_sockets[i] = connect()
                        state["reconnects"] += 1
                for t in trickling:
                    try:
                        if t[0] is None:
                            raise OSError()
                        at = t[1] % len(head)
                        t[0].send(head[at:at + 1])
                        t[1] += 1
                    except OSError:
                        if t[0]:
                            t[0].close()
                        t[0], t[1] = connect(), 0
                        state["reconnects"] += 1
                time.sleep(max(0.0, 1.0 - (time.monotonic() - began)))

        thread = None
        if idle or trickle:
            thread = threading.Thread(target=attacker, daemon=True)
            thread.start()
            time.sleep(2)
        latencies, errors = [], 0
        body = json.dumps({"type": "customer.created", "data": {"n": 1}})
        headers = {"Authorization": "Bearer " + ADMIN_TOKEN, "Content-Type": "application/json"}
        end = time.monotonic() + seconds
        try:
            while time.monotonic() < end:
                for method, path, payload, ok in (("GET", "/health", None, 200), ("GET", "/api/v1/accounts/hostile", None, 200),
                                                  ("POST", "/api/v1/accounts/hostile/events", body, 202)):
                    began = time.monotonic()
                    try:
                        c = http.client.HTTPConnection("127.0.0.1", hg.port, timeout=30)
                        c.request(method, path, payload, headers)
                        response = c.getresponse()
                        response.read()
                        c.close()
                        if response.status != ok:
                            errors += 1
                    except OSError:
                        errors += 1
                    latencies.append(time.monotonic() - began)
                    time.sleep(0.02)
        finally:
            state["stop"] = True
            if thread:
                thread.join()
            for s in idle_sockets + [t[0] for t in trickling]:
                if s:
                    s.close()
        latencies.sort()
        return {"requests": len(latencies), "errors": errors, "p50_ms": percentile(latencies, 0.50) * 1000,
                "p99_ms": percentile(latencies, 0.99) * 1000, "max_ms": latencies[-1] * 1000,
                "reconnects": state["reconnects"]}

    # 8b. a healthy endpoint beside accounts whose endpoints never answer

    def noisy_neighbour(self):
        """NOISY_ACCOUNTS accounts, each with one endpoint that never answers (HangingReceiver: every
        attempt lasts until the delivery timeout) and NOISY_PENDING deliveries ingested for it just
        before; then one healthy account's endpoint (ArrivalReceiver) gets NOISY_RATE events/s, open
        loop, for NOISY_SECONDS. Ingest-to-arrival of the healthy events counts from each event's due
        time; an event that has not arrived NOISY_DRAIN seconds after the load counts as missing, with
        a latency above any that arrived. The gateway runs on its default delivery concurrency (no
        workers or in-flight keys) and timeout (15 s)."""
        hanging = HangingReceiver(self.work)
        arrivals = None
        hg = Hookgate(self.work, "noisy_neighbour", extra={
            "hookgate.delivery.workers": None,     # the defaults are what this part measures
            "hookgate.delivery.timeout": "15s",    # the default, instead of the bench's 10m
            "hookgate.delivery.leaseTime": None,
        })
        fills = []
        try:
            hanging.start()
            arrivals = ArrivalReceiver()
            hg.start()
            noisy = [f"noisy{i}" for i in range(NOISY_ACCOUNTS)]
            for account in noisy:
                hg.setup_account(account, [{"url": hanging.url(f"/{account}")}])
            hg.setup_account("healthy", [{"url": arrivals.url("/healthy")}])

            # The noisy backlogs, all accounts at once (2 connections each), due at once.
            began = time.monotonic()
            for account in noisy:
                command = [HGLOAD, "fill", "--url", hg.url(f"/api/v1/accounts/{account}/events"), "--token", ADMIN_TOKEN,
                           "--body", self.body_file, "--count", str(NOISY_PENDING), "--connections", "2"]
                fills.append(subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
            deadline = began + 60
            for account, process in zip(noisy, fills):
                try:
                    out, err = process.communicate(timeout=max(1.0, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    raise Broken(f"noisy_neighbour: ingesting {NOISY_ACCOUNTS} × {NOISY_PENDING} events took over 60 s")
                if process.returncode != 0:
                    raise Broken(f"noisy_neighbour: hgload fill failed ({process.returncode}): {err.strip()}")
                check_load(json.loads(out.strip().splitlines()[-1]), f"noisy_neighbour: filling {account}")
            fill_seconds = time.monotonic() - began
            pending_after_fill = hg.pending()
            log(f"noisy_neighbour: {NOISY_ACCOUNTS} × {NOISY_PENDING} events ingested in {fill_seconds:.1f} s; "
                f"{pending_after_fill} deliveries pending")

            # The healthy load, then the wait for late arrivals.
            before, cpu = hanging.stats(), hg.cpu_seconds()
            with open(self.body_file, "rb") as f:
                body = f.read()
            sent, start, end, errors, not_sent, first_error = open_loop_events(hg.port, "healthy", body, NOISY_RATE,
                                                                               NOISY_SECONDS)
            after, cpu = hanging.stats(), hg.cpu_seconds() - cpu
            if not sent:
                raise Broken(f"noisy_neighbour: no healthy event was acknowledged ({errors} errors, first: {first_error})")
            wait_end = end + NOISY_DRAIN
            while time.monotonic() < wait_end:
                if all(arrivals.arrived(event_id) is not None for event_id, _, _ in sent):
                    break
                time.sleep(0.05)
            waited = time.monotonic()
            latencies, missing, ingest = [], [], []
            for event_id, due, answered in sent:
                at = arrivals.arrived(event_id)
                ingest.append(answered - due)
                if at is None:
                    missing.append(waited - due)
                else:
                    latencies.append(at - due)
            latencies.sort()
            ingest.sort()
            combined = latencies + [float("inf")] * len(missing)  # a missing event is later than any arrival

            def ms(q):
                value = percentile(combined, q)
                return None if value == float("inf") else value * 1000

            final = hanging.stats()
            metrics = hg.metrics()
            window = after["at"] - before["at"]
            per_account = [after["paths"].get(f"/{a}", 0) - before["paths"].get(f"/{a}", 0) for a in noisy]
            attempts = after["requests"] - before["requests"]
            result = {
                "accounts": NOISY_ACCOUNTS, "pending_each": NOISY_PENDING, "rate": NOISY_RATE, "seconds": NOISY_SECONDS,
                "drain_wait": NOISY_DRAIN, "fill_seconds": fill_seconds,
                "fill_rate": NOISY_ACCOUNTS * NOISY_PENDING / fill_seconds, "pending_after_fill": pending_after_fill,
                "acknowledged": len(sent), "arrived": len(latencies), "missing": len(missing),
                "missing_waited_min_s": min(missing) if missing else None,
                "ingest_errors": errors, "not_sent": not_sent, "first_error": first_error,
                "p50_ms": ms(0.50), "p90_ms": ms(0.90), "p99_ms": ms(0.99),
                "arrived_max_ms": latencies[-1] * 1000 if latencies else None,
                "ingest_p50_ms": percentile(ingest, 0.50) * 1000, "ingest_p99_ms": percentile(ingest, 0.99) * 1000,
                "window_seconds": window, "cpu_seconds": cpu,
                "hanging_attempts": attempts, "hanging_attempts_rate": attempts / window,
                "hanging_connections": after["connections"] - before["connections"],
                "hanging_attempts_per_account": per_account,
                "hanging_attempts_total": final["requests"], "hanging_peak_open": final["peak_open"],
                "hanging_open_at_end": final["open"], "hanging_nofile": final["nofile"],
                "healthy_requests": arrivals.requests, "healthy_without_id": arrivals.without_id,
                "pending_at_end": int(metrics.get("hookgate_pending_deliveries", -1)),
                "attempts_metrics": {k: v for k, v in metrics.items() if k.startswith("hookgate_attempts_total")},
            }
            self.results["noisy_neighbour"] = result
            p50, p99 = result["p50_ms"], result["p99_ms"]
            log(f"noisy_neighbour: healthy ingest → arrival p50 {noisy_latency(p50, result)}, p99 {noisy_latency(p99, result)}; "
                f"{len(missing)} of {len(sent)} not arrived {NOISY_DRAIN:g} s after the load; {errors} ingest errors, "
                f"{not_sent} not sent; hanging endpoints: {attempts} attempts in {window:.1f} s "
                f"({attempts / window:.2f}/s, per account {min(per_account, default=0)}–{max(per_account, default=0)}), "
                f"peak {final['peak_open']} connections open; hookgate CPU {cpu / window * 100:.0f}%")
        finally:
            for process in fills:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            stop_process(hg.process, 30)  # bounded: its attempts to the hanging endpoints must not hold the bench
            hg.stop()
            hanging.stop()
            if arrivals is not None:
                arrivals.stop()

    # 5. email

    def email(self):
        sink = SMTPSink(self.work)
        sink.start()
        try:
            # Baseline: postfix's own smtp-source, 8 sessions (as many as hookgate's attempts in flight to
            # one endpoint: hookgate.delivery.maxInFlight, default 8), connections reused (-d).
            sessions = str(WORKERS or 8)
            start = time.monotonic()
            done = subprocess.run([SMTP_SOURCE, "-d", "-s", sessions, "-m", str(EMAIL_BACKLOG), "-l", "2000",
                                   "-f", "bench@bench.example", "-t", "sink@bench.example", f"127.0.0.1:{sink.port}"],
                                  capture_output=True, text=True, timeout=600)
            seconds = time.monotonic() - start
            if done.returncode != 0:
                raise Broken(f"smtp-source failed ({done.returncode}): {done.stderr.strip()}")
            self.results["smtp_source"] = {"messages": EMAIL_BACKLOG, "seconds": seconds, "rate": EMAIL_BACKLOG / seconds,
                                           "sessions": int(sessions)}
            log(f"smtp-source -> smtp-sink: {EMAIL_BACKLOG / seconds:.0f} msg/s")

            hg = Hookgate(self.work, "email", smtp_port=sink.port)
            hg.start()
            try:
                endpoints = hg.setup_account("email", [{"email": "inbox@bench.example"}])
                sink.pause()
                try:
                    fill = fill_backlog(hg, "email", EMAIL_BACKLOG, self.body_file, "email: filling the backlog")
                    pending = hg.pending()
                    check_backlog("email", pending, EMAIL_BACKLOG)
                    start = time.monotonic()
                    cpu = hg.cpu_seconds()
                finally:
                    sink.resume()
                hg.wait_drained("email")
                seconds = time.monotonic() - start
                cpu = hg.cpu_seconds() - cpu
                stats = hg.endpoint_stats("email", endpoints[0])
                if stats["succeeded"] != EMAIL_BACKLOG:
                    raise Broken(f"email: {stats['succeeded']} of {EMAIL_BACKLOG} messages accepted ({stats})")
                self.results["email"] = {"messages": pending, "seconds": seconds, "rate": pending / seconds,
                                         "cpu_seconds": cpu,
                                         "fill": fill}
                log(f"email: {pending / seconds:.0f} msg/s")
            finally:
                hg.stop()
        finally:
            sink.stop()

    # 6. memory and stats

    def memory(self):
        hg = Hookgate(self.work, "memory")
        hg.start()
        try:
            hg.setup_account("memory", [{"url": self.nginx.url("/memory")}])
            baseline_rss = hg.proc_status("VmRSS")
            self.nginx.pause()
            try:
                fill = fill_backlog(hg, "memory", MEMORY_PENDING, self.body_file, "memory: filling the backlog")
                pending = hg.pending()
                hwm_pending = hg.proc_status("VmHWM")
                check_backlog("memory", pending, MEMORY_PENDING)
                start = time.monotonic()
            finally:
                self.nginx.resume()
            peak_sampled = 0
            # Sample while draining too: the peak may come from the dispatcher, not from ingest.
            while hg.pending() > 0:
                peak_sampled = max(peak_sampled, hg.proc_status("VmRSS") or 0)
                if time.monotonic() - start > 1800 or not hg.alive():
                    raise Broken("memory: backlog did not drain")
                time.sleep(0.1)
            seconds = time.monotonic() - start
            hwm = hg.proc_status("VmHWM")
            self.results["memory"] = {"pending": pending, "rss_idle_bytes": baseline_rss, "hwm_after_fill_bytes": hwm_pending,
                                      "hwm_bytes": hwm, "rss_sampled_max_bytes": peak_sampled, "drain_seconds": seconds, "drain_rate": pending / seconds,
                                      "fill": fill}
            log(f"memory: VmHWM {hwm / 2**20:.1f} MiB with {pending} pending (after fill {hwm_pending / 2**20:.1f} MiB)")
        finally:
            hg.stop()

    def stats_time(self, rows):
        name = f"stats_{rows}"
        hg = Hookgate(self.work, name)
        hg.start()
        try:
            account = "stats"
            endpoint = hg.setup_account(account, [{"url": self.nginx.url("/stats")}], enabled=False)[0]
        finally:
            hg.stop()
        started = time.monotonic()
        fill_log(hg.db, account, endpoint, rows)
        fill_seconds = time.monotonic() - started
        log(f"{name}: wrote {rows} deliveries into the database in {fill_seconds:.1f} s")
        hg.start()
        try:
            path = f"/api/v1/accounts/{account}/endpoints/{endpoint}/stats"
            conn = http.client.HTTPConnection("127.0.0.1", hg.port, timeout=120)
            t = time.perf_counter()
            status, first = hg.request("GET", path, connection=conn)
            cold_ms = (time.perf_counter() - t) * 1000
            if status != 200:
                raise Broken(f"{name}: GET stats answered {status}: {first}")
            if first["total"] != rows:
                raise Broken(f"{name}: stats total is {first['total']}, expected {rows}: {first}")
            for _ in range(20):
                hg.request("GET", path, connection=conn)
            times = []
            for _ in range(STATS_REQUESTS):
                t = time.perf_counter()
                status, _ = hg.request("GET", path, connection=conn)
                times.append((time.perf_counter() - t) * 1000)
                if status != 200:
                    raise Broken(f"{name}: GET stats answered {status}")
            page = []
            list_path = f"/api/v1/accounts/{account}/endpoints/{endpoint}/deliveries?limit=50"
            for _ in range(20):
                t = time.perf_counter()
                status, _ = hg.request("GET", list_path, connection=conn)
                page.append((time.perf_counter() - t) * 1000)
                if status != 200:
                    raise Broken(f"{name}: GET deliveries answered {status}")
            conn.close()
            times.sort()
            page.sort()
            self.results[name] = {"rows": rows, "fill_seconds": fill_seconds, "cold_ms": cold_ms,
                                  "median_ms": statistics.median(times), "p99_ms": percentile(times, 0.99),
                                  "requests": len(times), "list_page_median_ms": statistics.median(page),
                                  "db_bytes": os.path.getsize(hg.db)}
            log(f"{name}: stats median {statistics.median(times):.3f} ms, p99 {percentile(times, 0.99):.3f} ms "
                f"(first {cold_ms:.1f} ms)")
        finally:
            hg.stop()

    def stats_small(self):
        self.stats_time(STATS_SMALL)

    def stats_large(self):
        self.stats_time(STATS_LARGE)

    # 7. several nodes on PostgreSQL (bench/nodes.py)

    def postgres_nodes(self):
        import nodes
        nodes.run(self, sys.modules[__name__])


def fill_log(db_path, account, endpoint, rows):
    """Writes `rows` finished deliveries (with their events, payloads and one attempt each) straight
    into a database that hookgate created and then closed, the way hookgate's own inserts would
    (its triggers keep the per-hour counters). Spread over the last 59 days (inside the default
    retention period), 98% succeeded, 2% failed. The columns are matched by name against the
    schema found in the file, so that a column added with a default does not break the bench; a
    new required column or a missing table stops this part with a message naming it."""
    db = sqlite3.connect(db_path, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    now_ms = int(time.time() * 1000)
    span = 59 * 86400 * 1000
    payload = json.dumps({"id": "msg_", "type": "appointment.booking.created", "created": "2026-01-01T00:00:00Z",
                          "source": "hookgate", "data": json.loads(event_body(1000))["data"]}, separators=(",", ":"))
    rng = random.Random(7)
    event_type = "appointment.booking.created"

    def rows_of(i, seq):
        created = now_ms - span + (span * i) // rows
        eid = f"msg_bench{i:019d}"
        failed = rng.random() < 0.02
        status, code = (2, 500) if failed else (1, 204)
        return {
            "events": {"id": eid, "account_id": account, "type": event_type, "idempotency_key": None, "created_at": created},
            "deliveries": {"seq": seq, "id": f"dlv_bench{i:019d}", "account_id": account, "endpoint_id": endpoint,
                           "event_id": eid, "event_type": event_type, "transport": "http", "created_at": created,
                           "status": status, "attempt_count": 1, "last_attempt_at": created + 20, "next_attempt_at": 0,
                           "response_code": code, "last_error": "HTTP 500" if failed else ""},
            "payloads": {"delivery_seq": seq, "body": payload},
            "attempts": {"delivery_seq": seq, "at": created + 20, "response_code": code, "duration_ms": 3,
                         "error": "HTTP 500" if failed else "", "response_body": ""},
        }

    # Which of our columns each table has; refuse when it requires one we do not know.
    sample = rows_of(0, 1)
    statements = {}
    for table, values in sample.items():
        info = db.execute(f"PRAGMA table_info({table})").fetchall()
        if not info:
            raise Broken(f"the store has no table {table} any more; update fill_log() in bench/bench.py")
        present = {c[1] for c in info}
        for _, column, _, notnull, default, pk in info:
            if notnull and default is None and not pk and column not in values:
                raise Broken(f"the store's table {table} has a required column {column} that bench/bench.py does not "
                             "fill; update fill_log()")
        columns = [c for c in values if c in present]
        statements[table] = (columns, f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})")

    start_seq = db.execute("SELECT IFNULL(MAX(seq), 0) FROM deliveries").fetchone()[0]
    batch = 20000
    db.execute("BEGIN")
    for base in range(0, rows, batch):
        chunk = [rows_of(i, start_seq + i + 1) for i in range(base, min(rows, base + batch))]
        for table, (columns, sql) in statements.items():
            db.executemany(sql, [tuple(r[table][c] for c in columns) for r in chunk])
    db.execute("COMMIT")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


# ---- the table ------------------------------------------------------------------------------------

def noisy_latency(value_ms, n):
    """A latency of part 8b: None stands for an event that never arrived."""
    if value_ms is None:
        return f"> {n['missing_waited_min_s']:.0f} s (not arrived)"
    return f"{value_ms:.1f} ms" if value_ms < 1000 else f"{value_ms / 1000:.2f} s"


def fmt(value, unit="", digits=0):
    if value is None:
        return "—"
    return f"{value:,.{digits}f}{unit}"


def machine():
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    distro = "?"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    distro = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    fs = "?"
    try:
        fs = subprocess.run(["df", "--output=fstype,source", ROOT], capture_output=True, text=True).stdout.split("\n")[1].strip()
    except (OSError, IndexError):
        pass
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory": mem, "os": distro, "kernel": platform.release(),
            "disk": fs, "commit": commit + (" (with uncommitted changes)" if dirty else "")}


def table(bench, total_seconds):
    r, e = bench.results, bench.errors
    rows = []   # (id, what, figure, baseline, ratio, target, met)

    def broken(part):
        return f"**broke:** {e[part]}" if part in e else "not run"

    def add(ident, what, figure, baseline="", ratio="", target="", met=""):
        rows.append((ident, what, figure, baseline, ratio, target, met))

    def verdict(ok):
        return "" if ok is None else ("yes" if ok else "**no**")

    nginx = r.get("nginx", {}).get("rate")
    sqlite_rate = r.get("sqlite", {}).get("rate")
    add("1a", f"wrk → nginx `return 204`, 1 KB POST, {WRK_THREADS} threads × {WRK_CONNECTIONS} connections (total)",
        fmt(nginx, " req/s") if nginx else broken("nginx_baseline"), "baseline")
    add("1b", "SQLite single-row commits (WAL, synchronous=FULL, 1.5 KB row), same disk",
        fmt(sqlite_rate, " commits/s") if sqlite_rate else broken("sqlite_baseline"), "baseline")

    ing = r.get("ingest")
    if ing:
        ratio = ing["rate"] / sqlite_rate if sqlite_rate else None
        add("2a", f"durable ingest, fan-out 1 (wrk, {WRK_THREADS}×{WRK_CONNECTIONS}, 1 KB event)", fmt(ing["rate"], " events/s"),
            f"1b: {fmt(sqlite_rate, ' commits/s')}", fmt(ratio, "×", 2), "≥ 1.5×",
            verdict(ratio >= 1.5 if ratio else None))
    else:
        add("2a", "durable ingest, fan-out 1", broken("ingest"))
    half = r.get("ingest_half_rate")
    if half:
        lat = half["latency"]
        add("2b", f"ingest latency at half that rate ({half['target_rate']:,.0f}/s open loop, {half['connections']} connections; "
            f"achieved {half['achieved_rate']:,.0f}/s)",
            f"p50 {lat['p50_ms']:.2f} ms, p99 {lat['p99_ms']:.2f} ms", "", "", "p99 ≤ 10 ms", verdict(lat["p99_ms"] <= 10))
    elif ing is None or "ingest" in e:
        add("2b", "ingest latency at half rate", broken("ingest"))

    for name, fanout in (("drain_fanout1", 1), ("drain_fanout4", 4)):
        d = r.get(name)
        ident = "3a" if fanout == 1 else "3b"
        if d:
            ratio = d["rate"] / nginx if nginx else None
            add(ident, f"HTTP delivery, draining {d['deliveries']:,} deliveries (fan-out {fanout}) to nginx",
                fmt(d["rate"], " deliveries/s"), f"1a: {fmt(nginx, ' req/s')}", fmt(ratio * 100 if ratio else None, "%", 1),
                "≥ 10%", verdict(ratio >= 0.10 if ratio else None))
        else:
            add(ident, f"HTTP delivery, fan-out {fanout}", broken(name))

    x = r.get("e2e")
    if x:
        lat = x["e2e_latency"]
        add("4", f"ingest → arrival, idle ({x['rate']:g} events/s, {x['arrived']} events)",
            f"p50 {lat['p50_ms']:.2f} ms, p99 {lat['p99_ms']:.2f} ms", "", "", "p50 ≤ 5 ms", verdict(lat["p50_ms"] <= 5))
    else:
        add("4", "ingest → arrival, idle", broken("e2e"))

    m = r.get("email")
    src = r.get("smtp_source")
    if m:
        ratio = m["rate"] / src["rate"] if src else None
        add("5", f"email to smtp-sink, draining {m['messages']:,} messages", fmt(m["rate"], " msg/s"),
            f"smtp-source -d -s {src['sessions']}: {fmt(src['rate'], ' msg/s')}" if src else "",
            fmt(ratio * 100 if ratio else None, "%", 1), "≥ 1,000 msg/s", verdict(m["rate"] >= 1000))
    else:
        add("5", "email to smtp-sink", broken("email"))

    mem = r.get("memory")
    if mem:
        mib = mem["hwm_bytes"] / 2**20
        add("6a", f"peak RSS (VmHWM) of hookgate with {mem['pending']:,} pending deliveries (fill + drain)",
            fmt(mib, " MiB", 1), f"idle: {fmt(mem['rss_idle_bytes'] / 2**20, ' MiB', 1)}", "", "≤ 64 MiB", verdict(mib <= 64))
    else:
        add("6a", "peak RSS with pending deliveries", broken("memory"))

    small, large = r.get(f"stats_{STATS_SMALL}"), r.get(f"stats_{STATS_LARGE}")
    if small and large:
        ratio = large["median_ms"] / small["median_ms"]
        add("6b", f"GET …/stats, median of {large['requests']} (p99), {STATS_LARGE:,} vs {STATS_SMALL:,} deliveries logged",
            f"{large['median_ms']:.2f} ms ({large['p99_ms']:.2f})", f"{STATS_SMALL:,}: {small['median_ms']:.2f} ms ({small['p99_ms']:.2f})",
            fmt(ratio, "×", 2), "≤ 2×", verdict(ratio <= 2))
    else:
        part = "stats_large" if "stats_large" in e else "stats_small"
        add("6b", "GET …/stats, large vs small log", broken(part))

    import nodes
    for row in nodes.rows(r, e, sys.modules[__name__]):
        add(*row)

    h = r.get("hostile_api")
    if h:
        q, a = h["quiet"], h["attack"]
        add("8a", f"normal requests (health, authenticated GET, ingest; new connection each) beside one client's "
            f"{h['idle']:,} idle + {h['trickle']:,} trickling connections, {h['seconds']:g} s; {a['requests']:,} requests, "
            f"{a['errors']} errors; {a['refused']:,} connections refused, {a['timed_out']:,} cut off",
            f"p50 {a['p50_ms']:.2f} ms, p99 {a['p99_ms']:.2f} ms",
            f"alone: p50 {q['p50_ms']:.2f} ms, p99 {q['p99_ms']:.2f} ms", "", "p99 ≤ 1 s, no errors",
            verdict(a["p99_ms"] <= 1000 and a["errors"] == 0))
    else:
        add("8a", "normal requests beside one client's idle and trickling connections", broken("hostile_api"))

    n = r.get("noisy_neighbour")
    if n:
        idle = r.get("e2e", {}).get("e2e_latency")
        add("8b", f"noisy neighbour: one healthy endpoint at {n['rate']:g} events/s (open loop, {n['seconds']:g} s) beside "
            f"{n['accounts']} accounts whose endpoint never answers, {n['pending_each']:,} deliveries pending each "
            f"(held to the 15 s attempt timeout; the gateway's default workers and limits); {n['acknowledged']:,} events, "
            f"{n['missing']:,} not arrived {n['drain_wait']:g} s after the load (counted in the percentiles), "
            f"{n['ingest_errors'] + n['not_sent']} ingest errors",
            f"p50 {noisy_latency(n['p50_ms'], n)}, p99 {noisy_latency(n['p99_ms'], n)}; "
            f"the {n['accounts']} others: {n['hanging_attempts_rate']:.2f} attempts/s",
            f"4 (idle): p50 {idle['p50_ms']:.2f} ms, p99 {idle['p99_ms']:.2f} ms" if idle else "", "",
            "p99 ≤ 1 s, no ingest errors",
            verdict(n["p99_ms"] is not None and n["p99_ms"] <= 1000 and n["ingest_errors"] + n["not_sent"] == 0))
    else:
        add("8b", "noisy neighbour: a healthy endpoint beside accounts whose endpoints never answer", broken("noisy_neighbour"))

    info = []
    cores = os.cpu_count() or 1

    def cpu(d, seconds):
        if d.get("cpu_seconds") is None:
            return ""
        return f"; hookgate used {d['cpu_seconds'] / seconds * 100:.0f}% CPU (of {cores * 100}%)"

    def cpu_per_request(d, what):
        if d.get("cpu_seconds") is None:
            return ""
        return f", {d['cpu_seconds'] * 1e6 / max(1, d['requests']):.0f} µs per {what}"

    def cpu_per_delivery(d, what="delivery"):
        count = d.get("deliveries") or d.get("messages")
        if d.get("cpu_seconds") is None or not count:
            return ""
        return f", {d['cpu_seconds'] * 1e6 / count:.0f} µs per {what}"

    if ing:
        info.append(f"ingest (2a): wrk latency p50 {ing['p50_us'] / 1000:.2f} ms, p99 {ing['p99_us'] / 1000:.2f} ms at full load"
                    f"{cpu(ing, ing['seconds'])}{cpu_per_request(ing, 'event (its delivery included)')}; the deliveries it created (delivered concurrently) drained "
                    f"{ing['drain_after_s']:.1f} s after wrk stopped.")
    alone = r.get("ingest_alone")
    if alone:
        sqlite = r.get("sqlite")
        ratio = f" = {alone['rate'] / sqlite['rate']:.2f}× 1b" if sqlite else ""
        info.append(f"ingest without deliveries (an account without endpoints, wrk {WRK_THREADS}×{WRK_CONNECTIONS}): "
                    f"{alone['rate']:,.0f} events/s{ratio}, p99 {alone['p99_us'] / 1000:.2f} ms"
                    f"{cpu(alone, alone['seconds'])}{cpu_per_request(alone, 'event')}.")
    health = r.get("health")
    if health:
        info.append(f"HTTP layer alone: wrk GET /health on hookgate, same {WRK_THREADS}×{WRK_CONNECTIONS}: "
                    f"{health['rate']:,.0f} req/s (p99 {health['p99_us'] / 1000:.2f} ms).")
    for name in ("drain_fanout1", "drain_fanout4"):
        d = r.get(name)
        if d:
            info.append(f"{name}: backlog filled at {d['fill']['rate']:,.0f} events/s "
                        f"({d['fill']['rate'] * d['fanout']:,.0f} deliveries/s created) by hgload fill, {FILL_CONNECTIONS} connections"
                        f"{cpu(d, d['seconds'])} while draining{cpu_per_delivery(d)}.")
    if mem:
        info.append(f"memory: VmHWM {mem['hwm_after_fill_bytes'] / 2**20:.1f} MiB right after ingesting the backlog; "
                    f"drained at {mem['drain_rate']:,.0f} deliveries/s.")
    if m:
        info.append(f"email: backlog filled at {m['fill']['rate']:,.0f} events/s{cpu(m, m['seconds'])} while draining"
                    f"{cpu_per_delivery(m, 'message')}.")
    for s in (small, large):
        if s:
            info.append(f"stats with {s['rows']:,} deliveries: first answer {s['cold_ms']:.1f} ms; first page of the delivery list "
                        f"(limit 50) median {s['list_page_median_ms']:.2f} ms; database {s['db_bytes'] / 2**20:,.0f} MiB "
                        f"(written directly in {s['fill_seconds']:.0f} s).")
    info.extend(nodes.info(r))
    if n:
        per = n["hanging_attempts_per_account"]
        info.append(f"noisy neighbour (8b): the {n['accounts'] * n['pending_each']:,} noisy events ingested in "
                    f"{n['fill_seconds']:.1f} s ({n['fill_rate']:,.0f} events/s) just before the load; during its "
                    f"{n['window_seconds']:.0f} s the hanging endpoints got {n['hanging_attempts']:,} attempts "
                    f"({n['hanging_connections']:,} connections; per account {min(per, default=0)}–{max(per, default=0)}), at most "
                    f"{n['hanging_peak_open']:,} connections open at once{cpu(n, n['window_seconds'])}; healthy ingest "
                    f"answer p50 {n['ingest_p50_ms']:.2f} ms, p99 {n['ingest_p99_ms']:.2f} ms; {n['pending_at_end']:,} "
                    f"deliveries still pending at the end. Settings: no hookgate.delivery.workers or in-flight keys "
                    f"(the defaults), timeout 15 s, retry schedule default, jitter 0.")
    if x:
        info.append(f"ingest → arrival (4): ingest answer p50 {x['ingest_latency']['p50_ms']:.2f} ms, "
                    f"p99 {x['ingest_latency']['p99_ms']:.2f} ms in the same run.")
    return rows, info


def render(bench, total_seconds, info_machine):
    rows, info = table(bench, total_seconds)
    lines = []
    lines.append(f"Hookgate benchmark — {time.strftime('%Y-%m-%d %H:%M:%S %Z')}, "
                 f"{'quick run (BENCH_QUICK=1)' if QUICK else 'full run'}, {total_seconds / 60:.1f} min")
    lines.append("")
    m = info_machine
    lines.append(f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory']} RAM, {m['os']} (kernel {m['kernel']}), "
                 f"disk {m['disk']}; commit {m['commit']}. Hookgate Release build, "
                 f"{str(WORKERS) + ' delivery workers (8b: the default)' if WORKERS else 'the default delivery workers and limits (64 workers, 8 attempts in flight per endpoint)'}, "
                 f"SQLite synchronous=FULL, jitter 0, log level warning.")
    lines.append("")
    lines.append("| # | measure | figure | baseline | ratio | target | met |")
    lines.append("|---|---|---|---|---|---|---|")
    for row in rows:
        lines.append("| " + " | ".join(str(c) for c in row) + " |")
    lines.append("")
    if info:
        lines.append("Also measured:")
        lines.extend("- " + i for i in info)
        lines.append("")
    lines.append("How: every part starts its own hookgate on a fresh database in a folder under build/ (same disk as "
                 "the SQLite baseline). Ingest (2a) is wrk with the admin token; 2b and 4 use bench/hgload (open loop: "
                 "latency counted from each request's due time; 4 correlates the receiver's arrival with the 202's event id "
                 "= webhook-id). Backlogs (3, 5, 6a) are ingested through the API while the receiver (nginx or smtp-sink) is "
                 "paused with SIGSTOP, so every delivery stays pending and none fails; the time runs from SIGCONT until "
                 "/metrics shows hookgate_pending_deliveries 0, and every delivery is checked to have succeeded. 6b's logs "
                 "are written straight into the database hookgate created (deliveries, events, payloads, attempts; its "
                 "triggers keep the counters), then hookgate is started on it. 8b's healthy events are POSTed by the bench "
                 "itself (open loop, latency from each event's due time to its first arrival, by webhook-id, at a receiver "
                 "in the bench process); its hanging endpoints are one asyncio process that reads every request and never "
                 "answers.")
    lines.append("")
    if bench.errors:
        lines.append("Broken parts:")
        lines.extend(f"- {k}: {v}" for k, v in bench.errors.items())
        lines.append("")
    return "\n".join(lines)


def main():
    for tool, name in ((HOOKGATE, "hookgate"), (HGLOAD, "hgload"), (WRK, "wrk"), (NGINX, "nginx"),
                       (SMTP_SINK, "smtp-sink"), (SMTP_SOURCE, "smtp-source")):
        if not os.access(tool, os.X_OK):
            print(f"bench: {name} not found at {tool}; run bench/run, which installs and builds everything", file=sys.stderr)
            return 1
    parent = os.environ.get("BENCH_WORK_PARENT", BUILD)  # on the repository's disk, not a tmpfs
    os.makedirs(parent, exist_ok=True)
    work = tempfile.mkdtemp(prefix="bench-", dir=parent)
    log(f"work folder {work}; sizes: backlog {BACKLOG}, email {EMAIL_BACKLOG}, memory {MEMORY_PENDING}, "
        f"stats {STATS_SMALL} vs {STATS_LARGE}, wrk {DURATION:g} s, latency {LATENCY_DURATION:g} s")
    started = time.monotonic()
    bench = Bench(work)
    bench.nginx = Nginx(work)
    try:
        bench.nginx.start()
        bench.part("nginx_baseline", bench.nginx_baseline)
        bench.part("sqlite_baseline", bench.sqlite_baseline)
        bench.part("ingest", bench.ingest)
        bench.part("drain_fanout1", bench.drain_fanout1)
        bench.part("drain_fanout4", bench.drain_fanout4)
        bench.part("e2e", bench.e2e)
        bench.part("email", bench.email)
        bench.part("memory", bench.memory)
        bench.part("stats_small", bench.stats_small)
        bench.part("stats_large", bench.stats_large)
        bench.part("postgres_nodes", bench.postgres_nodes)
        bench.part("hostile_api", bench.hostile_api)
        bench.part("noisy_neighbour", bench.noisy_neighbour)
    except Broken as e:
        bench.errors["setup"] = str(e)
        log(f"setup BROKE: {e}")
    finally:
        bench.nginx.stop()
    total = time.monotonic() - started
    text = render(bench, total, machine())
    print()
    print(text)
    os.makedirs(RESULTS, exist_ok=True)
    with open(os.path.join(RESULTS, "latest.md"), "w") as f:
        f.write(text)
    with open(os.path.join(RESULTS, "latest.json"), "w") as f:
        json.dump({"quick": QUICK, "seconds": total, "results": bench.results, "errors": bench.errors,
                   "settings": {"backlog": BACKLOG, "email_backlog": EMAIL_BACKLOG, "memory_pending": MEMORY_PENDING,
                                "stats_small": STATS_SMALL, "stats_large": STATS_LARGE, "workers": WORKERS,
                                "wrk": f"{WRK_THREADS}x{WRK_CONNECTIONS}", "duration": DURATION,
                                "latency_duration": LATENCY_DURATION, "noisy_accounts": NOISY_ACCOUNTS,
                                "noisy_pending": NOISY_PENDING, "noisy_rate": NOISY_RATE, "noisy_seconds": NOISY_SECONDS,
                                "noisy_drain": NOISY_DRAIN}}, f, indent=2)
    log(f"table written to {os.path.join(RESULTS, 'latest.md')}")
    if KEEP or bench.errors:
        log(f"kept the work folder (logs, databases): {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if bench.errors else 0


if __name__ == "__main__":
    sys.exit(main())
