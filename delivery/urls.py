from django.urls import path

from . import views

app_name = "delivery"

urlpatterns = [
    path("estimate/<int:product_id>/", views.DeliveryEstimateView.as_view(), name="estimate"),
]
