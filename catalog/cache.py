"""What the catalog keeps in Redis, and how it is invalidated.

* **Category tree**: one entry, rebuilt on the first read after a category changes.
* **Product cards**: one entry per product (what a grid shows: name, prices, rating, picture,
  stock flag). Lists fetch their ids from PostgreSQL, then the cards with one ``MGET``; misses
  are loaded with two queries and stored. A product change deletes its card after commit.
* **Anonymous pages**: whole HTML of home, category, product and seller pages for visitors who
  are not signed in, keyed by path, query string and language, plus the *generations* of what
  the page shows. A change bumps the generations involved (the product, its categories up to
  the root, its seller, the home page for featured products), so every page showing it is
  missed from then on; entries also expire after ``PAGE_CACHE_TTL``. The CSRF token is stored
  as a placeholder and each visitor's own token is put in on the way out.
* **View counts**: ``HINCRBY`` per product page view; Celery beat adds them to
  ``products.view_count`` once a minute (``catalog.tasks.view_counts_flush``), so a popular
  product's row is written once a minute instead of once a view.
"""

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.middleware.csrf import get_token
from django.utils.translation import get_language
from redis.exceptions import LockError

from gogomarket.core.cache import redis_client

CARD_TTL = 6 * 3600
TREE_KEY = "catalog:tree:v2"  # (version, rows)
TREE_VERSION_KEY = "catalog:tree:version"
CSRF_PLACEHOLDER = "__gogomarket_csrf_token__"


def _redis_key(name):
    """The raw Redis key of cache key ``name`` (for commands Django's cache API lacks)."""
    return cache.make_key(name)


# --- generations ------------------------------------------------------------------------------
def generations(scopes):
    """Current generation of each scope (0 when never bumped), in one round trip."""
    keys = [f"catalog:gen:{scope}" for scope in scopes]
    found = cache.get_many(keys)
    return [int(found.get(key, 0)) for key in keys]


def generations_bump(scopes):
    """Invalidate every cached page that shows one of ``scopes``. Call after commit."""
    scopes = list(dict.fromkeys(scopes))
    if not scopes:
        return
    client = redis_client()
    pipe = client.pipeline(transaction=False)
    for scope in scopes:
        # Django's Redis cache stores integers unpickled, so what INCR writes cache.get reads.
        pipe.incr(_redis_key(f"catalog:gen:{scope}"))
    pipe.execute()


# --- category tree ----------------------------------------------------------------------------
def tree_get(build, known_version=None):
    """``(version, rows)`` of the category tree; ``build()`` makes the rows after a change. When
    the caller already holds ``known_version`` and it is current, rows is None (only the small
    version key is read: the 500-row tree is not unpickled on every request)."""
    version = cache.get(TREE_VERSION_KEY)
    if version is not None and version == known_version:
        return version, None
    stored = cache.get(TREE_KEY) if version is not None else None
    if stored is None or stored[0] != version:
        stored = (uuid.uuid4().hex, build())
        cache.set_many({TREE_KEY: stored, TREE_VERSION_KEY: stored[0]}, timeout=24 * 3600)
    return stored


def tree_invalidate():
    cache.delete_many([TREE_KEY, TREE_VERSION_KEY])
    generations_bump(["catalog"])


# --- product cards ----------------------------------------------------------------------------
def _card_key(product_id, generation=0):
    return f"catalog:card:{product_id}:{generation}"


def cards_get(product_ids, load):
    """Cards for ``product_ids`` in that order; ``load(missing_ids)`` returns {id: card}.

    A card is stored under its product's generation, read before the database: a reader that
    loaded a product just before a change committed writes its stale card under the old
    generation, which nobody reads once the change has bumped it."""
    gens = generations([f"product:{pid}" for pid in product_ids]) if product_ids else []
    keys = {pid: _card_key(pid, gen) for pid, gen in zip(product_ids, gens, strict=True)}
    found = cache.get_many(list(keys.values())) if keys else {}
    cards = {pid: found[key] for pid, key in keys.items() if key in found}
    missing = [pid for pid in product_ids if pid not in cards]
    if missing:
        loaded = load(missing)
        cache.set_many({keys[pid]: card for pid, card in loaded.items()}, timeout=CARD_TTL)
        cards.update(loaded)
    return [cards[pid] for pid in product_ids if pid in cards]


def product_changed(*, product_ids, category_ids=(), seller_ids=(), featured=False, slugs=()):
    """Drop the cards and bump the page generations of changed products. Safe to call inside a
    transaction: the work is done after commit (and not at all on rollback)."""
    from .selectors import category_ancestor_ids

    product_ids, category_ids, seller_ids = list(product_ids), list(category_ids), list(seller_ids)

    def invalidate():
        current = generations([f"product:{pid}" for pid in product_ids]) if product_ids else []
        cache.delete_many([_card_key(pid, gen) for pid, gen in zip(product_ids, current, strict=True)])
        scopes = [f"product:{pid}" for pid in product_ids]
        scopes += [f"category:{cid}" for cid in category_ancestor_ids(category_ids)]
        scopes += [f"seller:{sid}" for sid in seller_ids]
        scopes += [f"slug:{slug}" for slug in slugs if slug]
        if featured:
            scopes.append("home")
        generations_bump(scopes)

    transaction.on_commit(invalidate)


