"""Reads of money shared by the pages and the API: always the asking person's own rows, newest
first, with what each list shows fetched in the same query."""

from django.db.models import F

from .models import BankAccount, Commission, Payout, WalletTransaction


def wallet_transactions_of(user, *, type=None):
    entries = WalletTransaction.objects.filter(wallet__user=user)
    if type:
        entries = entries.filter(type=type)
    return entries.order_by("-created_at", "-pk")


def bank_accounts_of(user):
    """The user's accounts (not deleted), the default first."""
    return BankAccount.objects.filter(user=user, deleted_at__isnull=True).order_by(
        F("is_default").desc(nulls_last=True), "-pk"
    )


def payouts_of(seller):
    return Payout.objects.filter(seller=seller).select_related("bank_account").order_by("-created_at", "-pk")


def commissions_of(seller):
    return Commission.objects.filter(seller=seller).select_related("order").order_by("-created_at", "-pk")
