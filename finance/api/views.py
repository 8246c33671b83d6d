"""The money API for the mobile apps: the caller's GoGoMoney wallet (balance, history, card
top-ups) and, for sellers, their balance, payouts and bank accounts. Each view parses input,
calls ``finance.services`` and serializes the result; a service's ValidationError becomes a 400
with field messages (``gogomarket.core.api.exceptions``). Everything is the caller's own: another
seller's payout or bank account is a 404, never a 403."""

from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.enums import UserRole
from finance.enums import TransactionType
from finance.models import BankAccount, Payout, WalletTransaction
from finance.selectors import (
    bank_accounts_of,
    payout_payable_amount,
    payouts_of,
    seller_balances,
    wallet_transactions_of,
)
from finance.services.ledger import wallet_for
from finance.services.payments import topup_start
from finance.services.payouts import (
    bank_account_add,
    bank_account_delete,
    bank_account_make_default,
    payout_cancel,
    payout_request,
)
from gogomarket.core.api.schema import INVALID, ValidationErrorSerializer, error
from gogomarket.core.api.validation import validated
from gogomarket.core.services import IdempotencyConflict

from .serializers import (
    BankAccountInputSerializer,
    BankAccountSerializer,
    PayoutInputSerializer,
    PayoutSerializer,
    SellerBalanceSerializer,
    TopupInputSerializer,
    TopupSerializer,
    TransactionFilterSerializer,
    WalletSerializer,
    WalletTransactionSerializer,
)

# Where the card provider sends the buyer back after a top-up: the wallet page.
WALLET_PAGE = "/wallet/"

CONFLICT = error(
    '`{"idempotency_key": [message]}`: the key was used before for a different request.', ValidationErrorSerializer
)
NOT_A_SELLER = error("Only seller accounts may do this (`permission_denied`).")


def idempotency_header(what):
    return OpenApiParameter(
        "Idempotency-Key",
        str,
        location=OpenApiParameter.HEADER,
        required=False,
        description=f"Repeat a request with the same key to get its first answer; {what} once. "
        "At most 100 printable characters.",
    )


def _idempotency_key(request):
    return request.headers.get("Idempotency-Key", "")


@contextmanager
def _gone_is_404(model):
    """A row deleted between the lookup and the service (by a concurrent request) is a 404, like
    one that was never there."""
    try:
        yield
    except model.DoesNotExist as exc:
        raise exceptions.NotFound() from exc


class IsSeller(BasePermission):
    # Not catalog.api's IsSeller: its object check reads ``seller_id``, which bank accounts do
    # not have. Objects here are never checked one by one: querysets hold the caller's only.
    message = _("Only seller accounts may do this.")

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.role == UserRole.SELLER)


def wallet_schema(*, summary, responses, **kwargs):
    return extend_schema(tags=["wallet"], summary=summary, responses=responses, **kwargs)


def seller_schema(*, summary, responses, **kwargs):
    return extend_schema(tags=["seller"], summary=summary, responses={**responses, 403: NOT_A_SELLER}, **kwargs)


# --- wallet ---------------------------------------------------------------------------------------
class WalletAPIView(APIView):
    permission_classes = [IsAuthenticated]

    @wallet_schema(summary="My GoGoMoney wallet", responses={200: WalletSerializer})
    def get(self, request):
        return Response(WalletSerializer(wallet_for(request.user)).data)


