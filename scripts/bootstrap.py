"""Make the services GOGOMARKET needs exist and answer; called by scripts/setup.sh.

* PostgreSQL: when DATABASE_URL points at this machine, start the local cluster if it is down,
  create the role (the OS user for socket URLs, with CREATEDB), the database with the postgis
  and pg_trgm extensions, and `<name>_template` (the same extensions) that the test database is
  cloned from. Administrative statements run as the `postgres` OS user; nothing is done when
  everything already exists. A remote DATABASE_URL is only checked for a connection.
* Redis: when REDIS_URL points at this machine and nobody answers, start redis-server.

Settings come from gogomarket.settings, so `.env` and the environment count exactly as they do
for the application itself.
"""

import getpass
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gogomarket.settings")

from django.conf import settings  # noqa: E402

PG_VERSION = os.environ.get("PG_VERSION", "15")
LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


def log(msg):
    print(f"\033[1;34m==>\033[0m {msg}", flush=True)


def die(msg):
    print(f"\033[1;31mxx\033[0m {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def as_root(cmd):
    return cmd if os.geteuid() == 0 else ["sudo", *cmd]


def as_postgres(cmd):
    if getpass.getuser() == "postgres":
        return cmd
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return ["sudo", "-u", "postgres", *cmd]


def run(cmd, check=True, **kwargs):
    return subprocess.run(cmd, check=check, text=True, capture_output=True, **kwargs)


# --- PostgreSQL ------------------------------------------------------------------------------
def pg_ready(port):
    return run(["pg_isready", "-q", "-p", str(port)], check=False).returncode == 0


def ensure_cluster(port):
    if pg_ready(port):
        return
    clusters = run(["pg_lsclusters", "-h"], check=False).stdout.split()
    if not clusters:
        log(f"creating PostgreSQL {PG_VERSION} cluster 'main'")
        run(as_root(["pg_createcluster", PG_VERSION, "main"]))
    log(f"starting PostgreSQL {PG_VERSION}/main")
    result = run(as_root(["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "start"]), check=False)
    if result.returncode not in (0, 2):  # 2: already running
        die(f"could not start PostgreSQL: {result.stderr.strip()}")
    for _ in range(50):
        if pg_ready(port):
            return
        time.sleep(0.2)
    die("PostgreSQL did not become ready")


def psql_admin(sql, port, dbname="postgres"):
    """Run SQL as the postgres superuser over the local socket; returns stdout."""
    cmd = as_postgres(["psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-p", str(port), "-d", dbname, "-c", sql])
    result = run(cmd, check=False)
    if result.returncode:
        die(f"psql as postgres failed ({sql[:60]}...): {result.stderr.strip()}")
    return result.stdout.strip()


def ident(name):
    return '"' + name.replace('"', '""') + '"'


def literal(value):
    return "'" + value.replace("'", "''") + "'"


def ensure_database():
    db = settings.DATABASES["default"]
    host, port = db.get("HOST") or "", db.get("PORT") or 5432
    name = db["NAME"]
    role = db.get("USER") or getpass.getuser()
    password = db.get("PASSWORD") or ""
    template = (db.get("TEST") or {}).get("TEMPLATE")
    if host not in LOCAL_HOSTS and not host.startswith("/"):
        log(f"DATABASE_URL points at {host}: assuming it is provisioned (postgis and pg_trgm installed)")
        return
    ensure_cluster(port)
    if shutil.which("runuser") is None and os.geteuid() == 0:
        die("runuser is missing (util-linux)")

    wanted = [name] + ([template] if template else [])
    existing_dbs = set(psql_admin("SELECT datname FROM pg_database", port).split())
    role_exists = psql_admin(f"SELECT 1 FROM pg_roles WHERE rolname = {literal(role)}", port) == "1"
    if role_exists and all(d in existing_dbs for d in wanted):
        missing_ext = [
            d
            for d in wanted
            if psql_admin("SELECT count(*) FROM pg_extension WHERE extname IN ('postgis', 'pg_trgm')", port, d) != "2"
        ]
        if not missing_ext:
            return

    if not role_exists:
        log(f"creating database role {role}")
        pw = f" PASSWORD {literal(password)}" if password else ""
        psql_admin(f"CREATE ROLE {ident(role)} LOGIN CREATEDB{pw}", port)
    else:
        can = psql_admin(f"SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = {literal(role)}", port)
        if can != "t":
            log(f"allowing role {role} to create the test database (CREATEDB)")
            psql_admin(f"ALTER ROLE {ident(role)} CREATEDB", port)

    for dbname in wanted:
        if dbname not in existing_dbs:
            log(f"creating database {dbname}")
            # UTF-8 whatever locale the cluster was created under (a fresh machine may be POSIX).
            psql_admin(
                f"CREATE DATABASE {ident(dbname)} OWNER {ident(role)} ENCODING 'UTF8' "
                "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0",
                port,
            )
        psql_admin("CREATE EXTENSION IF NOT EXISTS postgis; CREATE EXTENSION IF NOT EXISTS pg_trgm;", port, dbname)


# --- Redis -----------------------------------------------------------------------------------
def ensure_redis():
    import redis

    url = urlparse(settings.REDIS_URL)
    host, port = url.hostname or "127.0.0.1", url.port or 6379
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
        return
    except redis.exceptions.ConnectionError:
        if host not in LOCAL_HOSTS:
            die(f"Redis at {host}:{port} does not answer")
    log(f"starting redis-server on {host}:{port}")
    subprocess.run(
        ["redis-server", "--daemonize", "yes", "--bind", host, "--port", str(port), "--save", "", "--appendonly", "no"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            client.ping()
            return
        except redis.exceptions.ConnectionError:
            time.sleep(0.1)
    die("redis-server did not start")


if __name__ == "__main__":
    ensure_database()
    ensure_redis()
