from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import BaseAdmin, HistoryInline, changelist_link, uzs_column

from .models import BankAccount, Commission, Payout, Wallet, WalletTransaction


class WalletTransactionInline(HistoryInline):
    model = WalletTransaction
    fields = ("created_at", "type", "amount_uzs", "balance_after_uzs", "reference_type", "reference_id")
    max_rows = 20

    amount_uzs = uzs_column("amount", _("amount"))
    balance_after_uzs = uzs_column("balance_after", _("balance after"))


@admin.register(Wallet)
class WalletAdmin(BaseAdmin):
    list_display = ("__str__", "user", "balance_uzs", "currency", "is_active", "created_at")
    list_select_related = ("user",)
    list_filter = ("is_active", "currency", "created_at")
    search_fields = ("user__email", "user__phone")
    autocomplete_fields = ("user",)
    # The balance moves only together with a wallet transaction (written by the finance services).
    exclude = ("balance",)
    readonly_fields = ("balance_uzs", "all_transactions")
    readonly_on_change = ("user", "currency")
    inlines = (WalletTransactionInline,)

    balance_uzs = uzs_column("balance", _("balance"))

    @admin.display(description=_("transactions"))
    def all_transactions(self, obj):
        if obj.pk is None:
            return "-"
        return changelist_link(WalletTransaction, "wallet__id__exact", obj.pk, _("all transactions of this wallet"))


@admin.register(WalletTransaction)
class WalletTransactionAdmin(BaseAdmin):
    list_display = (
        "created_at",
        "wallet",
        "type",
        "amount_uzs",
        "balance_before_uzs",
        "balance_after_uzs",
        "reference_type",
        "reference_id",
    )
    list_select_related = ("wallet",)
    list_filter = ("type", "created_at")
    search_fields = ("wallet__user__email", "reference_type", "description")
    date_hierarchy = "created_at"
    autocomplete_fields = ("wallet",)
    # A ledger row is never rewritten: a mistake is corrected by a new transaction.
    immutable = True

    amount_uzs = uzs_column("amount", _("amount"))
    balance_before_uzs = uzs_column("balance_before", _("balance before"))
    balance_after_uzs = uzs_column("balance_after", _("balance after"))


@admin.register(Commission)
class CommissionAdmin(BaseAdmin):
    list_display = (
        "order",
        "seller",
        "commission_rate",
        "order_amount_uzs",
        "commission_amount_uzs",
        "status",
        "paid_at",
        "created_at",
    )
    list_select_related = ("order", "seller")
    list_filter = ("status", "created_at", "paid_at")
    search_fields = ("order__order_number", "seller__email")
    date_hierarchy = "created_at"
    autocomplete_fields = ("order", "seller")

    order_amount_uzs = uzs_column("order_amount", _("order amount"))
    commission_amount_uzs = uzs_column("commission_amount", _("commission"))


@admin.register(Payout)
class PayoutAdmin(BaseAdmin):
    list_display = ("__str__", "seller", "amount_uzs", "method", "status", "bank_account", "processed_at", "created_at")
    list_select_related = ("seller", "bank_account")
    list_filter = ("status", "method", "created_at", "processed_at")
    search_fields = ("seller__email", "transaction_id")
    date_hierarchy = "created_at"
    autocomplete_fields = ("seller", "bank_account")

    amount_uzs = uzs_column("amount", _("amount"))


@admin.register(BankAccount)
class BankAccountAdmin(BaseAdmin):
    list_display = ("bank_name", "account_holder_name", "masked_account_number", "user", "is_default", "is_verified")
    list_select_related = ("user",)
    list_filter = ("is_verified", "is_default", "created_at", ("deleted_at", admin.EmptyFieldListFilter))
    search_fields = ("bank_name", "account_holder_name", "account_number", "user__email")
    autocomplete_fields = ("user",)

    @admin.display(description=_("account number"))
    def masked_account_number(self, obj):
        number = obj.account_number or ""
        return "•••• " + number[-4:] if len(number) > 4 else number
