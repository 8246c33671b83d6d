"""What the catalog announces to the apps above it (fired after commit, with ids; see
``gogomarket.core.hooks``). Listeners register in their ``AppConfig.ready()``.

* ``product_changed(product_ids)``: any product write (fields, status, price, pictures,
  variants, attributes, stock set by the seller or moved by orders).
* ``stock_low(product_ids)``: stock moved to or below the product's ``low_stock_threshold``
  (default 10) by a sale or a seller's change; fired once per move, not per page view.
"""

from gogomarket.core.hooks import Hook

product_changed = Hook("product_changed", ["product_ids"])
stock_low = Hook("stock_low", ["product_ids"])
