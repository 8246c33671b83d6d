"""Small helpers shared by tests."""

from urllib.parse import quote


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
