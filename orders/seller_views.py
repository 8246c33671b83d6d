"""Seller center: the seller's orders with filters and the next steps (confirm, reject, prepare,
ready for pickup). Steps are posted to ``orders:transition`` like everyone's."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views import View

from accounts.mixins import SellerRequiredMixin

from . import selectors, services
from .enums import OrderStatus
from .views import order_context


class SellerOrderListView(SellerRequiredMixin, View):
    def get(self, request):
        status = request.GET.get("status") or None
        if status and status not in OrderStatus.values:
            status = None
        q = (request.GET.get("q") or "").replace("\x00", "").strip()[:50]
        orders = selectors.orders_for_seller(seller=request.user, status=status, q=q)
        page = Paginator(orders, 25).get_page(request.GET.get("page"))
        rows = [(order, services.next_steps(order, request.user)) for order in page]
        return render(
            request,
            "orders/seller_order_list.html",
            {"page": page, "rows": rows, "status": status, "q": q, "statuses": OrderStatus.choices},
        )


class SellerOrderDetailView(SellerRequiredMixin, View):
    def get(self, request, number):
        order = selectors.order_for_user_or_404(user=request.user, number=number)
        if order.seller_id != request.user.pk:
            raise Http404
        return render(request, "orders/seller_order_detail.html", order_context(order, request.user))
