"""Part `postgres_nodes` of the benchmark (run by bench/bench.py, which passes itself as `b`):
1, 2 and 3 hookgate nodes on one PostgreSQL 15, all on this machine.

The bench starts its own PostgreSQL as the tests do (initdb in the work folder, a Unix socket
in a short temporary folder, no TCP, no system service; as the `postgres` user when run as
root), with fsync and synchronous_commit on (an event is acknowledged only once it is durable,
as with SQLite synchronous=FULL). For each node count N, on a fresh database:

  ingest  one wrk per node at the same time (the 16 connections of part 2 split between them),
          the endpoint pointing at nginx (deliveries run concurrently), for BENCH_DURATION s;
          then the time until nothing is pending.
  drain   a backlog of BENCH_NODES_BACKLOG deliveries ingested while nginx is paused (as part
          3), drained by the N nodes together after SIGCONT.

Beside each rate: the CPU used by the hookgate processes, by PostgreSQL (postmaster and all
its backends) and by the whole machine (of 100% per core), PostgreSQL's commits/s (the
COMMIT records in the WAL, counted with pg_waldump: transactions that wrote something) and WAL
bytes per event (pg_current_wal_flush_lsn). A pgbench baseline gives the commits/s
this disk and server allow (one-row INSERT transactions, 1 and 16 clients). After the
single-node run the database's size per event is measured (pg_total_relation_size per table,
as written and after VACUUM FULL), for the sizing model in docs/multi-node.md.
"""

import ctypes
import os
import pwd
import re
import resource
import shutil
import signal
import subprocess
import tempfile
import time

PG_BIN = os.environ.get("BENCH_PG_BIN", "/usr/lib/postgresql/15/bin")
NODE_COUNTS = [int(n) for n in os.environ.get("BENCH_NODES", "1,2,3").split(",") if n.strip()]
PR_SET_PDEATHSIG = 1


def env_int(name, default):
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


