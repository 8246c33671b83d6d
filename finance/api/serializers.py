"""Shapes of the wallet, payouts and bank accounts API. Input serializers only parse what a client
sends; the rules (top-up range, payout minimum, verified account, account number format ...) are
``finance.services``' and come back as 400s with field messages. Output serializers only read:
a bank account number is never among them, only its masked form."""

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from finance.enums import PayoutMethod, TransactionType
from finance.models import BankAccount, Payout, WalletTransaction
from finance.services.payouts import bank_account_masked

MONEY = {"max_digits": 12, "decimal_places": 2}


# --- fields ---------------------------------------------------------------------------------------
class TransactionTypeField(serializers.ChoiceField):
    """A wallet movement's kind (``TransactionType``)."""

    def __init__(self, **kwargs):
        super().__init__(choices=TransactionType.choices, **kwargs)


class TransactionTypeFieldSchema(OpenApiSerializerFieldExtension):
    """Documents ``TransactionTypeField`` as its own ``TransactionTypeEnum`` component. Left to
    drf-spectacular, a second choice set under a field named ``type`` (addresses have one) makes
    it name both with hashes and warn. (An ``ENUM_NAME_OVERRIDES`` entry in settings would do the
    same; this keeps the finance API's schema inside finance.)"""

    target_class = TransactionTypeField

    def map_serializer_field(self, auto_schema, direction):
        component = ResolvedComponent(
            name="TransactionTypeEnum",
            type=ResolvedComponent.SCHEMA,
            object="TransactionTypeEnum",
            schema={
                "enum": list(TransactionType.values),
                "type": "string",
                "description": "\n".join(f"* `{value}` - {label}" for value, label in TransactionType.choices),
            },
        )
        auto_schema.registry.register_on_missing(component)
        return component.ref


# --- wallet ---------------------------------------------------------------------------------------
class WalletSerializer(serializers.Serializer):
    balance = serializers.DecimalField(**MONEY)
    currency = serializers.CharField()
    is_active = serializers.BooleanField(help_text="A closed wallet takes money in but pays nothing out.")


class WalletTransactionSerializer(serializers.ModelSerializer):
    type = TransactionTypeField(read_only=True)
    description = serializers.CharField(
        source="text", read_only=True, help_text="The statement line, in the language of the request."
    )

    class Meta:
        model = WalletTransaction
        fields = ("id", "type", "amount", "balance_before", "balance_after", "reference_type", "reference_id",
                  "description", "created_at")  # fmt: skip
        extra_kwargs = {"amount": {"help_text": "Signed: negative when money went out."}}


class TopupInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY, help_text="So'm to put in the wallet by card.")


class TopupSerializer(serializers.Serializer):
    payment_id = serializers.IntegerField(source="pk")
    amount = serializers.DecimalField(**MONEY)
    state = serializers.CharField(help_text="pending until the card provider answers.")
    payment_url = serializers.URLField(help_text="The card provider's page: open it for the buyer to pay.")


# --- seller ---------------------------------------------------------------------------------------
class SellerBalanceSerializer(serializers.Serializer):
    available = serializers.DecimalField(**MONEY, help_text="In the wallet.")
    payable = serializers.DecimalField(
        **MONEY,
        help_text="Of `available`, what may be paid out now: the earnings from sales still in the wallet "
        "(top-ups, refunds and bonuses are spent on purchases, never paid out).",
    )
    pending = serializers.DecimalField(**MONEY, help_text="Earnings still in their hold period.")
    currency = serializers.CharField()


class BankAccountSerializer(serializers.ModelSerializer):
    account_number_masked = serializers.SerializerMethodField(help_text="Like `•••• 1234`.")

    class Meta:
        model = BankAccount
        fields = ("id", "bank_name", "account_holder_name", "account_number_masked", "routing_number",
                  "is_verified", "is_default", "created_at")  # fmt: skip
        read_only_fields = fields

    def get_account_number_masked(self, account) -> str:
        return bank_account_masked(account)


class BankAccountInputSerializer(serializers.Serializer):
    # Blank values pass through: the service says what is missing, in the same words as the page.
    bank_name = serializers.CharField(max_length=200, allow_blank=True)
    account_holder_name = serializers.CharField(max_length=200, allow_blank=True)
    account_number = serializers.CharField(
        max_length=100,
        allow_blank=True,
        write_only=True,
        help_text="8 to 34 letters and digits (spaces are ignored). Stored encrypted, never shown again.",
    )
    routing_number = serializers.CharField(
        max_length=50, required=False, allow_blank=True, allow_null=True, default="", help_text="The bank's MFO."
    )


class PayoutBankAccountSerializer(serializers.ModelSerializer):
    account_number_masked = serializers.SerializerMethodField()

    class Meta:
        model = BankAccount
        fields = ("id", "bank_name", "account_number_masked")
        read_only_fields = fields

    def get_account_number_masked(self, account) -> str:
        return bank_account_masked(account)


class PayoutSerializer(serializers.ModelSerializer):
    bank_account = PayoutBankAccountSerializer(allow_null=True, read_only=True)

    class Meta:
        model = Payout
        fields = ("id", "amount", "currency", "method", "status", "bank_account", "transaction_id", "notes",
                  "processed_at", "created_at", "updated_at")  # fmt: skip
        read_only_fields = fields


class PayoutInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(**MONEY)
    # Every method is accepted here so that the service answers "gogomoney" in its own words.
    method = serializers.ChoiceField(
        choices=PayoutMethod.choices,
        default=PayoutMethod.BANK_TRANSFER,
        help_text="bank_transfer to a verified account, or cash collected at the office.",
    )
    bank_account = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="One of my verified accounts (bank_transfer)."
    )
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class TransactionFilterSerializer(serializers.Serializer):
    # ``?type=`` (blank) is every kind, as an empty filter is everywhere else in the API.
    type = TransactionTypeField(required=False, allow_blank=True)
