"""The back office of money, for the accounting role (accounts.permissions).

Nothing here writes money by hand: wallets, ledger rows, commissions and card payments are shown
only; payouts are approved (sent now) or cancelled, bank accounts verified, card refunds sent
again, through the same services as the seller's pages and the Celery jobs. "Money totals" sums the period's movements.
"""

from datetime import date, datetime, time, timedelta

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gogomarket.core.admin_utils import (
    ActionsOnlyAdmin,
    HistoryInline,
    ReadOnlyAdmin,
    changelist_link,
    run_per_row,
    uzs_column,
)

from .enums import PayoutStatus
from .models import (
    BankAccount,
    Commission,
    Payment,
    PaymentOrder,
    PaymentRefund,
    Payout,
    RefundState,
    Wallet,
    WalletTransaction,
)
from .services import payments as payment_services
from .services import payouts as payout_services
from .services.reports import COLUMNS, money_totals


class WalletTransactionInline(HistoryInline):
    model = WalletTransaction
    fields = ("created_at", "type", "amount_uzs", "balance_after_uzs", "reference_type", "reference_id")
    max_rows = 20

    amount_uzs = uzs_column("amount", _("amount"))
    balance_after_uzs = uzs_column("balance_after", _("balance after"))


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "user", "balance_uzs", "currency", "is_active", "created_at")
    list_select_related = ("user",)
    list_filter = ("is_active", "currency", "created_at")
    search_fields = ("user__email", "user__phone")
    # The balance moves only together with a wallet transaction (finance.services.ledger).
    fields = ("user", "balance_uzs", "currency", "is_active", "all_transactions", "created_at", "updated_at")
    readonly_fields = fields
    inlines = (WalletTransactionInline,)

    balance_uzs = uzs_column("balance", _("balance"))

    @admin.display(description=_("transactions"))
    def all_transactions(self, obj):
        if obj.pk is None:
            return "-"
        return changelist_link(WalletTransaction, "wallet__id__exact", obj.pk, _("all transactions of this wallet"))


