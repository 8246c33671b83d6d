"""Every write of orders: the cart, checkout and the order lifecycle (one module each)."""

from .cart import (  # noqa: F401
    cart_add,
    cart_clear,
    cart_for_request,
    cart_for_user,
    cart_item_remove,
    cart_item_set_quantity,
    cart_merge,
    cart_view,
)
from .checkout import checkout_place, checkout_plan  # noqa: F401
from .lifecycle import STEPS, next_steps, order_assign_courier, order_transition  # noqa: F401
