from decimal import Decimal

import factory
from django.db.models import F
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.tests.factories import BuyerFactory, SellerFactory
from finance import crypto
from finance.enums import CommissionStatus, PayoutMethod, PayoutStatus, TransactionType
from finance.models import (
    BankAccount,
    Commission,
    Payment,
    PaymentOrder,
    PaymentPurpose,
    PaymentRefund,
    PaymentState,
    Payout,
    RefundState,
    Wallet,
    WalletTransaction,
)
from orders.tests.factories import COMMISSION_RATE, OrderFactory

CENT = Decimal("0.01")


class WalletFactory(DjangoModelFactory):
    """An empty UZS wallet; its balance grows with ``WalletTransactionFactory``."""

    class Meta:
        model = Wallet

    user = factory.SubFactory(BuyerFactory)
    balance = Decimal("0.00")
    currency = "UZS"
    is_active = True


class WalletTransactionFactory(DjangoModelFactory):
    """A deposit of 100 000 so'm by default; ``amount`` is signed (negative for money going out).

    ``balance_before`` is the wallet's balance, ``balance_after = balance_before + amount``, and the
    wallet's balance is moved to ``balance_after``, so consecutive transactions chain."""

    class Meta:
        model = WalletTransaction

    class Params:
        withdrawal = factory.Trait(type=TransactionType.WITHDRAWAL, amount=Decimal("-50000.00"))

    wallet = factory.SubFactory(WalletFactory)
    type = TransactionType.DEPOSIT
    amount = Decimal("100000.00")
    balance_before = factory.LazyAttribute(lambda o: o.wallet.balance)
    balance_after = factory.LazyAttribute(lambda o: o.balance_before + o.amount)
    reference_type = None
    reference_id = None
    description = factory.LazyAttribute(lambda o: f"{o.type} {o.amount}")
    metadata = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        transaction = super()._create(model_class, *args, **kwargs)
        Wallet.objects.filter(pk=transaction.wallet_id).update(balance=transaction.balance_after)
        transaction.wallet.balance = transaction.balance_after
        return transaction


class CommissionFactory(DjangoModelFactory):
    """The platform's commission on a paid order, from the order's seller and subtotal."""

    class Meta:
        model = Commission

    order = factory.SubFactory(OrderFactory, paid=True)
    seller = factory.SelfAttribute("order.seller")
    commission_rate = COMMISSION_RATE
    order_amount = factory.SelfAttribute("order.subtotal")
    commission_amount = factory.LazyAttribute(lambda o: (o.order_amount * o.commission_rate / 100).quantize(CENT))
    status = CommissionStatus.PENDING


class BankAccountFactory(DjangoModelFactory):
    """A seller's verified account at an Uzbek bank (20-digit account number, 5-digit MFO); the
    number is stored encrypted, like the services store it."""

    class Meta:
        model = BankAccount

    user = factory.SubFactory(SellerFactory)
    bank_name = "Kapitalbank"
    account_holder_name = factory.LazyAttribute(lambda o: o.user.get_full_name())
    account_number = factory.Sequence(lambda n: crypto.encrypt(f"2020800000{n:010d}"))
    routing_number = "01088"
    is_default = True
    is_verified = True


class PayoutFactory(DjangoModelFactory):
    """A pending bank-transfer payout to the seller's own bank account."""

    class Meta:
        model = Payout

    seller = factory.SubFactory(SellerFactory)
    amount = Decimal("500000.00")
    currency = "UZS"
    method = PayoutMethod.BANK_TRANSFER
    status = PayoutStatus.PENDING
    bank_account = factory.SubFactory(BankAccountFactory, user=factory.SelfAttribute("..seller"))


class PaymentFactory(DjangoModelFactory):
    """A card top-up of 100 000 so'm waiting for the provider."""

    class Meta:
        model = Payment

    class Params:
        succeeded = factory.Trait(
            state=PaymentState.SUCCEEDED, provider_reference=factory.Sequence(lambda n: f"ref-{n}")
        )

    user = factory.SubFactory(BuyerFactory)
    purpose = PaymentPurpose.TOPUP
    amount = Decimal("100000.00")
    currency = "UZS"
    state = PaymentState.PENDING
    provider = "sandbox"
    token = factory.Sequence(lambda n: f"token-{n:08d}")

    @factory.post_generation
    def order_ids(self, create, extracted, **kwargs):
        """``order_ids=[...]``: the orders it is for (``payment_orders`` rows)."""
        if create and extracted:
            PaymentOrder.objects.bulk_create(PaymentOrder(payment=self, order_id=pk) for pk in extracted)


class PaymentOrderFactory(DjangoModelFactory):
    """An order of a card payment for orders (not paid yet: ``paid_at`` set when it is)."""

    class Meta:
        model = PaymentOrder

    payment = factory.SubFactory(PaymentFactory, purpose=PaymentPurpose.ORDERS)
    order = factory.SubFactory("orders.tests.factories.OrderFactory", buyer=factory.SelfAttribute("..payment.user"))
    paid_at = None


class PaymentRefundFactory(DjangoModelFactory):
    """A refund of 20 000 so'm of a succeeded card payment for orders, sent and confirmed by the
    provider; ``pending=True`` for one still on its way. The payment's refunded_amount counts it,
    as the services do."""

    class Meta:
        model = PaymentRefund

    class Params:
        pending = factory.Trait(state=RefundState.PENDING, provider_reference=None, processed_at=None, attempts=0)

    payment = factory.SubFactory(PaymentFactory, succeeded=True, purpose=PaymentPurpose.ORDERS)
    key = factory.Sequence(lambda n: f"order-{n}")
    amount = Decimal("20000.00")
    state = RefundState.SUCCEEDED
    reason = "Refund of an order"
    provider_reference = factory.Sequence(lambda n: f"refund-ref-{n}")
    attempts = 1
    processed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        refund = super()._create(model_class, *args, **kwargs)
        if refund.state != RefundState.FAILED and refund.charge_reference is None:
            Payment.objects.filter(pk=refund.payment_id).update(refunded_amount=F("refunded_amount") + refund.amount)
            refund.payment.refresh_from_db()
        return refund
