"""/api/v1/ routes of the cart, checkout and orders (mounted by gogomarket/urls.py)."""

from django.urls import path

from . import views

urlpatterns = [
    path("cart/", views.CartAPIView.as_view(), name="cart"),
    path("cart/items/<int:item_id>/", views.CartItemAPIView.as_view(), name="cart-item"),
    path("checkout/", views.CheckoutAPIView.as_view(), name="checkout"),
    path("orders/", views.OrderListAPIView.as_view(), name="order-list"),
    path("orders/<int:order_id>/", views.OrderDetailAPIView.as_view(), name="order-detail"),
    path("orders/<int:order_id>/transition/", views.OrderTransitionAPIView.as_view(), name="order-transition"),
]
