"""Seller center routes, mounted at /seller/ (namespace ``seller``)."""

from django.urls import path

from . import seller_views as views

app_name = "seller"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("products/", views.ProductListView.as_view(), name="products"),
    path("products/new/", views.ProductCreateView.as_view(), name="product_create"),
    path("products/bulk/", views.BulkActionView.as_view(), name="bulk"),
    path("products/low-stock/", views.LowStockView.as_view(), name="low_stock"),
    path("products/export.csv", views.ExportView.as_view(), name="export"),
    path("products/import/", views.ImportView.as_view(), name="import"),
    path("products/<int:product_id>/", views.ProductEditView.as_view(), name="product_edit"),
    path(
        "products/<int:product_id>/status/<str:action>/",
        views.ProductStatusView.as_view(),
        name="product_status",
    ),
    path("products/<int:product_id>/images/", views.ImageUploadView.as_view(), name="image_upload"),
    path(
        "products/<int:product_id>/images/<int:image_id>/<str:action>/",
        views.ImageActionView.as_view(),
        name="image_action",
    ),
    path("products/<int:product_id>/variants/", views.VariantCreateView.as_view(), name="variant_create"),
    path(
        "products/<int:product_id>/variants/<int:variant_id>/",
        views.VariantUpdateView.as_view(),
        name="variant_update",
    ),
    path("products/<int:product_id>/attributes/", views.AttributeCreateView.as_view(), name="attribute_create"),
    path(
        "products/<int:product_id>/attributes/<int:attribute_id>/<str:action>/",
        views.AttributeActionView.as_view(),
        name="attribute_action",
    ),
]
