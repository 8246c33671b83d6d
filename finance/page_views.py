"""The money pages: the buyer's GoGoMoney wallet (``/wallet/``: balance, history, top-up by card)
and the seller's finance page (``/seller/finance/``: balances, commissions, payouts, bank
accounts). Each view parses the form, calls ``finance.services`` and renders; a service's
ValidationError is shown on the page's form and nothing is written. Everything is the caller's
own: another seller's payout or bank account is a 404. A payment-creating form carries a hidden
idempotency token (as checkout does): sending it twice moves money once."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from accounts.mixins import SellerRequiredMixin, SignedInRequiredMixin
from gogomarket.core.money import format_uzs
from gogomarket.core.services import IdempotencyConflict

from .forms import BankAccountForm, PayoutRequestForm, TopupForm
from .models import BankAccount, Payment, PaymentState, Payout
from .selectors import (
    bank_accounts_of,
    commissions_of,
    payout_payable_amount,
    payouts_of,
    seller_balances,
    wallet_transactions_of,
)
from .services.ledger import wallet_for
from .services.payments import topup_start
from .services.payouts import (
    bank_account_add,
    bank_account_delete,
    bank_account_make_default,
    bank_account_masked,
    payout_cancel,
    payout_request,
)

PAGE_SIZE = 20
# The top-up the buyer went to pay, so that the wallet page can say how it ended on return.
TOPUP_SESSION_KEY = "finance:topup_payment"


# The same form token with another body (the back button, then a changed amount): nothing is done.
IDEMPOTENCY_CONFLICT = gettext_lazy("This form was already sent with different details. Check them and send it again.")


def _token(error=None, sent=""):
    """The form's idempotency token for the page: the one sent back when nothing was written (so
    a retry is still the same request), a fresh one when the key itself was refused."""
    if sent and not (error is not None and "idempotency_key" in getattr(error, "error_dict", {})):
        return sent
    return uuid.uuid4().hex


# --- buyer: the wallet --------------------------------------------------------------------------
def _topup_outcome(request):
    """Back from the card provider's page: say how the top-up ended (once)."""
    payment_id = request.session.pop(TOPUP_SESSION_KEY, None)
    if not payment_id:
        return
    payment = Payment.objects.filter(pk=payment_id, user=request.user).first()
    if payment is None:
        return
    amount = format_uzs(payment.amount)
    if payment.state == PaymentState.SUCCEEDED:
        messages.success(request, _("%(amount)s is in your wallet.") % {"amount": amount})
    elif payment.state == PaymentState.FAILED:
        messages.error(
            request, _("The card payment of %(amount)s was declined: no money was taken.") % {"amount": amount}
        )
    elif payment.state == PaymentState.PENDING:
        messages.info(
            request,
            _("The top-up of %(amount)s waits for the card provider: the balance changes once it is paid.")
            % {"amount": amount},
        )


def wallet_page(request, form, *, token="", status=200):
    wallet = wallet_for(request.user)
    history = wallet_transactions_of(request.user)
    page = Paginator(history, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"wallet": wallet, "page": page, "form": form, "token": token or uuid.uuid4().hex}
    return render(request, "finance/wallet.html", context, status=status)


class WalletView(SignedInRequiredMixin, View):
    def get(self, request):
        _topup_outcome(request)
        return wallet_page(request, TopupForm())


class WalletTopupView(SignedInRequiredMixin, View):
    """POST amount, token: start a card top-up and send the buyer to the provider's page."""

    http_method_names = ["post"]

    def post(self, request):
        form = TopupForm(request.POST)
        sent = request.POST.get("token", "")
        token = sent
        if form.is_valid():
            try:
                payment, page_url, _replayed = topup_start(
                    user=request.user,
                    amount=form.cleaned_data["amount"],
                    idempotency_key=sent,
                    return_url=reverse("money:wallet"),
                    request=request,
                )
            except IdempotencyConflict:
                form.add_error(None, IDEMPOTENCY_CONFLICT)
                token = ""
            except ValidationError as error:
                form.add_service_error(error)
                token = _token(error, sent)
            else:
                # A repeated form (double click, back and resend) lands on the same payment's page.
                request.session[TOPUP_SESSION_KEY] = payment.pk
                return redirect(page_url)
        return wallet_page(request, form, token=token, status=400)


# --- seller: the finance page -------------------------------------------------------------------
def _bank_accounts(seller):
    """The seller's accounts, the default first, each with its ``masked`` number."""
    accounts = list(bank_accounts_of(seller))
    for account in accounts:
        account.masked = bank_account_masked(account)
    return accounts


def _payout_choices(accounts):
    return [(a.pk, f"{a.bank_name} {a.masked}") for a in accounts if a.is_verified]


def _payout_form(accounts):
    verified = [a for a in accounts if a.is_verified]
    default = next((a.pk for a in verified if a.is_default), verified[0].pk if verified else None)
    return PayoutRequestForm(accounts=_payout_choices(accounts), initial={"bank_account": default})


