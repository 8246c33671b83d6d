from django.urls import path

from . import views

app_name = "finance"

urlpatterns = [
    path("callback/", views.PaymentCallbackView.as_view(), name="callback"),
    path("sandbox/<str:token>/", views.SandboxPageView.as_view(), name="sandbox_page"),
]