@admin.register(WalletTransaction)
class WalletTransactionAdmin(ReadOnlyAdmin):
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
    list_select_related = ("wallet__user",)
    list_filter = ("type", "reference_type", "created_at")
    search_fields = ("wallet__user__email", "wallet__user__phone", "description")
    date_hierarchy = "created_at"
    # A ledger row is never rewritten: a mistake is corrected by a new transaction.
    fields = (
        "wallet", "type", "amount_uzs", "balance_before_uzs", "balance_after_uzs", "reference_type", "reference_id",
        "description", "metadata", "created_at",
    )  # fmt: skip
    readonly_fields = fields

    amount_uzs = uzs_column("amount", _("amount"))
    balance_before_uzs = uzs_column("balance_before", _("balance before"))
    balance_after_uzs = uzs_column("balance_after", _("balance after"))

    def get_urls(self):
        totals = path("totals/", self.admin_site.admin_view(self.totals_view), name="finance_money_totals")
        return [totals, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        extra = {"totals_url": reverse("admin:finance_money_totals"), **(extra_context or {})}
        return super().changelist_view(request, extra)

    def totals_view(self, request):
        """Money totals per day, week or month of a date range (default: the last 30 days)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = TotalsForm(request.GET or None)
        today = timezone.localdate()
        start, end, period = today - timedelta(days=TotalsForm.DEFAULT_DAYS - 1), today, "day"
        if form.is_bound and form.is_valid():
            start, end, period = form.cleaned_data["start"], form.cleaned_data["end"], form.cleaned_data["period"]
        zone = timezone.get_current_timezone()
        rows, grand = money_totals(
            start=datetime.combine(start, time.min, zone),
            end=datetime.combine(end + timedelta(days=1), time.min, zone),
            period=period,
        )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Money totals"),
            "opts": self.model._meta,
            "form": form if form.is_bound else TotalsForm(initial={"start": start, "end": end, "period": period}),
            "columns": [(name, COLUMN_TITLES[name]) for name in COLUMNS],
            "rows": [(row.start, [row.values[c] for c in COLUMNS]) for row in rows],
            "grand": [grand.values[c] for c in COLUMNS],
            "period": period,
        }
        return TemplateResponse(request, "admin/finance/money_totals.html", context)


COLUMN_TITLES = {
    "topups": _("Top-ups by card"),
    "wallet_purchases": _("Paid from wallets"),
    "card_payments": _("Orders paid by card"),
    "card_refunds": _("Refunds to cards"),
    "wallet_refunds": _("Refunds to wallets"),
    "sales": _("Sales released"),
    "commissions": _("Commissions earned"),
    "earnings_released": _("Earnings credited to sellers"),
    "payouts_completed": _("Payouts sent"),
    "payouts_held": _("Payouts waiting"),
}


class TotalsForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    period = forms.ChoiceField(
        label=_("Per"),
        required=False,
        choices=[("day", _("day")), ("week", _("week")), ("month", _("month"))],
    )

    DEFAULT_DAYS = 30

    def clean(self):
        """Fill in what was left empty (the end: today; the start: 30 days before the end; per
        day), so that the limits below hold for every period shown, not only a fully typed one."""
        data = super().clean()
        if self.has_error("start") or self.has_error("end"):
            return data
        data["end"] = data.get("end") or timezone.localdate()
        data["start"] = data.get("start") or data["end"] - timedelta(days=self.DEFAULT_DAYS - 1)
        data["period"] = data.get("period") or "day"
        if data["end"] >= date.max:  # the period ends the day after: beyond the calendar
            self.add_error("end", _("Enter a valid date."))
            return data
        if data["start"] > data["end"]:
            raise ValidationError(_("The start is after the end."))
        if (data["end"] - data["start"]).days > 3 * 366:
            raise ValidationError(_("Choose at most three years."))
        return data


@admin.register(Commission)
class CommissionAdmin(ReadOnlyAdmin):
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
    fields = (
        "order", "seller", "commission_rate", "order_amount_uzs", "commission_amount_uzs", "status", "paid_at",
        "created_at",
    )  # fmt: skip
    readonly_fields = fields

    order_amount_uzs = uzs_column("order_amount", _("order amount"))
    commission_amount_uzs = uzs_column("commission_amount", _("commission"))


@admin.register(Payout)
class PayoutAdmin(ActionsOnlyAdmin):
    """Sellers ask for payouts (the amount is held from their wallet then); accounting approves
    (sends now) or cancels them here."""

    list_display = (
        "__str__", "seller", "amount_uzs", "method", "status", "account", "transaction_id", "processed_at",
        "created_at",
    )  # fmt: skip
    list_select_related = ("seller", "bank_account")
    list_filter = ("status", "method", "created_at", "processed_at")
    search_fields = ("seller__email", "seller__phone", "transaction_id")
    date_hierarchy = "created_at"
    fields = (
        "seller", "amount_uzs", "currency", "method", "status", "account", "transaction_id", "notes",
        "processed_at", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = (*fields, "bank_account")
    actions = ("approve", "cancel")

    amount_uzs = uzs_column("amount", _("amount"))

    @admin.display(description=_("bank account"))
    def account(self, obj):
        if obj.bank_account is None:
            return "-"
        return f"{obj.bank_account.bank_name} {payout_services.bank_account_masked(obj.bank_account)}"

    @admin.action(description=_("Approve and send now"), permissions=["change"])
    def approve(self, request, queryset):
        def run(payout):
            # A payout already done (or cancelled) is not "sent" again: say what it is.
            if payout.status not in (PayoutStatus.PENDING, PayoutStatus.PROCESSING):
                raise ValidationError(_("it is %(status)s.") % {"status": payout.get_status_display()})
            result = payout_services.payout_process(payout=payout, actor=request.user, request=request)
            if result.status == PayoutStatus.FAILED:
                raise ValidationError(_("the payout provider refused it; the money is back in the wallet."))
            if result.status == PayoutStatus.PROCESSING:
                # Another worker is sending it right now (or a bank payout the provider has not
                # answered yet): its result will show here; nothing was sent twice.
                raise ValidationError(_("it is being sent already; its result will show here."))
            if result.status != PayoutStatus.COMPLETED:
                raise ValidationError(_("it is %(status)s.") % {"status": result.get_status_display()})

        # Not in a transaction of ours: payout_process commits "processing" before it calls the
        # provider, and records the answer in a transaction of its own.
        run_per_row(self, request, queryset, run, _("%(n)d payouts sent."), atomic=False)

    @admin.action(description=_("Cancel (the money goes back to the wallet)"), permissions=["change"])
    def cancel(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda payout: payout_services.payout_cancel(payout=payout, actor=request.user, request=request),
            _("%(n)d payouts cancelled."),
        )


@admin.register(BankAccount)
class BankAccountAdmin(ActionsOnlyAdmin):
    """Sellers add their accounts; accounting verifies them here (read-only otherwise)."""

    list_display = ("bank_name", "account_holder_name", "masked_number", "user", "is_default", "is_verified")
    list_select_related = ("user",)
    list_filter = ("is_verified", "is_default", "created_at", ("deleted_at", admin.EmptyFieldListFilter))
    # The number is encrypted: it cannot be searched, and is shown masked.
    search_fields = ("bank_name", "account_holder_name", "user__email", "user__phone")
    fields = (
        "user", "bank_name", "account_holder_name", "masked_number", "routing_number", "is_default", "is_verified",
        "created_at", "updated_at", "deleted_at",
    )  # fmt: skip
    readonly_fields = fields
    actions = ("verify",)

    @admin.display(description=_("account number"))
    def masked_number(self, obj):
        return payout_services.bank_account_masked(obj)

    @admin.action(description=_("Verify"), permissions=["change"])
    def verify(self, request, queryset):
        run_per_row(
            self,
            request,
            queryset,
            lambda account: payout_services.bank_account_verify(account=account, actor=request.user, request=request),
            _("%(n)d accounts verified."),
        )


class PaymentRefundInline(HistoryInline):
    model = PaymentRefund
    fields = ("created_at", "key", "amount_uzs", "state", "attempts", "provider_reference", "failure_reason")
    max_rows = 20

    amount_uzs = uzs_column("amount", _("amount"))


class PaymentOrderInline(HistoryInline):
    model = PaymentOrder
    fields = ("order", "paid_at")
    select_related = ("order",)
    max_rows = 50


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdmin):
    """Which orders each card payment is for, and when it paid them (written by the services)."""

    list_display = ("__str__", "payment", "order", "paid_at")
    list_select_related = ("payment", "order")
    raw_id_fields = ("payment", "order")
    search_fields = ("order__order_number", "payment__provider_reference")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__", "user", "purpose", "amount_uzs", "state", "refunded_uzs", "provider", "provider_reference",
        "created_at",
    )  # fmt: skip
    list_select_related = ("user",)
    list_filter = ("state", "purpose", "provider", "created_at")
    search_fields = ("user__email", "user__phone", "provider_reference")
    date_hierarchy = "created_at"
    # The token (the key of the provider's page) is not for anyone's eyes.
    fields = (
        "user", "purpose", "amount_uzs", "currency", "state", "refunded_uzs", "provider", "provider_reference",
        "failure_reason", "created_at", "updated_at",
    )  # fmt: skip
    readonly_fields = fields
    inlines = (PaymentOrderInline, PaymentRefundInline)

    amount_uzs = uzs_column("amount", _("amount"))
    refunded_uzs = uzs_column("refunded_amount", _("refunded"))


@admin.register(PaymentRefund)
class PaymentRefundAdmin(ActionsOnlyAdmin):
    """Card refunds for accounting: what went back to which card, what the provider refused (a
    failed one is not on its way: sort it out with the provider, then "Send again")."""

    list_display = (
        "__str__", "payment", "amount_uzs", "state", "key", "attempts", "provider_reference", "created_at",
        "processed_at",
    )  # fmt: skip
    list_select_related = ("payment",)
    list_filter = ("state", "created_at", "processed_at")
    search_fields = ("key", "provider_reference", "payment__provider_reference", "payment__user__email")
    date_hierarchy = "created_at"
    fields = (
        "payment", "amount_uzs", "state", "key", "reason", "charge_reference", "provider_reference",
        "failure_reason", "attempts", "created_at", "updated_at", "processed_at",
    )  # fmt: skip
    readonly_fields = fields
    actions = ("send_again",)

    amount_uzs = uzs_column("amount", _("amount"))

    # Asked for by what cancels or refunds a payment: never added here.

    @admin.action(description=_("Send again"), permissions=["change"])
    def send_again(self, request, queryset):
        def run(refund):
            sent = payment_services.refund_send_again(refund=refund, actor=request.user, request=request)
            refund.state = sent.state  # the warning names the refund in the state it is in now
            if sent.state == RefundState.FAILED:
                raise ValidationError(_("the card provider refused it: %(reason)s") % {"reason": sent.failure_reason})
            if sent.state != RefundState.SUCCEEDED:
                raise ValidationError(
                    _("the card provider did not answer; it is sent again automatically in a few minutes.")
                )

        # Not in a transaction of ours: the refund is committed as pending before the provider is
        # called, and its answer is recorded in a transaction of its own.
        run_per_row(self, request, queryset, run, _("%(n)d refunds sent."), atomic=False)
