"""SQL of the search machinery (migration 0002): text search configuration, normalisation,
the product search document, and the triggers that keep ``product_search`` and
``search_terms`` in step with ``products`` and ``categories``.

Why a configuration of our own: product text here is Uzbek (Latin and Cyrillic), Russian and
English. ``gogomarket`` is a copy of PostgreSQL's ``russian`` configuration, which stems Cyrillic
words with the Russian Snowball stemmer and ASCII words with the English one; Uzbek words pass
through nearly unchanged, which is what we want without an Uzbek stemmer. Normalisation (the
same in Python: ``catalog.search.normalize``) lower-cases, folds ``ё`` to ``е`` and drops the
apostrophes of Uzbek Latin (``o'``, ``g'``, written with ', `, ʻ, ʼ or ’), so "o'yinchoq",
"oʻyinchoq" and "oyinchoq" are one word.
"""

APOSTROPHES = "'`\u02bb\u02bc\u2018\u2019"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'gogomarket') THEN
            CREATE TEXT SEARCH CONFIGURATION gogomarket (COPY = pg_catalog.russian);
        END IF;
    END $$
    """,
    # translate() maps ё to е and deletes the apostrophes (they have no counterpart).
    f"""
    CREATE OR REPLACE FUNCTION gm_search_normalize(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT translate(lower(coalesce(t, '')), 'ё{APOSTROPHES.replace("'", "''")}', 'е') $$
    """,
    # The name as the words of a query read it (``catalog.search.parse``: punctuation is a word
    # break), so "Wi-Fi router" is the exact name typed as "wi-fi router" or "wi fi router".
    """
    CREATE OR REPLACE FUNCTION gm_search_name(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT btrim(regexp_replace(gm_search_normalize(t), '[^[:alnum:]]+', ' ', 'g')) $$
    """,
    """
    CREATE OR REPLACE FUNCTION product_search_document(
        p_name text, p_brand text, p_short text, p_description text, p_category bigint
    ) RETURNS tsvector LANGUAGE sql STABLE PARALLEL SAFE AS $$
        SELECT setweight(to_tsvector('gogomarket', gm_search_normalize(p_name)), 'A')
            || setweight(to_tsvector('gogomarket', gm_search_normalize(p_brand)), 'A')
            || setweight(to_tsvector('gogomarket', gm_search_normalize((
                   SELECT concat_ws(' ', c1.name, c2.name, c3.name)
                   FROM categories c1
                   LEFT JOIN categories c2 ON c2.id = c1.parent_id
                   LEFT JOIN categories c3 ON c3.id = c2.parent_id
                   WHERE c1.id = p_category))), 'B')
            || setweight(to_tsvector('gogomarket', gm_search_normalize(p_short)), 'C')
            || setweight(to_tsvector('gogomarket', gm_search_normalize(left(p_description, 4000))), 'D')
    $$
    """,
    # Words of 3+ letters for typo correction, inserted in sorted order so that concurrent
    # writers wait for each other instead of deadlocking.
    """
    CREATE OR REPLACE FUNCTION search_terms_add(t text) RETURNS void LANGUAGE sql AS $$
        INSERT INTO search_terms (word)
        SELECT DISTINCT w FROM regexp_split_to_table(gm_search_normalize(t), '[^[:alnum:]]+') AS w
        WHERE length(w) BETWEEN 3 AND 40 ORDER BY w
        ON CONFLICT (word) DO NOTHING
    $$
    """,
    # Statement-level triggers with transition tables: a bulk insert (bulk_create, COPY) costs
    # one INSERT ... SELECT, and an UPDATE that touches no searched column (a stock change at
    # checkout) costs one cheap DELETE that finds nothing.
    """
    CREATE OR REPLACE FUNCTION product_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        -- Plain SQL cannot name old_rows in an INSERT trigger, hence the two branches.
        IF TG_OP = 'INSERT' THEN
            INSERT INTO product_search (product_id, seller_id, category_id, name_normalized, document)
            SELECT n.id, n.seller_id, n.category_id, gm_search_name(n.name),
                   product_search_document(n.name, n.brand, n.short_description, n.description, n.category_id)
            FROM new_rows n
            WHERE n.status = 'active' AND n.deleted_at IS NULL
            ORDER BY n.id
            ON CONFLICT (product_id) DO NOTHING;
            PERFORM search_terms_add(string_agg(concat_ws(' ', n.name, n.brand), ' ')) FROM new_rows n;
            RETURN NULL;
        END IF;
        DELETE FROM product_search s USING new_rows n
        WHERE s.product_id = n.id AND (n.status <> 'active' OR n.deleted_at IS NOT NULL);
        INSERT INTO product_search (product_id, seller_id, category_id, name_normalized, document)
        SELECT n.id, n.seller_id, n.category_id, gm_search_name(n.name),
               product_search_document(n.name, n.brand, n.short_description, n.description, n.category_id)
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.status = 'active' AND n.deleted_at IS NULL
          AND (o.status <> 'active' OR o.deleted_at IS NOT NULL
               OR (o.name, o.brand, o.short_description, o.description, o.category_id, o.seller_id)
                  IS DISTINCT FROM
                  (n.name, n.brand, n.short_description, n.description, n.category_id, n.seller_id))
        ORDER BY n.id
        ON CONFLICT (product_id) DO UPDATE SET
            seller_id = EXCLUDED.seller_id, category_id = EXCLUDED.category_id,
            name_normalized = EXCLUDED.name_normalized, document = EXCLUDED.document;
        PERFORM search_terms_add(string_agg(concat_ws(' ', n.name, n.brand), ' '))
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (o.name, o.brand) IS DISTINCT FROM (n.name, n.brand)
        HAVING count(*) > 0;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER products_search_insert AFTER INSERT ON products
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION product_search_sync()
    """,
    """
    CREATE TRIGGER products_search_update AFTER UPDATE ON products
        REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
        FOR EACH STATEMENT EXECUTE FUNCTION product_search_sync()
    """,
    # A renamed or moved category changes the documents of every product below it.
    """
    CREATE OR REPLACE FUNCTION category_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.name IS NOT DISTINCT FROM OLD.name
           AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id THEN
            RETURN NULL;
        END IF;
        PERFORM search_terms_add(NEW.name);
        IF TG_OP = 'UPDATE' THEN
            UPDATE product_search s
            SET document = product_search_document(p.name, p.brand, p.short_description, p.description, p.category_id)
            FROM products p
            WHERE p.id = s.product_id AND p.category_id IN (
                WITH RECURSIVE tree AS (
                    SELECT NEW.id AS id
                    UNION SELECT c.id FROM categories c JOIN tree ON c.parent_id = tree.id
                ) SELECT id FROM tree);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER categories_search_sync AFTER INSERT OR UPDATE ON categories
        FOR EACH ROW EXECUTE FUNCTION category_search_sync()
    """,
    # The spec's suggested category index (the search page shows matching categories).
    """
    CREATE INDEX IF NOT EXISTS idx_categories_search ON categories USING GIN (
        to_tsvector('gogomarket', gm_search_normalize(name) || ' ' || gm_search_normalize(description)))
    """,
    # Rows that existed before this migration.
    """
    INSERT INTO product_search (product_id, seller_id, category_id, name_normalized, document)
    SELECT id, seller_id, category_id, gm_search_name(name),
           product_search_document(name, brand, short_description, description, category_id)
    FROM products WHERE status = 'active' AND deleted_at IS NULL
    ON CONFLICT (product_id) DO NOTHING
    """,
    "SELECT search_terms_add(name) FROM categories",
    "SELECT search_terms_add(concat_ws(' ', name, brand)) FROM products",
]

BACKWARD = [
    "DROP INDEX IF EXISTS idx_categories_search",
    "DROP TRIGGER IF EXISTS categories_search_sync ON categories",
    "DROP FUNCTION IF EXISTS category_search_sync()",
    "DROP TRIGGER IF EXISTS products_search_update ON products",
    "DROP TRIGGER IF EXISTS products_search_insert ON products",
    "DROP FUNCTION IF EXISTS product_search_sync()",
    "DROP FUNCTION IF EXISTS search_terms_add(text)",
    "DROP FUNCTION IF EXISTS product_search_document(text, text, text, text, bigint)",
    "DROP FUNCTION IF EXISTS gm_search_name(text)",
    "DROP FUNCTION IF EXISTS gm_search_normalize(text)",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS gogomarket",
]
