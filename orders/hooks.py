"""What orders announce to the apps above them (fired after commit, with ids; see
``gogomarket.core.hooks``). Listeners register in their ``AppConfig.ready()``.

* ``order_placed(order_ids)``: checkout placed these orders (one per seller, one checkout).
* ``order_paid(order_id)``: the order's payment_status became paid (``order_payment_record``).
* ``order_confirmed(order_id)``: the seller (or staff) confirmed it.
* ``order_shipped(order_id)``: a courier picked it up.
* ``order_delivered(order_id)``: handed over. Listener: finance records the commission.
* ``order_cancelled(order_id)``: cancelled by anyone (buyer, seller, staff, the payment timeout).
  Listener: finance cancels a pending commission.
* ``order_refunded(order_id)``: a delivered order was refunded (status ``refunded``). Listener:
  finance cancels the commission.

In-transaction work that must happen with the change itself (moving money, restocking) is not a
hook: the payment method's handler (``orders.payments``) does it inside the transaction.
"""

from gogomarket.core.hooks import Hook

order_placed = Hook("order_placed", ["order_ids"])
order_paid = Hook("order_paid", ["order_id"])
order_confirmed = Hook("order_confirmed", ["order_id"])
order_shipped = Hook("order_shipped", ["order_id"])
order_delivered = Hook("order_delivered", ["order_id"])
order_cancelled = Hook("order_cancelled", ["order_id"])
order_refunded = Hook("order_refunded", ["order_id"])
