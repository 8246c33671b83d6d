"""Small helpers shared by tests."""

import os
import signal
import subprocess
import sys
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent


def database_url(settings_dict):
    """A DATABASE_URL that points another process at the database this test uses."""
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    if host.startswith("/"):
        return f"postgis://{auth}{quote(host, safe='')}/{settings_dict['NAME']}"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgis://{auth}{host}{port}/{settings_dict['NAME']}"


def redis_clear():
    """Forget what this test run keeps in Redis (cached pages, cards, the category tree), as if
    the cache had expired. Only this run's keys: never FLUSHDB."""
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{settings.CACHES['default']['KEY_PREFIX']}:*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@contextmanager
def celery_worker(settings_dict):
    """A real Celery worker process on a queue of its own (a development worker on the default
    queue never sees its tasks), using the database this test uses. Yields the queue name; send
    tasks with ``apply_async(queue=queue)``. The worker is stopped on the way out; raises if it
    did not exit cleanly (its output in the message)."""
    from gogomarket.celery import app

    app.conf.task_always_eager = False  # conftest runs tasks in-process; here a real worker must
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DATABASE_URL=database_url(settings_dict), CELERY_TASK_DEFAULT_QUEUE=queue)
    command = [sys.executable, "-m", "celery", "-A", "gogomarket", "worker", "--pool=solo", "-Q", queue,
               "--without-gossip", "--without-mingle", "--loglevel=warning", "-n", f"{queue}@%h"]  # fmt: skip
    worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        yield queue
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            output, _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            output, _ = worker.communicate()
        app.conf.task_always_eager = True
    assert worker.returncode == 0, output.decode()[-2000:]