class PostgreSQL:
    """A PostgreSQL server of the bench's own (stopped with SIGINT, or when the bench dies)."""

    def __init__(self, b, work):
        self.b = b
        self.data = os.path.join(work, "postgresql")
        self.socket_dir = tempfile.mkdtemp(prefix="hgbench-pg-")  # a socket path has at most 107 bytes
        self.port = "5432"
        self.process = None
        self.log_path = os.path.join(work, "postgresql.log")
        self.user = None
        if os.geteuid() == 0:
            self.user = pwd.getpwnam("postgres")  # PostgreSQL refuses to run as root
            # The server's user must reach its data folder: traverse-only for the work folder.
            os.chmod(work, 0o711)
            os.chown(self.socket_dir, self.user.pw_uid, self.user.pw_gid)
        os.makedirs(self.data, mode=0o700)
        if self.user:
            os.chown(self.data, self.user.pw_uid, self.user.pw_gid)

    def _spawn(self, args, **kwargs):
        options = {}
        if self.user:
            options = {"user": self.user.pw_uid, "group": self.user.pw_gid, "extra_groups": []}
        libc = ctypes.CDLL(None, use_errno=True)

        def tie_to_bench():
            # After the switch to the server's user (which would clear it): SIGINT (fast
            # shutdown) when the bench's thread that started it ends.
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGINT)

        log = open(self.log_path, "a")
        return subprocess.Popen(args, stdout=log, stderr=log, stdin=subprocess.DEVNULL, preexec_fn=tie_to_bench,
                                cwd=self.data, **options, **kwargs)

    def start(self):
        initdb = self._spawn([os.path.join(PG_BIN, "initdb"), "-D", self.data, "-U", "postgres", "-A", "trust",
                              "-E", "UTF8", "--locale=C", "--no-sync"])
        if initdb.wait(timeout=300) != 0:
            raise self.b.Broken(f"initdb failed ({initdb.returncode}); see {self.log_path}: {self.tail()}")
        self.process = self._spawn([os.path.join(PG_BIN, "postgres"), "-D", self.data, "-k", self.socket_dir, "-p", self.port,
                                    "-c", "listen_addresses=", "-c", "fsync=on", "-c", "synchronous_commit=on",
                                    "-c", "shared_buffers=256MB", "-c", "max_connections=200",
                                    "-c", "max_wal_size=4GB", "-c", "track_io_timing=off"],
                                   start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise self.b.Broken(f"postgres exited at start ({self.process.returncode}): {self.tail()}")
            if subprocess.run([os.path.join(PG_BIN, "pg_isready"), "-q", "-h", self.socket_dir, "-p", self.port]).returncode == 0:
                return
            time.sleep(0.1)
        raise self.b.Broken(f"postgres did not accept connections within 60 s: {self.tail()}")

    def tail(self):
        try:
            with open(self.log_path) as f:
                return " | ".join(f.read().strip().splitlines()[-5:])
        except OSError:
            return ""

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        shutil.rmtree(self.socket_dir, ignore_errors=True)

    def connection(self, database):
        return f"host={self.socket_dir} port={self.port} user=postgres dbname={database}"

    def sql(self, database, statement):
        done = subprocess.run([os.path.join(PG_BIN, "psql"), "-h", self.socket_dir, "-p", self.port, "-U", "postgres",
                               "-d", database, "-AtXq", "-v", "ON_ERROR_STOP=1", "-c", statement],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            raise self.b.Broken(f"psql: {statement}: {done.stderr.strip()}")
        return done.stdout.strip()

    def cpu_seconds(self):
        """CPU used by the postmaster, its live backends and the backends that have exited."""
        ticks = os.sysconf("SC_CLK_TCK")
        pid = self.process.pid
        total = 0.0
        for process, fields in self.b.process_stats():
            if process == pid:
                total += sum(int(x) for x in fields[11:15]) / ticks  # utime stime cutime cstime
            elif int(fields[1]) == pid:
                total += (int(fields[11]) + int(fields[12])) / ticks
        return total

    def commits_between(self, start, end):
        """Transactions that wrote and committed between two WAL positions (the COMMIT records in
        the WAL, read with pg_waldump: exact, unlike the statistics counters, which lag)."""
        if start == end:
            return 0
        done = subprocess.run([os.path.join(PG_BIN, "pg_waldump"), "--path", os.path.join(self.data, "pg_wal"),
                               "--start", start, "--end", end, "--stats=record"], capture_output=True, text=True, timeout=600)
        match = re.search(r"^Transaction/COMMIT\s+(\d+)", done.stdout, re.MULTILINE)
        if not match:
            if "Transaction/" not in done.stdout and done.returncode == 0:
                return 0
            raise self.b.Broken(f"pg_waldump {start}..{end} ({done.returncode}): {(done.stderr or done.stdout).strip()[-300:]}")
        return int(match.group(1))

    def pgbench(self, database, clients, seconds):
        """Single-row INSERT transactions (a 1.5 KB row each): commits/s this server and disk allow."""
        self.sql(database, "CREATE TABLE IF NOT EXISTS bench_commits (id BIGSERIAL PRIMARY KEY, body TEXT NOT NULL)")
        script = os.path.join(self.socket_dir, "insert.sql")
        with open(script, "w") as f:
            f.write("INSERT INTO bench_commits (body) VALUES (repeat('y', 1500));\n")
        done = subprocess.run([os.path.join(PG_BIN, "pgbench"), "-n", "-h", self.socket_dir, "-p", self.port, "-U", "postgres",
                               "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(max(1, round(seconds))), "-f", script,
                               database], capture_output=True, text=True, timeout=seconds + 120)
        if done.returncode != 0:
            raise self.b.Broken(f"pgbench failed ({done.returncode}): {done.stderr.strip()[-300:]}")
        match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", done.stdout)
        if not match:
            raise self.b.Broken("pgbench printed no tps: " + done.stdout[-300:])
        return float(match.group(1))


def machine_busy_seconds():
    """CPU seconds the whole machine has spent busy (all cores, /proc/stat)."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


class Sample:
    """CPU and the WAL position at one moment; `since` gives the figures of an interval."""

    def __init__(self, pg, database, nodes):
        self.pg = pg
        self.at = time.monotonic()
        self.hookgate = sum(n.cpu_seconds() for n in nodes)
        self.postgres = pg.cpu_seconds()
        self.machine = machine_busy_seconds()
        lsn, position = pg.sql(database, "SELECT pg_current_wal_flush_lsn(), pg_current_wal_flush_lsn() - '0/0'").split("|")
        self.lsn = lsn
        self.wal = int(float(position))

    def since(self, earlier):
        seconds = self.at - earlier.at
        commits = self.pg.commits_between(earlier.lsn, self.lsn)
        return {"seconds": seconds,
                "hookgate_cpu": (self.hookgate - earlier.hookgate) / seconds,
                "postgres_cpu": (self.postgres - earlier.postgres) / seconds,
                "machine_cpu": (self.machine - earlier.machine) / seconds,
                "commits": commits,
                "commits_per_s": commits / seconds,
                "wal_bytes": self.wal - earlier.wal}


def start_nodes(b, work, pg, database, count, tag):
    nodes = []
    try:
        for i in range(count):
            node = b.Hookgate(work, f"{tag}-node{i + 1}", extra={
                "hookgate.store.type": "postgresql",
                "hookgate.store.postgresql.connection": pg.connection(database)})
            node.start()
            nodes.append(node)
    except Exception:
        for node in nodes:
            node.stop()
        raise
    return nodes


def ingest(b, bench, work, pg, count):
    database = f"hg_ingest_{count}"
    pg.sql("postgres", f"CREATE DATABASE {database} ENCODING 'UTF8' TEMPLATE template0")
    nodes = start_nodes(b, work, pg, database, count, f"pg-ingest{count}")
    try:
        endpoint = nodes[0].setup_account("nodes", [{"url": bench.nginx.url("/nodes")}])[0]
        empty_bytes = int(pg.sql(database, "SELECT pg_database_size(current_database())"))
        # wrk per node at once; 16 connections in all, as in part 2.
        per_node = [b.WRK_CONNECTIONS // count + (1 if i < b.WRK_CONNECTIONS % count else 0) for i in range(count)]
        threads = 2 if count == 1 else 1
        before = Sample(pg, database, nodes)
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        runs = []
        with ThreadRunner() as runner:
            for node, connections in zip(nodes, per_node):
                runs.append(runner.submit(b.run_wrk, node.url("/api/v1/accounts/nodes/events"), bench.body_file,
                                          token=b.ADMIN_TOKEN, threads=threads, connections=connections))
        after = Sample(pg, database, nodes)
        results = [r.result() for r in runs]
        for r in results:
            b.check_wrk(r, f"{count} nodes ingest")
        window = after.since(before)
        drained = nodes[0].wait_drained(f"{count} nodes ingest backlog")
        done = Sample(pg, database, nodes)
        whole = done.since(before)
        events = sum(r["ok"] for r in results)
        succeeded = nodes[0].endpoint_stats("nodes", endpoint)["succeeded"]
        if succeeded < events:
            raise b.Broken(f"{count} nodes ingest: {succeeded} of {events} acknowledged deliveries succeeded")
        result = {"nodes": count, "events": events, "rate": sum(r["rate"] for r in results),
                  "p50_ms": max(r["p50_us"] for r in results) / 1000, "p99_ms": max(r["p99_us"] for r in results) / 1000,
                  "wrk": [r["command"] for r in results], "window": window, "drain_after_s": drained, "whole": whole,
                  "wal_bytes_per_event": whole["wal_bytes"] / events, "commits_per_event": whole["commits"] / events,
                  "hookgate_cpu_ms_per_event": whole["hookgate_cpu"] * whole["seconds"] * 1000 / events,
                  "postgres_cpu_ms_per_event": whole["postgres_cpu"] * whole["seconds"] * 1000 / events}
        children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
        result["load_cpu"] = (children_after.ru_utime + children_after.ru_stime - children.ru_utime - children.ru_stime) / window["seconds"]
        if count == 1:
            result["size"] = sizes(pg, database, events, empty_bytes)
        b.log(f"{count} node(s): ingest {result['rate']:.0f} events/s; hookgate {window['hookgate_cpu'] * 100:.0f}% CPU, "
              f"postgres {window['postgres_cpu'] * 100:.0f}%, machine {window['machine_cpu'] * 100:.0f}%; "
              f"{window['commits_per_s']:.0f} commits/s; {result['wal_bytes_per_event']:.0f} WAL bytes/event")
        return result
    finally:
        for node in nodes:
            node.stop()


def sizes(pg, database, events, empty_bytes):
    """Bytes per event in each table (with its indexes and TOAST), as written and after VACUUM FULL."""
    query = ("SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
             "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1")

    def tables():
        out = {}
        for line in pg.sql(database, query).splitlines():
            name, size = line.split("|")
            out[name] = int(size)
        return out

    written = tables()
    database_bytes = int(pg.sql(database, "SELECT pg_database_size(current_database())"))
    pg.sql(database, "VACUUM FULL")
    compact = tables()
    return {"events": events, "empty_database_bytes": empty_bytes, "database_bytes": database_bytes,
            "written": written, "compact": compact,
            "written_per_event": {k: v / events for k, v in written.items()},
            "compact_per_event": {k: v / events for k, v in compact.items()}}


def drain(b, bench, work, pg, count, backlog):
    database = f"hg_drain_{count}"
    pg.sql("postgres", f"CREATE DATABASE {database} ENCODING 'UTF8' TEMPLATE template0")
    nodes = start_nodes(b, work, pg, database, count, f"pg-drain{count}")
    try:
        endpoint = nodes[0].setup_account("nodes", [{"url": bench.nginx.url("/nodes-drain")}])[0]
        bench.nginx.pause()
        try:
            fill = b.fill_backlog(nodes[0], "nodes", backlog, bench.body_file, f"{count} nodes: filling the backlog")
            pending = nodes[0].pending()
            b.check_backlog(f"{count} nodes drain", pending, backlog)
            before = Sample(pg, database, nodes)
        finally:
            bench.nginx.resume()
        nodes[0].wait_drained(f"{count} nodes drain")
        after = Sample(pg, database, nodes)
        window = after.since(before)
        succeeded = nodes[0].endpoint_stats("nodes", endpoint)["succeeded"]
        if succeeded != backlog:
            raise b.Broken(f"{count} nodes drain: {succeeded} of {backlog} deliveries succeeded")
        shares = [n.metrics().get('hookgate_attempts_total{transport="http",result="succeeded"}', 0) for n in nodes]
        result = {"nodes": count, "deliveries": pending, "rate": pending / window["seconds"], "fill": fill, "window": window,
                  "shares": shares, "commits_per_delivery": window["commits"] / pending,
                  "wal_bytes_per_delivery": window["wal_bytes"] / pending,
                  "hookgate_cpu_ms_per_delivery": window["hookgate_cpu"] * window["seconds"] * 1000 / pending,
                  "postgres_cpu_ms_per_delivery": window["postgres_cpu"] * window["seconds"] * 1000 / pending}
        b.log(f"{count} node(s): drain {result['rate']:.0f} deliveries/s (shares {', '.join(f'{s:.0f}' for s in shares)}); "
              f"hookgate {window['hookgate_cpu'] * 100:.0f}% CPU, postgres {window['postgres_cpu'] * 100:.0f}%, "
              f"machine {window['machine_cpu'] * 100:.0f}%; {window['commits_per_s']:.0f} commits/s")
        return result
    finally:
        for node in nodes:
            node.stop()


class ThreadRunner:
    """Runs calls in threads; leaving the `with` block waits for all of them."""

    def __init__(self):
        import concurrent.futures
        self.pool = concurrent.futures.ThreadPoolExecutor(max_workers=8)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.pool.shutdown(wait=True)

    def submit(self, function, *args, **kwargs):
        return self.pool.submit(function, *args, **kwargs)


def run(bench, b):
    """The part: fills bench.results["postgres_nodes"]."""
    backlog = env_int("BENCH_NODES_BACKLOG", 5000 if b.QUICK else 20000)
    if not os.access(os.path.join(PG_BIN, "postgres"), os.X_OK):
        raise b.Broken(f"PostgreSQL 15 not found in {PG_BIN} (bench/run installs postgresql-15; or set BENCH_PG_BIN)")
    pg = PostgreSQL(b, bench.work)
    pg.start()
    try:
        out = {"backlog": backlog, "settings": "fsync=on, synchronous_commit=on, shared_buffers=256MB, max_wal_size=4GB"}
        pg.sql("postgres", "CREATE DATABASE bench_commits")
        out["pgbench_1"] = pg.pgbench("bench_commits", 1, b.SQLITE_SECONDS)
        out["pgbench_16"] = pg.pgbench("bench_commits", 16, b.SQLITE_SECONDS)
        b.log(f"pgbench one-row INSERT commits: {out['pgbench_1']:.0f}/s (1 client), {out['pgbench_16']:.0f}/s (16 clients)")
        out["ingest"] = {}
        out["drain"] = {}
        for count in NODE_COUNTS:
            out["ingest"][count] = ingest(b, bench, bench.work, pg, count)
            out["drain"][count] = drain(b, bench, bench.work, pg, count, backlog)
        bench.results["postgres_nodes"] = out
    finally:
        pg.stop()


# ---- the table ---------------------------------------------------------------------------------

def rows(r, e, b):
    """(id, what, figure, baseline, ratio, target, met) rows for bench.py's table."""
    out = []
    p = r.get("postgres_nodes")
    if not p:
        if "postgres_nodes" in e:
            out.append(("7", "several nodes on PostgreSQL", f"**broke:** {e['postgres_nodes']}", "", "", "", ""))
        return out
    cores = os.cpu_count() or 1
    out.append(("7a", "PostgreSQL one-row INSERT commits (pgbench, fsync and synchronous_commit on, 1.5 KB row), same disk",
                f"{p['pgbench_1']:,.0f} commits/s (1 client), {p['pgbench_16']:,.0f} (16 clients)", "baseline", "", "", ""))
    one_ingest = p["ingest"].get(1, {}).get("rate")
    one_drain = p["drain"].get(1, {}).get("rate")
    for count in sorted(p["ingest"]):
        i = p["ingest"][count]
        w = i["window"]
        cpu = (f"hookgate {w['hookgate_cpu'] * 100:.0f}%, postgres {w['postgres_cpu'] * 100:.0f}%, "
               f"machine {w['machine_cpu'] * 100:.0f}% of {cores * 100}%; {w['commits_per_s']:,.0f} commits/s")
        out.append((f"7b{count}", f"durable ingest on PostgreSQL, {count} node{'s' if count > 1 else ''} (wrk per node, 16 connections in all, "
                    f"1 KB event, fan-out 1 to nginx) — {cpu}",
                    f"{i['rate']:,.0f} events/s", f"1 node: {one_ingest:,.0f} events/s" if count > 1 and one_ingest else "",
                    f"{i['rate'] / one_ingest:.2f}×" if count > 1 and one_ingest else "", "", ""))
    for count in sorted(p["drain"]):
        d = p["drain"][count]
        w = d["window"]
        cpu = (f"hookgate {w['hookgate_cpu'] * 100:.0f}%, postgres {w['postgres_cpu'] * 100:.0f}%, "
               f"machine {w['machine_cpu'] * 100:.0f}% of {cores * 100}%; {w['commits_per_s']:,.0f} commits/s; "
               f"sent per node {', '.join(f'{s:,.0f}' for s in d['shares'])}")
        out.append((f"7c{count}", f"HTTP delivery on PostgreSQL, {count} node{'s' if count > 1 else ''}, draining {d['deliveries']:,} "
                    f"deliveries to nginx — {cpu}", f"{d['rate']:,.0f} deliveries/s",
                    f"1 node: {one_drain:,.0f} deliveries/s" if count > 1 and one_drain else "",
                    f"{d['rate'] / one_drain:.2f}×" if count > 1 and one_drain else "", "", ""))
    return out


def info(r):
    p = r.get("postgres_nodes")
    if not p:
        return []
    lines = []
    one = p["ingest"].get(1)
    if one:
        lines.append(f"PostgreSQL, 1 node: per event (ingest + its delivery) {one['commits_per_event']:.2f} commits, "
                     f"{one['wal_bytes_per_event']:,.0f} WAL bytes, hookgate {one['hookgate_cpu_ms_per_event']:.3f} ms CPU, "
                     f"PostgreSQL {one['postgres_cpu_ms_per_event']:.3f} ms CPU; wrk used {one['load_cpu'] * 100:.0f}% CPU.")
        s = one.get("size")
        if s:
            per = s["written_per_event"]
            compact = s["compact_per_event"]
            kept = [t for t in per if t not in ("payloads", "response_bodies")]
            lines.append(f"PostgreSQL size per event after {s['events']:,} events (1 KB event, fan-out 1, one attempt each), "
                         f"tables with indexes and TOAST, as written / after VACUUM FULL: "
                         + ", ".join(f"{t} {per[t]:,.0f} / {compact.get(t, 0):,.0f} B" for t in sorted(per) if per[t] > 0)
                         + f"; the log rows kept after archiving (all but payloads and response_bodies): "
                         f"{sum(per[t] for t in kept):,.0f} / {sum(compact.get(t, 0) for t in kept):,.0f} B.")
    for count in sorted(p["drain"]):
        d = p["drain"][count]
        lines.append(f"PostgreSQL drain, {count} node(s): per delivery {d['commits_per_delivery']:.2f} commits, "
                     f"{d['wal_bytes_per_delivery']:,.0f} WAL bytes, hookgate {d['hookgate_cpu_ms_per_delivery']:.3f} ms CPU, "
                     f"PostgreSQL {d['postgres_cpu_ms_per_delivery']:.3f} ms CPU; backlog filled at {d['fill']['rate']:,.0f} events/s "
                     f"through node 1.")
    lines.append(f"PostgreSQL server of the bench: {p['settings']}; data in the work folder, Unix socket.")
    return lines
