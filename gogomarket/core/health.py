"""Readiness probes of the real services GOGOMARKET needs."""

from django.conf import settings
from django.db import connection


def check_postgresql():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def check_redis():
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def check_celery_broker():
    from gogomarket.celery import app

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


CHECKS = {
    "postgresql": check_postgresql,
    "redis": check_redis,
    "celery_broker": check_celery_broker,
}


def readiness():
    """``{name: "ok" | "error: ..."}`` for every service."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # a probe reports any failure, whatever its kind
            results[name] = f"down: {exc.__class__.__name__}: {exc}"[:300]
    return results
