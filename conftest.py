"""Test setup shared by every app: the real PostGIS database and the real Redis.

Each test run uses its own Redis key prefix and Channels prefix, so tests never read or clear
what a running development server keeps in Redis.
"""

import uuid

import pytest

RUN_ID = uuid.uuid4().hex[:8]


@pytest.fixture(autouse=True, scope="session")
def _isolated_redis_namespace():
    from django.conf import settings

    settings.CACHES["default"]["KEY_PREFIX"] = f"test-{RUN_ID}"
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"test-{RUN_ID}:asgi"
    # A cache object made while the test modules were imported still has the old prefix: make
    # the handler build new ones (what Django does when a test overrides CACHES).
    from asgiref.local import Local
    from django.core.cache import caches

    caches._settings = caches.settings = caches.configure_settings(None)
    caches._connections = Local(caches.thread_critical)
    yield
    # After the last test: a run leaves none of its own keys behind.
    _delete_test_keys()


def _delete_test_keys():
    # Never cache.clear(): on Redis that is FLUSHDB, which would also wipe the development
    # server's cache and the Celery queues. Only this run's keys go.
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(settings.REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"*test-{RUN_ID}*", count=1000))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(autouse=True, scope="session")
def _hook_listeners_fail_loudly():
    """A listener that raises fails the test (in production it is logged and the others run)."""
    from gogomarket.core import hooks

    hooks.RAISE_ERRORS = True
    yield
    hooks.RAISE_ERRORS = False


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code a test calls directly (services, forms) speaks English, the source language, so a
    test can read its messages; pages still answer in the language each request asks for."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _clear_process_caches():
    """What a server process remembers between requests (the last category tree, slug -> product
    ids, rendered cards) belongs to one database: each test starts with none of it."""
    from catalog import selectors, views
    from catalog.templatetags.catalog_tags import _card_html

    selectors._TREE_MEMO.update(version=None, tree=None)
    views._PRODUCT_IDS.clear()
    _card_html.cache_clear()
    yield


@pytest.fixture(autouse=True)
def _clear_cache():
    """Each test starts without the keys of the tests before it (the last test's keys go when
    the session ends, see ``_isolated_redis_namespace``)."""
    _delete_test_keys()
    yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """bcrypt is slow on purpose; tests that are not about hashing use a fast hasher.
    tests/test_settings.py checks that the real setting puts BCryptSHA256 first."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    yield


@pytest.fixture(autouse=True)
def _celery_runs_tasks_in_process():
    """Tasks queued by code under test run at once in the test process (after commit, like in
    production: capture on_commit callbacks with django_capture_on_commit_callbacks(execute=True)).
    tests/test_workers.py switches this off to prove a real worker runs them."""
    from gogomarket.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    """Text messages land in ``accounts.sms.MemorySmsBackend.outbox`` (the outside world's adapter)."""
    from accounts.sms import MemorySmsBackend

    settings.SMS_BACKEND = "accounts.sms.MemorySmsBackend"
    MemorySmsBackend.outbox.clear()
    yield MemorySmsBackend.outbox


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Uploaded and generated files of a test go to a temporary directory."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    yield


def pytest_collection_modifyitems(config, items):
    # Browser tests keep an event loop running in the test thread; they run in their own
    # invocation (see Makefile), so a plain `pytest` skips them unless asked with -m e2e.
    markexpr = config.getoption("-m") or ""
    if "e2e" in markexpr:
        return
    skip = pytest.mark.skip(reason="browser test: run with `pytest -m e2e`")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)
