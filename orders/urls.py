from django.urls import path

from . import courier_views, seller_views, views

app_name = "orders"

urlpatterns = [
    path("cart/", views.CartView.as_view(), name="cart"),
    path("cart/add/", views.CartAddView.as_view(), name="cart_add"),
    path("cart/items/<int:item_id>/", views.CartItemView.as_view(), name="cart_item"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("orders/", views.OrderListView.as_view(), name="list"),
    path("orders/<str:number>/", views.OrderDetailView.as_view(), name="detail"),
    path("orders/<str:number>/step/", views.OrderTransitionView.as_view(), name="transition"),
    path("seller/orders/", seller_views.SellerOrderListView.as_view(), name="seller_list"),
    path("seller/orders/<str:number>/", seller_views.SellerOrderDetailView.as_view(), name="seller_detail"),
    path("courier/", courier_views.CourierHomeView.as_view(), name="courier"),
]
