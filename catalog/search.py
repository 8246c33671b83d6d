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

from . import listing
from .migrations._search_sql import APOSTROPHES

MAX_WORDS = 8
MAX_QUERY_LENGTH = 200
MIN_CORRECTION_LENGTH = 3
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


# The orders of search results: relevance (search's own), then the listing's (``catalog.listing``).
SORTS = ("relevance", *listing.SORTS)


DESCRIBED_CAP = 1000  # full-text-only matches counted (and paged) at most
FULL_TEXT_AFTER = 1000  # with this many ranked matches, full-text-only ones are not looked for


def search_product_ids(parsed, *, filters, sort="relevance", offset=0, limit=24, count=True):
    """(ids of one page, total matches, whether the total is a lower bound) for a parsed query.

    Two tiers: products whose ranked document (name, brand, category path, short description)
    matches, then products whose full text only matches (``product_search_text``: description
    included, or the words spread over name and description; counted and paged up to
    ``DESCRIBED_CAP``: "more than N"; not looked for when a word is in ``FULL_TEXT_AFTER``
    names already, since those would only start pages later). Within a tier, the order asked for (relevance: exact name
    first, then ``ts_rank``). The ranked tier is counted by a window over the same scan that
    ranks it. ``products`` is joined only when a filter or the order needs its columns. Always
    the same two statements, whatever the number of matches."""
    if parsed.empty:
        return [], 0, False
    order = listing.SORTS.get(sort)  # None: relevance (an unknown sort falls back to it)
    params = {"tsquery": parsed.tsquery, "text": parsed.text}
    common = [listing.listed_seller_sql(alias="s")]
    search_where, product_where = filters.sql_conditions(params, alias="p", search_alias="s")
    common += search_where
    keys = order.sql("p") if order else []
    join = ""
    if product_where or keys:
        join = "JOIN products p ON p.id = s.product_id"
        common += product_where
    query = "to_tsquery('gogomarket', %(tsquery)s) AS q(query)"
    condition = " AND ".join(common)
    ranked_from = f"FROM product_search s {join}, {query} WHERE s.document @@ q.query AND {condition}"
    # The full text's matches come from the GIN index first (MATERIALIZED): with a LIMIT after
    # them the planner would rather read the whole table in the hope of stopping early.
    described_from = (
        f"FROM t JOIN product_search s ON s.product_id = t.product_id {join}, {query} "
        f"WHERE NOT (s.document @@ q.query) AND {condition}"
    )
    full_text = (
        "t AS MATERIALIZED (SELECT d.product_id FROM product_search_text d, "
        "to_tsquery('gogomarket', %(tsquery)s) AS q(query) WHERE d.document @@ q.query)"
    )
    tail = "s.product_id " + (order.id_direction if order else "DESC")
    keyed = ", ".join(f"{expression} {direction}" for expression, direction in keys)
    ranked_order = (
        f"{keyed}, {tail}"
        if keys
        else f"(s.name_normalized = %(text)s) DESC, ts_rank(s.document, q.query) DESC, {tail}"
    )
    window = ", count(*) OVER ()" if count else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.product_id{window} {ranked_from} ORDER BY {ranked_order} LIMIT %(limit)s OFFSET %(offset)s",
            {**params, "limit": limit, "offset": offset},
        )
        rows = cursor.fetchall()
        ids = [row[0] for row in rows]
        if rows and count:
            ranked_total = rows[0][1]
        elif count and offset:  # past the ranked tier: count it on its own
            cursor.execute(f"SELECT count(*) {ranked_from}", params)
            ranked_total = cursor.fetchone()[0]
        else:
            ranked_total = len(ids)
        need = limit - len(ids)
        if ranked_total >= FULL_TEXT_AFTER and need <= 0:
            # A word in thousands of names: the full-text-only matches would start after page
            # FULL_TEXT_AFTER / page size; they are left out (and out of the count).
            return ids, ranked_total, False
        # The full-text tier fills the rest of the page and tells its own count (one row is
        # always asked for, so the count comes back even when the page is full).
        key_columns = "".join(f", {expression} AS k{i}" for i, (expression, _d) in enumerate(keys))
        outer_order = ", ".join(f"m.k{i} {direction}" for i, (_e, direction) in enumerate(keys))
        outer_tail = tail.replace("s.", "m.", 1)
        outer_order = f"{outer_order}, {outer_tail}" if keys else outer_tail
        cursor.execute(
            f"WITH {full_text}, m AS MATERIALIZED (SELECT s.product_id{key_columns} {described_from} LIMIT %(cap)s) "
            f"SELECT m.product_id, count(*) OVER () FROM m ORDER BY {outer_order} LIMIT %(need)s OFFSET %(skip)s",
            {**params, "cap": DESCRIBED_CAP + 1, "need": max(need, 1), "skip": max(0, offset - ranked_total)},
        )
        described = cursor.fetchall()
    if need > 0:
        ids += [row[0] for row in described][:need]
    described_total = described[0][1] if described else 0
    capped = described_total > DESCRIBED_CAP
    return ids, ranked_total + min(described_total, DESCRIBED_CAP), capped


def suggestions(raw, *, limit=8):
    """Product names for search-as-you-type: the best ranked matches of what is typed so far."""
    parsed = parse(raw)
    ids, _total, _capped = search_product_ids(parsed, filters=listing.ListingFilters(), limit=limit, count=False)
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
