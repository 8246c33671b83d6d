#!/usr/bin/env python
"""Serve GOGOMARKET with production settings and measure it with wrk.

    .venv/bin/python bench/run.py                 # 2 uvicorn workers, 16 connections, 10 s each
    .venv/bin/python bench/run.py --duration 5 --workers 4 --endpoints healthz,search-broad

Starts uvicorn (DEBUG=false, a fresh SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, DATABASE_URL = the
benchmark database, DATABASE_CONN_MAX_AGE=0 unless --conn-max-age, Redis key prefix ``bench``) on a free loopback
port after collectstatic, waits for /healthz, checks every endpoint answers 200, then runs wrk
against each endpoint twice:

* cached:   the same URL over and over; anonymous pages come from the Redis page cache.
* uncached: a unique ``_=...`` query parameter per request (bench/report.lua), so every page
            is a page-cache miss and is rendered from PostgreSQL (the product-card, facet and
            category-tree caches stay warm: they are part of how a page is built).

Prints one table (req/s, p50/p95/p99 latency, ratio to /healthz req/s of the same mode) and
writes it with the machine and the command to bench/RESULTS.md (raw numbers and the server log
go to bench/results/). The server is stopped at the end, on errors and on Ctrl-C.
"""

import argparse
import base64
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS_DIR = BENCH / "results"


def terms_file(database_url):
    """The planted search terms of one benchmark database (bench/terms-<database>.json)."""
    name = database_url.rstrip("/").rsplit("/", 1)[-1].split("?")[0]
    return BENCH / f"terms-{name}.json"


LUA = BENCH / "report.lua"
VENV_BIN = ROOT / ".venv" / "bin"
DEFAULT_DATABASE_URL = "postgis:///gogomarket_bench_100000"
CACHED_PAGES = {"home", "category-top", "category-leaf", "product"}  # served by the page cache

EXCEPTION_RE = re.compile(r"^[\w.]+(?:Error|Exception|Interrupt|Exit)\b:?.*$", re.MULTILINE)

START = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - START:6.1f}s] {message}", flush=True)


def die(message):
    print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(1)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Benchmark GOGOMARKET pages and API with wrk under production settings.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (-c)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (-t)")
    parser.add_argument("--duration", type=int, default=10, help="seconds per measured wrk run")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of unrecorded wrk load before each run")
    parser.add_argument("--timeout", type=int, default=30, help="wrk request timeout, seconds")
    parser.add_argument(
        "--modes",
        default="cached,uncached,single",
        help="comma-separated: cached (page cache warm), uncached (miss), single (one client, page cache "
        "missed: the latency of one search with nobody queueing; healthz and search only)",
    )
    parser.add_argument(
        "--endpoints",
        default="all",
        help="comma-separated subset of: healthz, home, category-top, category-leaf, search-selective, "
        "search-broad, product, api-products (healthz is always measured: it is the baseline)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="benchmark database loaded by bench/generate.py (env BENCH_DATABASE_URL)",
    )
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=0,
        help="DATABASE_CONN_MAX_AGE of the server. Under uvicorn (ASGI) Django runs every request in a "
        "new thread, so a persistent connection is never reused and >0 piles connections up until "
        "PostgreSQL refuses clients (see bench/README.md)",
    )
    parser.add_argument(
        "--pool",
        type=int,
        default=8,
        help="DATABASE_POOL_MAX_SIZE of each server process (a psycopg connection pool; 0: a new "
        "connection per request)",
    )
    parser.add_argument("--cache-prefix", default="bench", help="Redis key prefix of the run (cleared before/after)")
    parser.add_argument("--port", type=int, default=0, help="loopback port (0: a free one)")
    parser.add_argument("--results", default=str(BENCH / "RESULTS.md"), help="markdown report to write")
    parser.add_argument("--no-report", action="store_true", help="print the table only, do not write RESULTS.md")
    parser.add_argument(
        "--no-tune",
        action="store_true",
        help="leave the local PostgreSQL as it is (by default shared_buffers is raised from Debian's 128MB "
        "to a quarter of the RAM, at most 4GB, and the cluster restarted)",
    )
    args = parser.parse_args(argv)
    args.modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not args.modes or set(args.modes) - {"cached", "uncached", "single"}:
        parser.error("--modes takes cached, uncached and/or single")
    if "bench" not in args.cache_prefix:
        parser.error("--cache-prefix must contain 'bench' (its keys are deleted)")
    if min(args.workers, args.connections, args.threads, args.duration) < 1 or args.threads > args.connections:
        parser.error("--workers, --connections, --threads and --duration must be positive, threads <= connections")
    return args


