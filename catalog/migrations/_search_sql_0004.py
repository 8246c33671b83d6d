"""Migration 0004: the description leaves the ranked document for a table of its own.

Ranking a broad term reads the document of every match; with the description inside, the
documents were three times larger, and so were the pages read. Now ``product_search.document``
holds name, brand (A), category path (B) and short description (C), and
``product_search_text.document`` every word of the product, description included, unranked. A
query matches either (two GIN indexes); a match on the full text only ranks after every ranked
one.
"""

FORWARD = [
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
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION product_search_description(
        p_name text, p_brand text, p_short text, p_description text
    ) RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        -- Every word of the product, unranked (no positions): a query whose words are spread
        -- over the name and the description matches here.
        SELECT strip(to_tsvector('gogomarket', gm_search_normalize(
            concat_ws(' ', p_name, p_brand, p_short, left(p_description, 4000)))))
    $$
    """,
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
            INSERT INTO product_search_text (product_id, document)
            SELECT n.id, product_search_description(n.name, n.brand, n.short_description, n.description)
            FROM new_rows n
            WHERE n.status = 'active' AND n.deleted_at IS NULL
            ORDER BY n.id
            ON CONFLICT (product_id) DO NOTHING;
            PERFORM search_terms_add(string_agg(concat_ws(' ', n.name, n.brand), ' ')) FROM new_rows n;
            RETURN NULL;
        END IF;
        DELETE FROM product_search s USING new_rows n
        WHERE s.product_id = n.id AND (n.status <> 'active' OR n.deleted_at IS NOT NULL);
        DELETE FROM product_search_text t USING new_rows n
        WHERE t.product_id = n.id AND (n.status <> 'active' OR n.deleted_at IS NOT NULL);
        INSERT INTO product_search_text (product_id, document)
        SELECT n.id, product_search_description(n.name, n.brand, n.short_description, n.description)
        FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE n.status = 'active' AND n.deleted_at IS NULL
          AND (o.status <> 'active' OR o.deleted_at IS NOT NULL
               OR (o.name, o.brand, o.short_description, o.description)
                  IS DISTINCT FROM (n.name, n.brand, n.short_description, n.description))
        ORDER BY n.id
        ON CONFLICT (product_id) DO UPDATE SET document = EXCLUDED.document;
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
    UPDATE product_search s
    SET document = product_search_document(p.name, p.brand, p.short_description, p.description, p.category_id)
    FROM products p WHERE p.id = s.product_id
    """,
    """
    INSERT INTO product_search_text (product_id, document)
    SELECT p.id, product_search_description(p.name, p.brand, p.short_description, p.description) FROM products p
    WHERE p.status = 'active' AND p.deleted_at IS NULL
    ON CONFLICT (product_id) DO NOTHING
    """,
]

# Back to one document with the description inside (migration 0002's functions).
BACKWARD = [
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
    "DROP FUNCTION IF EXISTS product_search_description(text, text, text, text)",
]
