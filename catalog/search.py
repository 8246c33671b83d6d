"""Product search: full-text with ranking, prefix matching for search-as-you-type, and typo
tolerance, over the ``product_search`` documents (see ``migrations/_search_sql.py``).

How a query is read:

1. normalised exactly as the database normalises documents (``normalize``);
2. split into words (at most ``MAX_WORDS``);
3. a word of 3+ letters that is not in the vocabulary (``search_terms``) is widened with its
   nearest vocabulary word by trigram similarity (pg_trgm), so "telfon" also looks for
   "telefon"; the last word also matches as a prefix ("samsu" finds "samsung");
4. all words must match (AND); results are ordered by: exact name first, then ``ts_rank``
   (name and brand weigh most, then category, short description, description).
"""

import re
from dataclasses import dataclass, field

from django.db import connection

from accounts.enums import UserStatus

from .migrations._search_sql import APOSTROPHES

MAX_WORDS = 8
MAX_QUERY_LENGTH = 200
MIN_CORRECTION_LENGTH = 3
COUNT_CAP = 10_000
WORD_RE = re.compile(r"[^\W_]+")
_FOLD = str.maketrans({"ё": "е", **{mark: None for mark in APOSTROPHES}})


def normalize(text):
    """The database's ``gm_search_normalize``: lower case, ё -> е, no apostrophes."""
    return (text or "").lower().translate(_FOLD)


@dataclass
class ParsedQuery:
    text: str  # normalised, single-spaced
    words: list
    corrections: dict = field(default_factory=dict)  # word -> vocabulary word used as well
    tsquery: str = ""

    @property
    def empty(self):
        return not self.tsquery

    @property
    def corrected_text(self):
        """The query with corrections applied, for "showing results for ..."."""
        return " ".join(self.corrections.get(word, word) for word in self.words)


def parse(raw, *, correct=True):
    """Turn what a person typed into a ``to_tsquery`` string (one query to the vocabulary when
    a word may be misspelt or is being typed)."""
    text = " ".join(WORD_RE.findall(normalize(raw)[:MAX_QUERY_LENGTH]))
    words = text.split()[:MAX_WORDS]
    parsed = ParsedQuery(text=" ".join(words), words=words)
    if not words:
        return parsed
    known, prefixes, nearest = _vocabulary_lookup(words) if correct else ({}, {}, {})
    parts = []
    last = len(words) - 1
    for i, word in enumerate(words):
        options = [f"'{word}'"]
        if i == last and len(word) >= 2:
            options = [f"'{word}':*"]
        if len(word) >= MIN_CORRECTION_LENGTH and not known.get(word) and not (i == last and prefixes.get(word)):
            near = nearest.get(word)
            if near and near != word:
                parsed.corrections[word] = near
                options.append(f"'{near}'")
        parts.append("(" + " | ".join(options) + ")")
    parsed.tsquery = " & ".join(parts)
    return parsed


def _vocabulary_lookup(words):
    candidates = sorted({w for w in words if len(w) >= MIN_CORRECTION_LENGTH})
    if not candidates:
        return {}, {}, {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT q.w,
                   EXISTS (SELECT 1 FROM search_terms t WHERE t.word = q.w),
                   EXISTS (SELECT 1 FROM search_terms t WHERE t.word LIKE q.w || '%%'),
                   (SELECT t.word FROM search_terms t WHERE t.word %% q.w
                    ORDER BY similarity(t.word, q.w) DESC, t.word LIMIT 1)
            FROM unnest(%s::text[]) AS q(w)
            """,
            [candidates],
        )
        rows = cursor.fetchall()
    return (
        {w: known for w, known, _p, _n in rows},
        {w: prefix for w, _k, prefix, _n in rows},
        {w: near for w, _k, _p, near in rows},
    )


SORTS = {
    # name: ORDER BY over product_search s / products p
    "relevance": (
        "(s.name_normalized = %(text)s) DESC, (s.document @@ q.query) DESC, ts_rank(s.document, q.query) DESC, "
        "s.product_id DESC"
    ),
    "popular": "p.view_count DESC NULLS LAST, p.rating_count DESC NULLS LAST, p.id DESC",
    "newest": "p.published_at DESC NULLS LAST, p.id DESC",
    "price_asc": "coalesce(p.sale_price, p.base_price) ASC, p.id ASC",
    "price_desc": "coalesce(p.sale_price, p.base_price) DESC, p.id DESC",
    "rating": "p.rating_average DESC NULLS LAST, p.rating_count DESC NULLS LAST, p.id DESC",
}


def search_product_ids(parsed, *, filters, sort="relevance", offset=0, limit=24, count=True):
    """(ids of one page, total matches, whether the total is a lower bound) for a parsed query.

    A product matches on its ranked document (name, brand, category, short description) or on
    its description; description-only matches come after the ranked ones. The ``products``
    table is joined only when a filter or the order needs its columns. The total is counted up
    to ``COUNT_CAP`` ("10 000+"): counting every match of a broad term would read every one of
    them a second time."""
    if parsed.empty:
        return [], 0, False
    sort = sort if sort in SORTS else "relevance"
    params = {
        "tsquery": parsed.tsquery,
        "text": parsed.text,
        "active": UserStatus.ACTIVE,
        "limit": limit,
        "offset": offset,
        "cap": COUNT_CAP + 1,
    }
    where = [
        "(s.document @@ q.query OR s.description_document @@ q.query)",
        "s.seller_id IN (SELECT u.id FROM users u WHERE u.status = %(active)s AND u.deleted_at IS NULL)",
    ]
    if filters.category_ids:
        where.append("s.category_id = ANY(%(categories)s)")
        params["categories"] = list(filters.category_ids)
    product_where = filters.sql_conditions(params)
    join = ""
    if product_where or sort != "relevance":
        join = "JOIN products p ON p.id = s.product_id"
        where += product_where
    source = f"FROM product_search s {join}, to_tsquery('gogomarket', %(tsquery)s) AS q(query)"
    condition = " AND ".join(where)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.product_id {source} WHERE {condition} ORDER BY {SORTS[sort]} LIMIT %(limit)s OFFSET %(offset)s",
            params,
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not count:
            return ids, len(ids), False
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 {source} WHERE {condition} LIMIT %(cap)s) AS m", params)
        total = cursor.fetchone()[0]
    capped = total > COUNT_CAP
    return ids, min(total, COUNT_CAP), capped


def suggestions(raw, *, limit=8):
    """Product names for search-as-you-type: the best ranked matches of what is typed so far."""
    from .selectors import ListingFilters

    parsed = parse(raw)
    ids, _total, _capped = search_product_ids(parsed, filters=ListingFilters(), limit=limit, count=False)
    return parsed, ids


def matching_categories(parsed, *, limit=6):
    """Live categories whose name or description matches the query (``idx_categories_search``)."""
    if parsed.empty:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.id FROM categories c
            WHERE to_tsvector('gogomarket', gm_search_normalize(c.name) || ' ' || gm_search_normalize(c.description))
                  @@ to_tsquery('gogomarket', %s)
              AND c.is_active AND c.deleted_at IS NULL
            ORDER BY c.level DESC, c.sort_order, c.id
            LIMIT %s
            """,
            [parsed.tsquery, limit],
        )
        return [row[0] for row in cursor.fetchall()]
