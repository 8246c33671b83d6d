"""Small helpers shared by tests."""

import os
import queue
import signal
import subprocess
import sys
import threading
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


def database_deadlocks():
    """Deadlocks PostgreSQL has counted in this database so far."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(deadlocks, 0) FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def run_concurrently(attempts, work, *, workers, name="worker"):
    """Run ``work(attempt)`` for every attempt on ``workers`` threads started together; returns
    [(attempt, "ok" | "refused" | "deadlock" | "error", value)] in no particular order. Each
    thread uses its own connection and closes it when it is done."""
    from django.core.exceptions import ValidationError
    from django.db import OperationalError, connections
    from django.utils import translation

    todo = queue.Queue()
    for attempt in attempts:
        todo.put(attempt)
    results, lock = [], threading.Lock()
    start = threading.Barrier(workers)

    def worker():
        translation.activate("en")  # each thread has its own language; the messages are read in English
        try:
            start.wait()
            while True:
                try:
                    attempt = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    outcome = ("ok", work(attempt))
                except ValidationError as error:
                    outcome = ("refused", error)
                except OperationalError as error:  # psycopg's DeadlockDetected is one
                    outcome = ("deadlock" if "deadlock" in str(error).lower() else "error", error)
                except Exception as error:  # noqa: BLE001 - reported by the test, not swallowed
                    outcome = ("error", error)
                with lock:
                    results.append((attempt, *outcome))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, name=f"{name}-{n}") for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads), f"a {name} thread hung"
    return results


def outcome_counts(results):
    """{"ok": n, "refused": n, ...} of ``run_concurrently``'s results."""
    counts = {}
    for _attempt, kind, _value in results:
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def page_client_for(user=None):
    """A browser-like test client reading the pages in English, signed in as ``user`` if given."""
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def api_client_for(user=None):
    """An API client reading answers in English, with a bearer token of ``user`` if given."""
    from rest_framework.test import APIClient

    from accounts.services import api_session_create

    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        _session, access, _refresh = api_session_create(user=user)
        api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    return api


def messages_of(response):
    """The flash messages a rendered page shows."""
    return [str(m) for m in response.context["messages"]] if response.context else []


def admin_form_data(client, path, **changes):
    """What the admin add or change page at ``path`` would post unchanged (the main form's values
    and every inline's management form and rows), with ``changes`` on top."""
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    forms = [response.context["adminform"].form]
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data |= {management.add_prefix(name): value for name, value in management.initial.items()}
        forms += inline.formset.forms
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is not None:
                data[form.add_prefix(name)] = value
    return data | changes
