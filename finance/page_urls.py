"""Pages of money: the buyer's wallet (/wallet/) and the seller's finance page (/seller/finance/)."""

from django.urls import path

from . import page_views as views

urlpatterns = [
    path("wallet/", views.WalletView.as_view(), name="wallet"),
    path("wallet/topup/", views.WalletTopupView.as_view(), name="topup"),
    path("seller/finance/", views.SellerFinanceView.as_view(), name="seller_finance"),
    path("seller/finance/payouts/", views.PayoutRequestView.as_view(), name="payout_request"),
    path("seller/finance/payouts/<int:payout_id>/cancel/", views.PayoutCancelView.as_view(), name="payout_cancel"),
    path("seller/finance/bank-accounts/", views.BankAccountAddView.as_view(), name="bank_account_add"),
    path(
        "seller/finance/bank-accounts/<int:account_id>/default/",
        views.BankAccountMakeDefaultView.as_view(),
        name="bank_account_make_default",
    ),
    path(
        "seller/finance/bank-accounts/<int:account_id>/delete/",
        views.BankAccountDeleteView.as_view(),
        name="bank_account_delete",
    ),
]
