from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("catalog/", views.CategoryListView.as_view(), name="category_list"),
    path("catalog/<slug:slug>/", views.CategoryDetailView.as_view(), name="category_detail"),
    path("products/<slug:slug>/", views.ProductDetailView.as_view(), name="product_detail"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("search/suggest/", views.SearchSuggestView.as_view(), name="search_suggest"),
    path("sellers/<int:seller_id>/", views.SellerStorefrontView.as_view(), name="seller_storefront"),
]
