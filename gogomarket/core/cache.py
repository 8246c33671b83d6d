"""Django's Redis cache backend, with one connection pool per process.

Django keeps a cache object per thread, and each builds its own connection pool. Under an ASGI
server every request runs in a fresh thread, so the stock backend opened a new connection to
Redis for every request; this backend shares one client (and its thread-safe pool) between all
the threads of the process."""

import threading

from django.core.cache.backends.redis import RedisCache
from django.utils.functional import cached_property

_clients = {}
_lock = threading.Lock()


class SharedPoolRedisCache(RedisCache):
    @cached_property
    def _cache(self):
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with _lock:
            if key not in _clients:
                _clients[key] = self._class(self._servers, **self._options)
            return _clients[key]


def redis_client():
    """The raw Redis client of the default cache, on its one connection pool per process (rate
    limits, the page cache's generations, counters: whatever needs Redis commands the cache API
    lacks). Keys written through it are not prefixed: callers prefix them with
    ``settings.CACHES["default"]["KEY_PREFIX"]``."""
    from django.core.cache import caches

    return caches["default"]._cache.get_client(write=True)
