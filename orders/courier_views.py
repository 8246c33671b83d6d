"""The courier's page (``/courier/``), made for a phone: the orders they carry and the ready
orders of their zone they can take, each with one big button for the next step, the buyer's
phone and a map link to the address. The page sends the phone's position with each step when
the browser allows it."""

from django.shortcuts import render
from django.views import View

from accounts.mixins import CourierRequiredMixin

from . import selectors, services
from .services.lifecycle import courier_zone


class CourierHomeView(CourierRequiredMixin, View):
    def get(self, request):
        courier = request.user
        mine = [(order, services.next_steps(order, courier)) for order in selectors.orders_for_courier(courier=courier)]
        claimable = [
            (order, services.next_steps(order, courier)) for order in selectors.orders_claimable_by(courier=courier)
        ]
        return render(
            request,
            "orders/courier.html",
            {
                "mine": mine,
                "claimable": claimable,
                "zone": courier_zone(courier),
                "delivered": list(selectors.orders_delivered_by(courier=courier, limit=10)),
            },
        )
