"""/api/v1/ routes of the catalog (mounted by gogomarket/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(use_regex_path=False)
router.register("seller/products", views.SellerProductViewSet, basename="seller-product")

urlpatterns = [
    path("categories/", views.CategoryTreeAPIView.as_view(), name="category-tree"),
    path("products/", views.ProductListAPIView.as_view(), name="product-list"),
    path("products/<int:product_id>/", views.ProductDetailAPIView.as_view(), name="product-detail"),
    *router.urls,
]