def account_changed(*, user_id, fields):
    """``accounts.hooks.account_changed``: a seller's name, picture or standing changed (runs
    after the change committed). Their pages are rebuilt (a scope nobody reads costs one Redis
    increment for a buyer); on a change of standing, every list is (``seller_changed``)."""
    from accounts.hooks import VISIBILITY_FIELDS

    seller_changed(user_id, visibility=bool(VISIBILITY_FIELDS & set(fields)))


def seller_changed(seller_id, *, visibility=False):
    """A seller's name or standing changed: their pages are rebuilt; when they were suspended,
    closed or restored (``visibility``), every list is, since their products join or leave them."""
    scopes = [f"seller:{seller_id}"] + (["catalog"] if visibility else [])
    transaction.on_commit(lambda: generations_bump(scopes))


# --- anonymous page cache ---------------------------------------------------------------------
def page_cacheable(request):
    """Only anonymous GETs without pending messages (a message is for one visitor) and without a
    cart of their own (the header shows its size)."""
    if request.method != "GET" or request.user.is_authenticated or request.htmx:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.get("cart_token"):
        return False
    storage = getattr(request, "_messages", None)
    return not (storage is not None and len(storage))


def page_key(request):
    query = request.META.get("QUERY_STRING", "")
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()[:32]
    return f"catalog:page:v2:{get_language()}:{digest}"


def page_lookup(request, scopes):
    """``(key, generations, html or None)`` in one Redis round trip. A page is stored with the
    generations of what it shows, read before it was rendered; it is served only while they are
    all still current (a change in between makes the stored copy stale at once).

    Pages are read and written with the raw Redis client (one MGET, no pickling): this is the
    hot path of every cached page."""
    key = page_key(request)
    gen_keys = [_redis_key(f"catalog:gen:{scope}") for scope in ("catalog", *scopes)]
    *raw_gens, stored = redis_client().mget([*gen_keys, _redis_key(key)])
    gens = ".".join(raw.decode() if raw else "0" for raw in raw_gens)
    if stored is not None:
        stored_gens, _newline, html = stored.partition(b"\n")
        if stored_gens == gens.encode():
            try:
                return key, gens, page_fill(request, html.decode())
            except UnicodeDecodeError:  # not a page of ours: rebuild it
                pass
    return key, gens, None


def page_fill(request, html):
    """The cached HTML with this visitor's own CSRF token in place of the placeholder."""
    return html.replace(CSRF_PLACEHOLDER, get_token(request))


def page_store(key, gens, html, ttl=None):
    ttl = settings.PAGE_CACHE_TTL if ttl is None else ttl
    if ttl > 0:
        redis_client().set(_redis_key(key), f"{gens}\n{html}".encode(), ex=ttl)


# --- view counts ------------------------------------------------------------------------------
VIEWS_KEY = "catalog:views"
VIEWS_FLUSHING_KEY = "catalog:views:flushing"
VIEWS_LOCK_KEY = "catalog:views:lock"
VIEWS_LOCK_SECONDS = 300


def view_record(product_id):
    redis_client().hincrby(_redis_key(VIEWS_KEY), str(product_id), 1)


def views_flush(batch_size=1000):
    """Add the counted views to ``products.view_count``; returns the number of views written.

    The counts are moved aside with an atomic RENAME first, so views recorded meanwhile go to a
    fresh hash. Rows are locked in id order (as checkout does), so this never deadlocks with it.
    A crash between the commit and the final DEL counts that batch again on the next run (views
    are a popularity signal, not money). One flush runs at a time (a Redis lock): a second one
    started meanwhile (beat and a manual run) returns 0 instead of adding the same hash again."""
    client = redis_client()
    lock = client.lock(_redis_key(VIEWS_LOCK_KEY), timeout=VIEWS_LOCK_SECONDS)
    if not lock.acquire(blocking=False):
        return 0
    try:
        return _views_flush_locked(client, batch_size)
    finally:
        try:
            lock.release()
        except LockError:  # held longer than VIEWS_LOCK_SECONDS: it expired already
            pass


def _views_flush_locked(client, batch_size):
    live, flushing = _redis_key(VIEWS_KEY), _redis_key(VIEWS_FLUSHING_KEY)
    if not client.exists(flushing):
        try:
            client.rename(live, flushing)
        except Exception as error:  # no views since the last run: RENAME of a missing key
            if "no such key" in str(error).lower():
                return 0
            raise
    counts = sorted((int(k), int(v)) for k, v in client.hgetall(flushing).items())
    total = 0
    for start in range(0, len(counts), batch_size):
        batch = counts[start : start + batch_size]
        ids = [pid for pid, _count in batch]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT id FROM products WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [ids])
            cursor.execute(
                "UPDATE products p SET view_count = coalesce(p.view_count, 0) + d.n "
                "FROM unnest(%s::bigint[], %s::int[]) AS d(id, n) WHERE p.id = d.id",
                [ids, [count for _pid, count in batch]],
            )
        total += sum(count for _pid, count in batch)
    client.delete(flushing)
    return total
