"""Sentences of an order's timeline, stored by kind (``order_status_history.kind`` / ``params``)
and shown in the reader's language (``gogomarket.core.texts``). The lifecycle's steps add one
kind each (``orders.step.<name>``, their button labels), in ``orders.services.lifecycle``."""

from django.utils.translation import gettext_lazy as _

from gogomarket.core.texts import define

PLACED = define("orders.placed", _("Order placed."))
COURIER_ASSIGNED = define("orders.courier_assigned", _("Courier assigned: %(name)s."))
