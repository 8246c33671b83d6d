"""/api/v1/ routes of the wallet, payouts and bank accounts (mounted by gogomarket/urls.py)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter(use_regex_path=False)
router.register("seller/payouts", views.SellerPayoutViewSet, basename="seller-payout")
router.register("seller/bank-accounts", views.SellerBankAccountViewSet, basename="seller-bank-account")

urlpatterns = [
    path("wallet/", views.WalletAPIView.as_view(), name="wallet"),
    path("wallet/transactions/", views.WalletTransactionListAPIView.as_view(), name="wallet-transactions"),
    path("wallet/topup/", views.WalletTopupAPIView.as_view(), name="wallet-topup"),
    path("seller/balance/", views.SellerBalanceAPIView.as_view(), name="seller-balance"),
    *router.urls,
]
