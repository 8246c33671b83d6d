from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("verify-email/<str:token>/", views.EmailVerifyView.as_view(), name="verify_email"),
]
