#!/usr/bin/env bash
# One idempotent setup for `make run` and `make test`.
#
# Installs only what is missing (Debian packages, services, venv), creates the database role,
# database and PostGIS template, migrates, collects static files and compiles translations.
# A second run changes nothing and takes seconds.
#
#   WITH_BROWSER=1  also install Debian's chromium (browser tests)
#   SKIP_APT=1      never call apt-get (a developer machine that has everything)
set -euo pipefail
cd "$(dirname "$0")/.."

WITH_BROWSER=${WITH_BROWSER:-0}
SKIP_APT=${SKIP_APT:-0}
PG_VERSION=15
VENV=.venv
PY=${PYTHON:-python3}

log() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31mxx\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# --- 1. Debian packages -------------------------------------------------------------------
# Never name postgresql-15 itself: apt would upgrade it under the running server
# (see ../shared/STACK_NOTES.md). The PostGIS package pulls in what it needs.
missing=()
dpkg -s "postgresql-${PG_VERSION}-postgis-3" >/dev/null 2>&1 || missing+=("postgresql-${PG_VERSION}-postgis-3")
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v msgfmt >/dev/null 2>&1 || missing+=(gettext)
"$PY" -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
# DejaVu draws the demo product pictures (Latin and Cyrillic names).
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ "$WITH_BROWSER" = 1 ] && ! command -v chromium >/dev/null 2>&1; then
    missing+=(chromium)
fi
[ "${WITH_BENCH:-0}" = 1 ] && ! command -v wrk >/dev/null 2>&1 && missing+=(wrk)  # make bench (bench/README.md)

if [ ${#missing[@]} -gt 0 ]; then
    [ "$SKIP_APT" = 1 ] && die "missing Debian packages: ${missing[*]} (SKIP_APT=1 is set)"
    log "installing Debian packages: ${missing[*]}"
    pg_before=$(dpkg-query -W -f='${Version}' "postgresql-${PG_VERSION}" 2>/dev/null || true)
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    pg_after=$(dpkg-query -W -f='${Version}' "postgresql-${PG_VERSION}" 2>/dev/null || true)
    if [ -n "$pg_before" ] && [ "$pg_before" != "$pg_after" ]; then
        # The server binary changed under a running cluster: new connections would fail.
        log "postgresql-${PG_VERSION} was upgraded ($pg_before -> $pg_after); restarting the cluster"
        as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main restart || true
    fi
fi

# --- 2. Python virtualenv -----------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ]; then
    log "creating $VENV"
    "$PY" -m venv "$VENV"
fi
req_hash=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)" != "$req_hash" ]; then
    log "installing Python packages (requirements.txt)"
    "$VENV/bin/pip" install -q --disable-pip-version-check -r requirements.txt
    echo "$req_hash" > "$VENV/.requirements.sha256"
fi

# --- 3. Services and database -------------------------------------------------------------
# bootstrap.py reads DATABASE_URL / REDIS_URL (environment or .env), starts the local
# PostgreSQL cluster and Redis when they are local and not running, and creates the role,
# the database, the extensions and the PostGIS template the test database is cloned from.
"$VENV/bin/python" scripts/bootstrap.py

# --- 4. Django -----------------------------------------------------------------------------
log "migrating"
"$VENV/bin/python" manage.py migrate --noinput -v 0
log "collecting static files"
"$VENV/bin/python" manage.py collectstatic --noinput -v 0
if [ -d locale ]; then
    log "compiling translations"
    "$VENV/bin/python" manage.py compilemessages -v 0 --ignore=.venv
fi
log "setup done"
