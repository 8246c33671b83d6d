"""Writes of the catalog, by sub-domain (one module each):

* ``products``: create, change, the seller's lifecycle (publish, unpublish, discontinue, delete),
  featured, bulk actions, view counts
* ``stock``: stock set by sellers and moved by orders (``stock_take`` at checkout,
  ``stock_return`` on cancellation), and the status that follows it
* ``images``: pictures (checked, resized, thumbnailed)
* ``variants``, ``attributes``: a product's options and its name/value rows
* ``categories``: the category tree (staff)
* ``common``: who may change a product, audit rows, cache drops, parsing

Every function runs in one transaction, checks its rules (raising ``ValidationError`` with field
messages, so nothing is half written), writes an ``audit_logs`` row, and drops the cached cards
and pages it affects after commit (``catalog.cache``). Who may change a product: its seller, or
staff. Seller center pages, the API, the admin and commands call these; this package re-exports
each module's public names.
"""

from .attributes import (  # noqa: F401
    attribute_create,
    attribute_delete,
    attribute_move,
    attribute_update,
)
from .categories import (  # noqa: F401
    CATEGORY_FIELDS,
    KEEP_PARENT,
    MAX_CATEGORY_LEVEL,
    category_delete,
    category_save,
    category_validate,
)
from .common import PRICE_MAX, SELLING  # noqa: F401
from .images import (  # noqa: F401
    IMAGE_MAX_SIDE,
    IMAGE_THUMB_SIDE,
    files_delete,
    media_name,
    product_image_add,
    product_image_delete,
    product_image_move,
    product_image_set_primary,
    product_images_reorder,
)
from .products import (  # noqa: F401
    ACTIONS,
    BULK_ACTIONS,
    OPTIONAL_TEXT,
    PRODUCT_FIELDS,
    TRANSITIONS,
    category_for_products,
    product_create,
    product_delete,
    product_discontinue,
    product_next_actions,
    product_publish,
    product_set_featured,
    product_unpublish,
    product_update,
    product_validate,
    product_view_record,
    products_bulk_action,
    view_counts_flush,
)
from .stock import (  # noqa: F401
    Shortage,
    StockTake,
    product_has_variants,
    product_stock_set,
    products_stock_status_refresh,
    stock_from_variants,
    stock_lock,
    stock_return,
    stock_status_for,
    stock_take,
)
from .variants import (  # noqa: F401
    VARIANT_FIELDS,
    variant_create,
    variant_delete,
    variant_update,
)
