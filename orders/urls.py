from django.urls import path, register_converter

from . import courier_views, seller_views, views


class OrderNumberConverter:
    """An order number (``GM251202-1042``): letters, digits and dashes. Anything else (a NUL,
    a space) is a 404 before any query."""

    regex = r"[A-Za-z0-9][A-Za-z0-9-]{0,49}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(OrderNumberConverter, "order_number")

app_name = "orders"

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/add/", views.CartAddView.as_view(), name="cart_add"),
    path("cart/items/<int:item_id>/", views.CartItemView.as_view(), name="cart_item"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("orders/", views.OrderListView.as_view(), name="list"),
    path("orders/<order_number:number>/", views.OrderDetailView.as_view(), name="detail"),
    path("orders/<order_number:number>/step/", views.OrderTransitionView.as_view(), name="transition"),
    path("orders/<order_number:number>/pay/", views.OrderPayView.as_view(), name="pay"),
    path("seller/orders/", seller_views.SellerOrderListView.as_view(), name="seller_list"),
    path("seller/orders/<order_number:number>/", seller_views.SellerOrderDetailView.as_view(), name="seller_detail"),
    path("courier/", courier_views.CourierHomeView.as_view(), name="courier"),
]
