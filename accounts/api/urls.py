"""/api/v1/ routes of accounts: auth/... and me/... (mounted by gogomarket/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(use_regex_path=False)
router.register("me/addresses", views.AddressViewSet, basename="address")
router.register("me/sessions", views.SessionViewSet, basename="session")

urlpatterns = [
    path("auth/register/", views.RegisterAPIView.as_view(), name="auth-register"),
    path("auth/login/", views.LoginAPIView.as_view(), name="auth-login"),
    path("auth/refresh/", views.RefreshAPIView.as_view(), name="auth-refresh"),
    path("auth/logout/", views.LogoutAPIView.as_view(), name="auth-logout"),
    path("me/", views.MeAPIView.as_view(), name="me"),
    path("me/avatar/", views.AvatarAPIView.as_view(), name="me-avatar"),
    path("me/verify-email/", views.EmailVerificationSendAPIView.as_view(), name="me-verify-email"),
    path("me/verify-phone/", views.PhoneVerificationSendAPIView.as_view(), name="me-verify-phone"),
    path("me/verify-phone/confirm/", views.PhoneVerificationConfirmAPIView.as_view(), name="me-verify-phone-confirm"),
    *router.urls,
]