def seller_finance_page(request, *, accounts=None, payout_form=None, account_form=None, token="", status=200):
    seller = request.user
    accounts = _bank_accounts(seller) if accounts is None else accounts
    available, pending = seller_balances(seller)
    payable = payout_payable_amount(seller)
    commissions = Paginator(commissions_of(seller), PAGE_SIZE).get_page(request.GET.get("commissions_page"))
    payouts = Paginator(payouts_of(seller), PAGE_SIZE).get_page(request.GET.get("payouts_page"))
    for payout in payouts:
        payout.account_masked = bank_account_masked(payout.bank_account) if payout.bank_account else ""
    context = {
        "available": available,
        "payable": payable,
        "pending": pending,
        "commissions": commissions,
        "payouts": payouts,
        "accounts": accounts,
        "payout_form": payout_form or _payout_form(accounts),
        "account_form": account_form or BankAccountForm(),
        "token": token or uuid.uuid4().hex,
    }
    return render(request, "finance/seller_finance.html", context, status=status)


def _finance_url(anchor):
    return f"{reverse('money:seller_finance')}#{anchor}"


def _messages_from(request, error):
    for message in error.messages:
        messages.error(request, message)


class SellerFinanceView(SellerRequiredMixin, View):
    def get(self, request):
        return seller_finance_page(request)


class PayoutRequestView(SellerRequiredMixin, View):
    """POST amount, method, bank_account, notes, token: hold the amount for a payout."""

    http_method_names = ["post"]

    def post(self, request):
        accounts = _bank_accounts(request.user)
        form = PayoutRequestForm(request.POST, accounts=_payout_choices(accounts))
        sent = request.POST.get("token", "")
        token = sent
        if form.is_valid():
            data = form.cleaned_data
            try:
                payout, replayed = payout_request(
                    seller=request.user,
                    amount=data["amount"],
                    method=data["method"],
                    bank_account_id=data["bank_account"],
                    notes=data["notes"],
                    idempotency_key=sent,
                    request=request,
                )
            except IdempotencyConflict:
                form.add_error(None, IDEMPOTENCY_CONFLICT)
                token = ""
            except ValidationError as error:
                form.add_service_error(error)
                token = _token(error, sent)
            else:
                if replayed:
                    messages.info(request, _("This payout was already requested."))
                else:
                    messages.success(
                        request,
                        _("Payout of %(amount)s requested: the money is held from your wallet until it is sent.")
                        % {"amount": format_uzs(payout.amount)},
                    )
                return redirect(_finance_url("payouts"))
        return seller_finance_page(request, accounts=accounts, payout_form=form, token=token, status=400)


class PayoutCancelView(SellerRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, payout_id):
        payout = get_object_or_404(Payout, pk=payout_id, seller=request.user)
        try:
            payout_cancel(payout=payout, actor=request.user, request=request)
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(
                request,
                _("Payout cancelled: %(amount)s is back in your wallet.") % {"amount": format_uzs(payout.amount)},
            )
        return redirect(_finance_url("payouts"))


class BankAccountAddView(SellerRequiredMixin, View):
    """POST bank_name, account_holder_name, account_number, routing_number."""

    http_method_names = ["post"]

    def post(self, request):
        form = BankAccountForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                account = bank_account_add(
                    user=request.user,
                    bank_name=data["bank_name"],
                    account_holder_name=data["account_holder_name"],
                    account_number=data["account_number"],
                    routing_number=data["routing_number"],
                    request=request,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(
                    request,
                    _("Account %(number)s at %(bank)s is added: payouts go to it once GOGOMARKET has verified it.")
                    % {"number": bank_account_masked(account), "bank": account.bank_name},
                )
                return redirect(_finance_url("bank-accounts"))
        return seller_finance_page(request, account_form=form, status=400)


class _OwnBankAccountView(SellerRequiredMixin, View):
    http_method_names = ["post"]

    def account(self, account_id):
        return get_object_or_404(BankAccount, pk=account_id, user=self.request.user, deleted_at__isnull=True)


class BankAccountMakeDefaultView(_OwnBankAccountView):
    def post(self, request, account_id):
        account = self.account(account_id)
        try:
            bank_account_make_default(account=account, user=request.user, request=request)
        except BankAccount.DoesNotExist:  # deleted meanwhile by a concurrent request
            raise Http404 from None
        messages.success(
            request, _("Payouts now go to %(number)s by default.") % {"number": bank_account_masked(account)}
        )
        return redirect(_finance_url("bank-accounts"))


class BankAccountDeleteView(_OwnBankAccountView):
    def post(self, request, account_id):
        account = self.account(account_id)
        try:
            bank_account_delete(account=account, user=request.user, request=request)
        except BankAccount.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            _messages_from(request, error)
        else:
            messages.success(request, _("Account %(number)s is removed.") % {"number": bank_account_masked(account)})
        return redirect(_finance_url("bank-accounts"))