# --- environment ------------------------------------------------------------------------------
def tune_postgres(args):
    """Debian starts PostgreSQL with shared_buffers = 128MB whatever the machine; a catalog of a
    million products then reads its search tables through the kernel's cache page by page. A
    server of ours gets a quarter of the RAM (at most 4GB), as any production setup would."""
    if args.no_tune or "@" in args.database_url.split("//", 1)[-1].split("/", 1)[0]:
        return  # asked not to, or not the local cluster over the socket
    sql = "SELECT setting::bigint * 8192 FROM pg_settings WHERE name = 'shared_buffers'"
    current = subprocess.run(["psql", "-X", "-At", "-d", "postgres", "-c", sql], capture_output=True, text=True)
    if current.returncode != 0:
        return
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    wanted = min(ram // 4, 4 * 2**30)
    if int(current.stdout.strip() or 0) >= wanted:
        return
    megabytes = wanted // 2**20
    log(f"raising PostgreSQL shared_buffers to {megabytes}MB (ALTER SYSTEM) and restarting the cluster")
    subprocess.run(
        ["psql", "-X", "-d", "postgres", "-c", f"ALTER SYSTEM SET shared_buffers = '{megabytes}MB'"], check=True
    )
    clusters = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout.split()
    if len(clusters) >= 2:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", clusters[0], clusters[1], "restart"], check=True)
    time.sleep(2)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        die("wrk is not installed: `sudo apt-get install wrk` (or `make bench`, which installs it)")
    log("installing wrk (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "wrk"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, check=True)
        subprocess.run(install, env=env, check=True, capture_output=True)


def server_env(args):
    env = os.environ.copy()
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=args.database_url,
        DATABASE_CONN_MAX_AGE=str(args.conn_max_age),
        DATABASE_POOL_MAX_SIZE=str(args.pool),
        FINANCE_ENCRYPTION_KEYS="bench:" + base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        PAYMENT_SANDBOX_ALLOWED="true",  # nothing is paid in a benchmark
        CACHE_KEY_PREFIX=args.cache_prefix,
        CHANNELS_PREFIX=f"{args.cache_prefix}:asgi",
        # Manifest static files of this run, apart from the development ones.
        STATIC_ROOT="var/bench-static",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="gogomarket.settings",
        PYTHONUNBUFFERED="1",
    )
    return env


def setup_django(env):
    for key in ("DATABASE_URL", "CACHE_KEY_PREFIX", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "STATIC_ROOT",
                "FINANCE_ENCRYPTION_KEYS", "PAYMENT_SANDBOX_ALLOWED"):  # fmt: skip
        os.environ[key] = env[key]
    os.environ["DJANGO_SETTINGS_MODULE"] = "gogomarket.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def clear_cache_prefix(prefix):
    """Delete this run's Redis keys (a reloaded database reuses product ids: stale cards and pages
    of an earlier catalog must not be served)."""
    from gogomarket.core.cache import redis_client

    client = redis_client()
    deleted = 0
    batch = []
    for key in client.scan_iter(match=f"{prefix}:*", count=1000):
        batch.append(key)
        if len(batch) >= 1000:
            deleted += client.unlink(*batch)
            batch = []
    if batch:
        deleted += client.unlink(*batch)
    return deleted


def pick_targets(terms):
    """The URLs to measure, chosen from the benchmark database."""
    from django.db import connection

    visible = (
        "p.status = 'active' AND p.deleted_at IS NULL AND p.seller_id IN "
        "(SELECT id FROM users WHERE status = 'active' AND deleted_at IS NULL)"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE " + visible + ") FROM products p")
        total, listed = cursor.fetchone()
        # The busiest top-level category (its page lists every product below it) ...
        cursor.execute(
            f"""
            SELECT r.slug, r.name, count(*) FROM products p
            JOIN categories l ON l.id = p.category_id
            JOIN categories s ON s.id = l.parent_id
            JOIN categories r ON r.id = s.parent_id
            WHERE {visible} AND r.parent_id IS NULL
            GROUP BY r.id ORDER BY count(*) DESC LIMIT 1
            """
        )
        top = cursor.fetchone()
        # ... and the busiest leaf.
        cursor.execute(
            f"""
            SELECT l.slug, l.name, count(*) FROM products p JOIN categories l ON l.id = p.category_id
            WHERE {visible} AND NOT EXISTS (SELECT 1 FROM categories c WHERE c.parent_id = l.id)
            GROUP BY l.id ORDER BY count(*) DESC LIMIT 1
            """
        )
        leaf = cursor.fetchone()
        # A popular product with variants and a full gallery.
        cursor.execute(
            f"""
            SELECT p.slug, p.name FROM products p
            WHERE {visible}
              AND EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id)
              AND (SELECT count(*) FROM product_images i WHERE i.product_id = p.id) >= 2
            ORDER BY p.view_count DESC, p.id LIMIT 1
            """
        )
        product = cursor.fetchone()
    if not (top and leaf and product):
        die("the benchmark database has no visible products: run bench/generate.py")
    selective, broad = terms["selective"][0], terms["broad"][0]
    quote = urllib.parse.quote_plus
    targets = [
        ("healthz", "/healthz", "no database"),
        ("home", "/", "featured products, top categories"),
        ("category-top", f"/catalog/{top[0]}/", f"{top[1]}: {top[2]:,} products"),
        ("category-leaf", f"/catalog/{leaf[0]}/", f"{leaf[1]}: {leaf[2]:,} products"),
        ("search-selective", f"/search/?q={quote(selective['q'])}", f"{selective['matches']:,} matches"),
        ("search-broad", f"/search/?q={quote(broad['q'])}", f"{broad['matches']:,} matches, ranked"),
        ("product", f"/products/{product[0]}/", product[1]),
        ("api-products", "/api/v1/products/", "page 1 of 24, popular first"),
    ]
    return targets, total, listed


# --- server -----------------------------------------------------------------------------------
def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    def __init__(self, args, env, port, log_path):
        self.args, self.env, self.port, self.log_path = args, env, port, log_path
        self.process = None
        self.base = f"http://127.0.0.1:{port}"

    def start(self):
        self.log_file = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        cmd = [
            str(VENV_BIN / "uvicorn"),
            "gogomarket.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        # Its own session: Ctrl-C reaches this script, which then stops the whole server group.
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=self.env, stdout=self.log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        log(f"uvicorn pid {self.process.pid}: {self.args.workers} workers on {self.base} (log {self.log_path})")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                die(f"uvicorn exited with {self.process.returncode}; see {self.log_path}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        die(f"/healthz did not answer within 90 s; see {self.log_path}")

    def log_tail(self, lines=40):
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def errors(self):
        """Exceptions the server logged, commonest first: [(line, count)]."""
        try:
            text = Path(self.log_path).read_text(errors="replace")
        except OSError:
            return []
        found = Counter(m.group(0).strip()[:200] for m in EXCEPTION_RE.finditer(text))
        return found.most_common(10)

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        log(f"stopping uvicorn (pid {self.process.pid})")
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass
        self.log_file.close()


def fetch(url):
    request = urllib.request.Request(url, headers={"User-Agent": "gogomarket-bench"})
    began = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
            return response.status, response.headers, body, time.monotonic() - began
    except urllib.error.HTTPError as error:  # headers: an email.message.Message, case-insensitive
        return error.code, error.headers, error.read(), time.monotonic() - began


def preflight(server, targets):
    """One request per endpoint (and a second for cached pages): status, size, page cache."""
    checks = {}
    for name, path, _about in targets:
        status, headers, body, first = fetch(server.base + path)
        cache = headers.get("X-Page-Cache", "-")
        if status == 200 and name in CACHED_PAGES:
            _s, headers2, _b, second = fetch(server.base + path)
            cache = f"{cache}, then {headers2.get('X-Page-Cache', '-')}"
        checks[name] = {"status": status, "bytes": len(body), "first_ms": round(first * 1000, 1), "cache": cache}
        mark = "ok" if status == 200 else "FAILED"
        log(f"  {mark:<6} {status} {name:<17} {path}  {len(body):,} bytes, {first * 1000:,.0f} ms, cache {cache}")
        if status != 200:
            checks[name]["body"] = body[:300].decode(errors="replace")
    return checks


# --- wrk --------------------------------------------------------------------------------------
def wrk(args, url, seconds, bust, token, single=False):
    cmd = [
        "wrk",
        "-t",
        "1" if single else str(args.threads),
        "-c",
        "1" if single else str(args.connections),
        "-d",
        f"{seconds}s",
        "--timeout",
        f"{args.timeout}s",
        "-s",
        str(LUA),
        url,
        "--",
        "1" if bust else "0",
        token,
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + args.timeout + 30)
    for line in result.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON ") :])
            seconds_run = data["duration_us"] / 1e6
            data["rps"] = data["requests"] / seconds_run if seconds_run else 0.0
            data["errors"] = sum(
                data[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
            )
            return data
    raise RuntimeError(f"wrk printed no result (exit {result.returncode}): {result.stderr or result.stdout}")


def measure(args, server, targets, checks):
    rows = []
    run_token = secrets.token_hex(4)
    for mode in args.modes:
        bust = mode in ("uncached", "single")
        single = mode == "single"
        baseline = None
        for name, path, _about in targets:
            if single and not (name == "healthz" or name.startswith("search")):
                continue
            if checks[name]["status"] != 200:
                rows.append({"endpoint": name, "mode": mode, "failed": checks[name]["status"]})
                continue
            url = server.base + path
            token = f"{run_token}{mode[0]}{name}"
            if args.warmup:
                wrk(args, url, args.warmup, bust, token + "w", single)
            data = wrk(args, url, args.duration, bust, token, single)
            if name == "healthz":
                baseline = data["rps"]
            data.update(endpoint=name, mode=mode, ratio=(data["rps"] / baseline) if baseline else None)
            rows.append(data)
            log(
                f"  {mode:<8} {name:<17} {data['rps']:8,.1f} req/s  p50 {data['p50'] / 1000:7.1f}  "
                f"p95 {data['p95'] / 1000:7.1f}  p99 {data['p99'] / 1000:7.1f} ms"
                + (f"  errors {data['errors']}" if data["errors"] else "")
            )
    return rows


# --- report -----------------------------------------------------------------------------------
HEADER = ("endpoint", "mode", "req/s", "p50 ms", "p95 ms", "p99 ms", "x healthz", "errors")


def table_rows(rows):
    out = []
    for row in rows:
        if "failed" in row:
            out.append((row["endpoint"], row["mode"], f"HTTP {row['failed']}", "-", "-", "-", "-", "-"))
            continue
        out.append(
            (
                row["endpoint"],
                row["mode"],
                f"{row['rps']:,.1f}",
                f"{row['p50'] / 1000:,.1f}",
                f"{row['p95'] / 1000:,.1f}",
                f"{row['p99'] / 1000:,.1f}",
                f"{row['ratio']:.3f}" if row["ratio"] is not None else "-",
                str(row["errors"]),
            )
        )
    return out


def text_table(rows):
    body = table_rows(rows)
    widths = [max(len(HEADER[i]), *(len(r[i]) for r in body)) for i in range(len(HEADER))]

    def fmt(cells):
        pairs = enumerate(zip(cells, widths, strict=True))
        return "  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in pairs)

    return "\n".join([fmt(HEADER), fmt(["-" * w for w in widths]), *(fmt(r) for r in body)])


def markdown_table(rows):
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join(["---", "---"] + ["---:"] * (len(HEADER) - 2)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in table_rows(rows)]
    return "\n".join(lines)


def evaluate_targets(rows, products):
    """The targets of issue #4, checked against this run."""
    by = {(r["endpoint"], r["mode"]): r for r in rows if "failed" not in r}
    at_1m = "" if products >= 1_000_000 else f" (target is for 1M products; this run: {products:,})"
    checks = []
    for name in ("category-top", "category-leaf"):
        row = by.get((name, "cached"))
        if row:
            ok = row["ratio"] is not None and row["ratio"] >= 0.5 and row["p95"] <= 150_000
            checks.append(
                (
                    f"{name} (cached): >= 0.5x /healthz req/s and p95 <= 150 ms",
                    f"{row['ratio']:.3f}x, p95 {row['p95'] / 1000:,.1f} ms",
                    ok,
                )
            )
    for name, limit in (("search-selective", 50), ("search-broad", 250)):
        for mode in ("cached", "uncached", "single"):
            row = by.get((name, mode))
            if row:
                checks.append(
                    (
                        f"{name} ({mode}): p95 <= {limit} ms{at_1m}",
                        f"p95 {row['p95'] / 1000:,.1f} ms",
                        row["p95"] <= limit * 1000,
                    )
                )
    return checks


def machine_info():
    info = {"nproc": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gib"] = round(int(line.split()[1]) / 2**20, 1)
                break
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    first = ((wrk_version.stdout or wrk_version.stderr).strip().splitlines() or ["wrk"])[0]
    info["wrk"] = first.split(" Copyright")[0]
    return info


def write_report(
    path, *, args, info, started, products, listed, targets, checks, rows, load, command, targets_eval, server_errors
):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run.py` (see bench/README.md for what is measured and how to read it).",
        "",
        f"- Date: {started.isoformat(timespec='seconds')}",
        f"- Command: `{command}`",
        f"- Code: commit {commit.stdout.strip() or '?'} (plus uncommitted changes, if any)",
        f"- Machine: {info.get('nproc')} CPUs ({info.get('cpu', '?')}), {info.get('ram_gib', '?')} GiB RAM, "
        f"Linux {info['kernel']}, Python {info['python']}, PostgreSQL {pg_version}, {info['wrk']}",
        f"- Catalog: {products:,} products ({listed:,} listed: active, not deleted, active seller)",
        f"- Server: uvicorn, {args.workers} workers, DEBUG=false, connection pool {args.pool} per worker, "
        f"Redis page cache (prefix `{args.cache_prefix}`); wrk on the same machine, {args.threads} threads, "
        f"{args.connections} connections, {args.duration} s per run after {args.warmup} s warm-up",
        f"- Load average (1/5/15 min) before: {load[0]}; after: {load[1]}",
        "",
        "**Noise:** this machine has 2 cores shared by the server, PostgreSQL, Redis and wrk. "
        "Absolute numbers move from run to run; the ratios to `/healthz` of the same run are the "
        "more stable figure.",
        "",
        markdown_table(rows),
        "",
        "`x healthz`: req/s of the endpoint divided by req/s of `/healthz` in the same mode. `cached`: "
        "the same URL repeated (anonymous page cache warm). `uncached`: a unique query parameter per "
        "request, so every page is rendered from PostgreSQL (the API is never page-cached; search "
        "results are shared with visitors for `SEARCH_PAGE_CACHE_TTL`, so `cached` search is that "
        "cache and `uncached` the search itself). `single`: one client, page cache missed, so the "
        "latency is the search's own, without queueing behind 15 other connections on 2 cores. "
        f"Latencies in milliseconds at {args.connections} connections (1 for `single`).",
        "",
        "## Targets (issue #4)",
        "",
        "The issue states the category target at 16 connections and the search targets as the "
        "latency of a search: those are read from the `single` rows (the 16-connection rows are "
        "listed too).",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        *(f"| {t} | {m} | {'yes' if ok else 'no'} |" for t, m, ok in targets_eval),
        "",
        "## Endpoints",
        "",
        "| endpoint | path | what | first request |",
        "|---|---|---|---|",
    ]
    for name, path_, about in targets:
        check = checks[name]
        lines.append(
            f"| {name} | `{path_}` | {about} | HTTP {check['status']}, {check['bytes']:,} bytes, "
            f"{check['first_ms']:,} ms, page cache {check['cache']} |"
        )
    lines += ["", "## Server errors during the run", ""]
    if server_errors:
        lines += [f"- {count} x `{line}`" for line, count in server_errors]
        lines.append("")
        lines.append("(full tracebacks: bench/results/server.log)")
    else:
        lines.append("None logged.")
    Path(path).write_text("\n".join(lines) + "\n")


def load_average():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def interrupted(_signum, _frame):
    raise KeyboardInterrupt


def main(argv=None):
    args = parse_args(argv)
    started = datetime.now(UTC).astimezone()
    command = " ".join([".venv/bin/python", "bench/run.py", *(argv if argv is not None else sys.argv[1:])])
    terms_path = terms_file(args.database_url)
    if not terms_path.exists():
        die(f"bench/{terms_path.name} is missing: run bench/generate.py first (or `make bench`)")
    terms = json.loads(terms_path.read_text())
    ensure_wrk()
    tune_postgres(args)
    env = server_env(args)
    setup_django(env)
    from django.conf import settings

    db_name = settings.DATABASES["default"]["NAME"]
    if terms.get("database") != db_name:
        die(f"bench/{terms_path.name} describes {terms.get('database')!r}, not {db_name!r}: run bench/generate.py")
    targets, products, listed = pick_targets(terms)
    wanted = None if args.endpoints == "all" else {e.strip() for e in args.endpoints.split(",")} | {"healthz"}
    if wanted:
        unknown = wanted - {t[0] for t in targets}
        if unknown:
            die(f"unknown endpoints: {', '.join(sorted(unknown))}")
        targets = [t for t in targets if t[0] in wanted]
    log(f"database {db_name}: {products:,} products, {listed:,} listed")
    RESULTS_DIR.mkdir(exist_ok=True)

    log("collectstatic (DEBUG=false, manifest storage)")
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    log(f"cleared {clear_cache_prefix(args.cache_prefix):,} Redis keys under {args.cache_prefix}:")

    server = Server(args, env, args.port or free_port(), RESULTS_DIR / "server.log")
    load_before = load_average()
    previous_term = signal.signal(signal.SIGTERM, interrupted)
    try:
        server.start()
        log("first requests:")
        checks = preflight(server, targets)
        log(
            f"wrk: {args.threads} threads, {args.connections} connections, {args.duration} s per run "
            f"(+{args.warmup} s warm-up), modes {', '.join(args.modes)}"
        )
        rows = measure(args, server, targets, checks)
    except KeyboardInterrupt:
        print()
        log("interrupted")
        return 130
    finally:
        server.stop()
        signal.signal(signal.SIGTERM, previous_term)
        try:
            clear_cache_prefix(args.cache_prefix)
        except Exception as error:  # the report matters more than the cleanup
            log(f"could not clear the Redis keys: {error}")
    load_after = load_average()

    failed = {name: c for name, c in checks.items() if c["status"] != 200}
    print()
    print(text_table(rows))
    print()
    targets_eval = evaluate_targets(rows, products)
    for target, measured, ok in targets_eval:
        print(f"  {'MET ' if ok else 'MISS'}  {target}: {measured}")
    for name, check in failed.items():
        print(f"  FAILED {name}: HTTP {check['status']}: {check.get('body', '')[:200]!r}")
    server_errors = server.errors()
    for line, count in server_errors:
        print(f"  SERVER ERROR x{count}: {line}")
    if failed or server_errors:
        print(f"  server log: {server.log_path}")
    (RESULTS_DIR / "latest.json").write_text(
        json.dumps({"command": command, "checks": checks, "rows": rows}, indent=2, default=str) + "\n"
    )
    if not args.no_report:
        write_report(
            args.results,
            args=args,
            info=machine_info(),
            started=started,
            products=products,
            listed=listed,
            targets=targets,
            checks=checks,
            rows=rows,
            load=(load_before, load_after),
            command=command,
            targets_eval=targets_eval,
            server_errors=server_errors,
        )
        print(f"\nwrote {Path(args.results).resolve().relative_to(ROOT)} and bench/results/latest.json")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