class WalletTransactionListAPIView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = WalletTransactionSerializer
    filter_backends = []

    @wallet_schema(
        summary="My wallet's movements",
        description="Newest first, 20 per page.",
        parameters=[OpenApiParameter("type", str, enum=TransactionType.values, description="Only this kind.")],
        responses={200: WalletTransactionSerializer(many=True), 400: INVALID},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return WalletTransaction.objects.none()
        filters = validated(TransactionFilterSerializer, self.request.query_params)
        return wallet_transactions_of(self.request.user, type=filters.get("type"))


class WalletTopupAPIView(APIView):
    permission_classes = [IsAuthenticated]

    @wallet_schema(
        summary="Top up the wallet by card",
        description=(
            "Starts a card payment and answers with the provider's page (`payment_url`) to open for the "
            "buyer; the wallet is credited when the provider confirms the payment, once. With "
            "`Idempotency-Key`, a repeated request answers with the first payment (200) instead of "
            "starting another (201); the same key with another amount is refused (409)."
        ),
        parameters=[idempotency_header("the payment is started")],
        request=TopupInputSerializer,
        responses={201: TopupSerializer, 200: TopupSerializer, 400: INVALID, 409: CONFLICT},
    )
    def post(self, request):
        data = validated(TopupInputSerializer, request.data)
        try:
            payment, url, replayed = topup_start(
                user=request.user,
                amount=data["amount"],
                idempotency_key=_idempotency_key(request),
                return_url=WALLET_PAGE,
                request=request._request,
            )
        except IdempotencyConflict as conflict:
            return Response(conflict.message_dict, status=status.HTTP_409_CONFLICT)
        payment.payment_url = request.build_absolute_uri(url)  # apps cannot follow a site-relative URL
        return Response(
            TopupSerializer(payment).data, status=status.HTTP_200_OK if replayed else status.HTTP_201_CREATED
        )


# --- seller: balance ------------------------------------------------------------------------------
class SellerBalanceAPIView(APIView):
    permission_classes = [IsAuthenticated, IsSeller]

    @seller_schema(
        summary="My balance as a seller",
        description="`available` is in the wallet; `payable` is the part of it that may be paid out (the "
        "earnings from sales: top-ups, refunds and bonuses can be spent on purchases, never paid out); `pending` "
        "are delivered orders' earnings still in their hold period (the return window).",
        responses={200: SellerBalanceSerializer},
    )
    def get(self, request):
        available, pending = seller_balances(request.user)
        payable = payout_payable_amount(request.user)
        body = {"available": available, "payable": payable, "pending": pending, "currency": "UZS"}
        return Response(SellerBalanceSerializer(body).data)


# --- seller: payouts ------------------------------------------------------------------------------
@extend_schema_view(
    list=seller_schema(
        summary="My payouts", description="Newest first, 20 per page.", responses={200: PayoutSerializer(many=True)}
    ),
    retrieve=seller_schema(summary="One of my payouts", responses={200: PayoutSerializer}),
    create=seller_schema(
        summary="Ask for a payout",
        description=(
            "The amount is held from the wallet at once and sent by the next payout run. With "
            "`Idempotency-Key`, a repeated request answers with the first payout (200) instead of "
            "holding the money again (201); the same key with another body is refused (409)."
        ),
        parameters=[idempotency_header("the money is held")],
        request=PayoutInputSerializer,
        responses={201: PayoutSerializer, 200: PayoutSerializer, 400: INVALID, 409: CONFLICT},
    ),
    cancel=seller_schema(
        summary="Cancel a payout that has not started",
        description="The held amount comes back to the wallet.",
        request=None,
        responses={200: PayoutSerializer, 400: INVALID},
    ),
)
class SellerPayoutViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsSeller]
    serializer_class = PayoutSerializer
    filter_backends = []
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payout.objects.none()
        return payouts_of(self.request.user)

    def _answer(self, payout, code=status.HTTP_200_OK):
        return Response(PayoutSerializer(self.get_queryset().get(pk=payout.pk)).data, status=code)

    def create(self, request):
        data = validated(PayoutInputSerializer, request.data)
        try:
            payout, replayed = payout_request(
                seller=request.user,
                amount=data["amount"],
                method=data["method"],
                bank_account_id=data["bank_account"],
                notes=data["notes"],
                idempotency_key=_idempotency_key(request),
                request=request._request,
            )
        except IdempotencyConflict as conflict:
            return Response(conflict.message_dict, status=status.HTTP_409_CONFLICT)
        return self._answer(payout, status.HTTP_200_OK if replayed else status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        payout = self.get_object()
        payout_cancel(payout=payout, actor=request.user, request=request._request)
        return self._answer(payout)


# --- seller: bank accounts ------------------------------------------------------------------------
@extend_schema_view(
    list=seller_schema(
        summary="My bank accounts",
        description="The default first. Numbers are shown masked only.",
        responses={200: BankAccountSerializer(many=True)},
    ),
    retrieve=seller_schema(summary="One of my bank accounts", responses={200: BankAccountSerializer}),
    create=seller_schema(
        summary="Add a bank account",
        description="Unverified until staff check it: payouts go to verified accounts only. The first "
        "account becomes the default. The number is stored encrypted and never shown again.",
        request=BankAccountInputSerializer,
        responses={201: BankAccountSerializer, 400: INVALID},
    ),
    destroy=seller_schema(
        summary="Remove a bank account",
        description="Refused (400) while a payout to it is on its way.",
        responses={204: None, 400: INVALID},
    ),
    make_default=seller_schema(
        summary="Make this my default bank account",
        request=None,
        responses={200: BankAccountSerializer},
    ),
)
class SellerBankAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, IsSeller]
    serializer_class = BankAccountSerializer
    filter_backends = []
    lookup_value_converter = "int"
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BankAccount.objects.none()
        return bank_accounts_of(self.request.user)

    def _answer(self, account, code=status.HTTP_200_OK):
        return Response(BankAccountSerializer(self.get_queryset().get(pk=account.pk)).data, status=code)

    def create(self, request):
        data = validated(BankAccountInputSerializer, request.data)
        account = bank_account_add(
            user=request.user,
            bank_name=data["bank_name"],
            account_holder_name=data["account_holder_name"],
            account_number=data["account_number"],
            routing_number=data.get("routing_number") or "",
            request=request._request,
        )
        return self._answer(account, status.HTTP_201_CREATED)

    def destroy(self, request, pk=None):
        account = self.get_object()
        with _gone_is_404(BankAccount):
            bank_account_delete(account=account, user=request.user, request=request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], url_path="make-default")
    def make_default(self, request, pk=None):
        account = self.get_object()
        with _gone_is_404(BankAccount):
            bank_account_make_default(account=account, user=request.user, request=request._request)
            return self._answer(account)
