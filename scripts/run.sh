#!/usr/bin/env bash
# Start the ASGI web server, a Celery worker and Celery beat together; Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
WEB_WORKERS=${WEB_WORKERS:-1}
mkdir -p var

pids=()
stop() {
    trap - INT TERM EXIT
    echo
    echo "==> stopping web server, worker and beat"
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
}
trap stop INT TERM EXIT

.venv/bin/uvicorn gogomarket.asgi:application --host "$HOST" --port "$PORT" --workers "$WEB_WORKERS" \
    --log-level warning &
pids+=($!)
.venv/bin/celery -A gogomarket worker --loglevel=warning --concurrency=2 --pool=threads -n "web@%h" &
pids+=($!)
.venv/bin/celery -A gogomarket beat --loglevel=warning --schedule var/celerybeat-schedule &
pids+=($!)

for _ in $(seq 1 100); do
    .venv/bin/python -c "import urllib.request; urllib.request.urlopen('http://$HOST:$PORT/healthz', timeout=1)" \
        >/dev/null 2>&1 && break
    sleep 0.2
done

cat <<MSG

  GOGOMARKET is running at http://$HOST:$PORT/
  Back office:  http://$HOST:$PORT/admin/      API docs: http://$HOST:$PORT/api/docs/

$(.venv/bin/python manage.py demo_logins 2>/dev/null || true)

  Press Ctrl-C to stop the web server, the Celery worker and Celery beat.

MSG
wait -n "${pids[@]}"
echo "==> a process exited; stopping the others"
