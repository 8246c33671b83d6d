"""Bank accounts and seller payouts (finance.services.payouts, finance.crypto, the sandbox payout
provider).

Account numbers are stored encrypted (AES-GCM, rotatable keys), shown masked, never logged;
staff verify accounts. A payout holds its amount from the wallet at request time and is then a
state machine: pending -> processing -> completed, or failed with the hold returned; a worker
killed between the provider call and the final save never pays twice. The payout provider is
the outside world: tests spy on its adapter (``SandboxPayoutProvider.send``) and nothing else."""

import json
import logging
import threading
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.enums import AdminRoleType
from accounts.tests.factories import BuyerFactory, SellerFactory, StaffFactory
from finance import crypto
from finance.enums import PayoutMethod, PayoutStatus, TransactionType
from finance.models import BankAccount, Payout, Wallet, WalletTransaction
from finance.providers import SandboxPayoutProvider
from finance.services import payouts
from finance.services.ledger import InsufficientFunds, wallet_for, wallet_post
from gogomarket.core.cache import redis_client
from gogomarket.core.models import AuditLog, IdempotencyKey
from gogomarket.core.services import IdempotencyConflict

pytestmark = pytest.mark.django_db

CARD = "8600 1234 5678 9012"  # as a seller types it
NUMBER = "8600123456789012"  # as it is kept (before encryption)
IBAN = "UZ12KAPB" + "1" * 26  # 34 characters, the longest number accepted
REFUSED = "20208000123456780000"  # the sandbox bank refuses accounts ending in 0000
KEY_A = "ka:" + crypto.new_key()
KEY_B = "kb:" + crypto.new_key()


def _add(user, number=CARD, **kwargs):
    fields = {"bank_name": "Kapitalbank", "account_holder_name": "Dilnoza Karimova", "routing_number": "01088"}
    return payouts.bank_account_add(user=user, account_number=number, **{**fields, **kwargs})


def _verified(user, number=CARD):
    account = _add(user, number)
    return payouts.bank_account_verify(account=account, actor=StaffFactory())


def _fund(user, amount):
    """Earnings credited (only earnings are paid out: finance/tests/test_payable.py)."""
    wallet_post(wallet=wallet_for(user), type=TransactionType.DEPOSIT, amount=Decimal(amount),
                reference_type="commission", description="earnings")  # fmt: skip


def _balance(user):
    return Wallet.objects.get(user=user).balance


def _books():
    """Everything a payout or an account change may write (to prove a refusal wrote nothing)."""
    return {
        "payouts": list(Payout.objects.order_by("pk").values()),
        "entries": list(WalletTransaction.objects.order_by("pk").values_list("pk", flat=True)),
        "balances": list(Wallet.objects.order_by("pk").values_list("pk", "balance")),
        "accounts": list(BankAccount.objects.order_by("pk").values()),
        "audit": list(AuditLog.objects.order_by("pk").values_list("pk", flat=True)),
        "keys": IdempotencyKey.objects.count(),
    }


def _stored(account):
    return BankAccount.objects.filter(pk=account.pk).values_list("account_number", flat=True).get()


@pytest.fixture
def seller():
    seller = SellerFactory()
    _fund(seller, "1000000")
    return seller


@pytest.fixture
def account(seller):
    return _verified(seller)


@pytest.fixture
def bank(monkeypatch):
    """A spy on the payout provider's adapter: every call, its answer, and whether money really
    left (the sandbox had no answer for that payout yet)."""

    class Spy:
        calls = []
        fail_once_after_sending = False
        fail_once_before_sending = False
        during_first_send = None

        @property
        def transfers(self):
            return [call for call in self.calls if call["fresh"]]

    spy = Spy()
    spy.calls = []
    real_send = SandboxPayoutProvider.send

    def send(provider, payout, account_number):
        if spy.fail_once_before_sending:
            spy.fail_once_before_sending = False
            raise ConnectionError("the bank did not answer")
        key = f"{_prefix()}:sandbox-payout:{payout.pk}"
        fresh = not redis_client().exists(key)
        result = real_send(provider, payout, account_number)
        spy.calls.append({"payout": payout.pk, "number": account_number, "result": result, "fresh": fresh})
        if spy.during_first_send is not None:
            hook, spy.during_first_send = spy.during_first_send, None
            hook()
        if spy.fail_once_after_sending:
            spy.fail_once_after_sending = False
            raise SystemExit("worker killed")  # after the bank sent the money, before our commit
        return result

    monkeypatch.setattr(SandboxPayoutProvider, "send", send)
    return spy


def _prefix():
    from django.conf import settings

    return settings.CACHES["default"]["KEY_PREFIX"]


def _age(payout, minutes=11):
    """Make a payout look like it was left in processing ``minutes`` ago (a killed worker)."""
    Payout.objects.filter(pk=payout.pk).update(updated_at=timezone.now() - timedelta(minutes=minutes))


# --- bank accounts: the number ------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed, kept", [(CARD, NUMBER), (IBAN.lower(), IBAN), ("2020 8000 9000 1234 5678", "20208000900012345678")]
)
def test_the_number_is_stored_encrypted_within_the_column_and_decrypts_back(typed, kept):
    account = _add(SellerFactory(), typed)

    stored = _stored(account)
    assert kept not in stored and kept[-8:] not in stored
    assert stored.startswith(f"{crypto.current_key_id()}$")
    assert len(stored) <= BankAccount._meta.get_field("account_number").max_length == 100
    assert payouts.bank_account_number(BankAccount.objects.get(pk=account.pk)) == kept
    # the same number encrypts differently each time (a fresh nonce)
    assert crypto.encrypt(kept) != crypto.encrypt(kept)


def test_the_masked_number_shows_the_last_four_only():
    account = _add(SellerFactory(), CARD)

    assert payouts.bank_account_masked(account) == "•••• 9012"
    assert payouts.bank_account_masked(BankAccount(account_number="tampered$AAAA")) == "••••"


def test_a_tampered_number_does_not_decrypt():
    account = _add(SellerFactory(), CARD)
    stored = _stored(account)
    flipped = stored[:-2] + ("A" if stored[-2] != "A" else "B") + stored[-1]

    with pytest.raises(ValueError):
        crypto.decrypt(flipped)
    with pytest.raises(ValueError):
        crypto.decrypt(stored.replace(f"{crypto.current_key_id()}$", "nokey$", 1))


@pytest.mark.parametrize(
    "number", ["1234567", "8600-1234-5678-9012", "8600 1234 5678 901٢", "1" * 35, "", None, "८६००१२३४५६७८९०१२"]
)
def test_an_invalid_number_is_refused_naming_the_field_and_nothing_is_written(number):
    seller = SellerFactory()
    before = _books()

    with pytest.raises(ValidationError) as error:
        _add(seller, number)

    assert "account_number" in error.value.message_dict
    assert _books() == before


def test_every_missing_field_is_named_at_once():
    seller = SellerFactory()
    before = _books()

    with pytest.raises(ValidationError) as error:
        _add(seller, "12", bank_name=" ", account_holder_name="", routing_number="R" * 51)

    assert set(error.value.message_dict) == {"account_number", "bank_name", "account_holder_name", "routing_number"}
    assert _books() == before


def test_the_first_account_is_the_default_and_make_default_switches():
    seller = SellerFactory()
    first, second, third = _add(seller, CARD), _add(seller, IBAN), _add(seller, "20208000900012345678")

    def defaults():
        return list(BankAccount.objects.filter(user=seller, is_default=True).values_list("pk", flat=True))

    assert (first.is_default, second.is_default, third.is_default) == (True, False, False)
    assert all(not a.is_verified for a in (first, second, third))

    payouts.bank_account_make_default(account=second, user=seller)
    assert defaults() == [second.pk]
    payouts.bank_account_make_default(account=third, user=seller)
    assert defaults() == [third.pk]


def test_changing_the_default_account_writes_an_audit_row_with_who_and_where():
    from django.test import RequestFactory

    seller = SellerFactory()
    first, second = _add(seller, CARD), _add(seller, IBAN)
    request = RequestFactory().post("/", REMOTE_ADDR="10.20.30.40", HTTP_USER_AGENT="pytest-agent")

    payouts.bank_account_make_default(account=second, user=seller, request=request)

    entry = AuditLog.objects.get(action="bank_account.make_default")
    assert (entry.user_id, entry.entity_type, entry.entity_id) == (seller.pk, "bank_account", second.pk)
    assert (entry.ip_address, entry.user_agent) == ("10.20.30.40", "pytest-agent")
    assert entry.old_values == {"default": first.pk} and entry.new_values == {"default": second.pk}
    # Making the default account the default again changes nothing and writes nothing.
    payouts.bank_account_make_default(account=second, user=seller, request=request)
    assert AuditLog.objects.filter(action="bank_account.make_default").count() == 1


def test_nobody_makes_another_users_account_their_default(seller, account):
    other = SellerFactory()
    theirs = _add(other)
    before = _books()

    with pytest.raises(BankAccount.DoesNotExist):
        payouts.bank_account_make_default(account=account, user=other)
    with pytest.raises(BankAccount.DoesNotExist):
        payouts.bank_account_delete(account=theirs, user=seller)

    assert _books() == before


def test_delete_is_soft_and_the_default_moves_to_another_account():
    seller = SellerFactory()
    first, second = _add(seller, CARD), _add(seller, IBAN)

    payouts.bank_account_delete(account=first, user=seller)

    first.refresh_from_db()
    assert first.deleted_at is not None and first.is_default is False
    assert payouts.bank_account_number(first) == NUMBER  # the row stays, still readable for history
    assert BankAccount.objects.get(pk=second.pk).is_default is True
    # a deleted account is gone for its owner: not deleted twice, not made default
    with pytest.raises(BankAccount.DoesNotExist):
        payouts.bank_account_delete(account=first, user=seller)
    with pytest.raises(BankAccount.DoesNotExist):
        payouts.bank_account_make_default(account=first, user=seller)


@pytest.mark.parametrize("status", [PayoutStatus.PENDING, PayoutStatus.PROCESSING])
def test_an_account_with_a_payout_on_its_way_cannot_be_deleted(seller, account, status):
    payout, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=account.pk)
    Payout.objects.filter(pk=payout.pk).update(status=status)
    before = _books()

    with pytest.raises(ValidationError):
        payouts.bank_account_delete(account=account, user=seller)

    assert _books() == before


def test_an_account_whose_payouts_arrived_can_be_deleted(seller, account, bank):
    payout, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=account.pk)
    payouts.payout_process(payout=payout)

    payouts.bank_account_delete(account=account, user=seller)

    assert BankAccount.objects.get(pk=account.pk).deleted_at is not None


def test_staff_verify_an_account_and_nobody_else_does():
    seller = SellerFactory()
    account = _add(seller)
    before = _books()

    for actor in (seller, BuyerFactory(), SellerFactory()):
        with pytest.raises(PermissionDenied):
            payouts.bank_account_verify(account=account, actor=actor)
    assert _books() == before

    staff = StaffFactory()
    payouts.bank_account_verify(account=account, actor=staff)
    payouts.bank_account_verify(account=account, actor=staff)  # again: nothing more

    assert BankAccount.objects.get(pk=account.pk).is_verified is True
    assert AuditLog.objects.filter(action="bank_account.verify", entity_id=account.pk, user=staff).count() == 1


def test_a_deleted_account_is_not_verified():
    seller = SellerFactory()
    account = _add(seller)
    payouts.bank_account_delete(account=account, user=seller)
    before = _books()

    with pytest.raises(ValidationError):
        payouts.bank_account_verify(account=account, actor=StaffFactory())

    assert _books() == before
    assert BankAccount.objects.get(pk=account.pk).is_verified is False


# --- bank accounts: key rotation -----------------------------------------------------------------
def test_rotation_re_encrypts_every_row_under_the_new_key_and_they_still_decrypt(settings):
    settings.FINANCE_ENCRYPTION_KEYS = KEY_A
    seller = SellerFactory()
    numbers = [CARD, IBAN, "20208000900012345678"]
    accounts = [_add(seller, n) for n in numbers]
    payouts.bank_account_delete(account=accounts[2], user=seller)  # deleted rows are re-encrypted too
    assert {crypto.key_id_of(_stored(a)) for a in accounts} == {"ka"}

    settings.FINANCE_ENCRYPTION_KEYS = f"{KEY_B},{KEY_A}"  # the new key first, the old one still read
    newcomer = _add(seller, "20208000900099998888")  # written under the new key already
    assert payouts.bank_accounts_reencrypt() == 3
    assert payouts.bank_accounts_reencrypt() == 0  # nothing left under the old key

    settings.FINANCE_ENCRYPTION_KEYS = KEY_B  # the old key dropped
    for account, number in zip([*accounts, newcomer], [*numbers, "20208000900099998888"], strict=True):
        stored = _stored(account)
        assert crypto.key_id_of(stored) == "kb"
        assert len(stored) <= 100
        assert payouts.bank_account_number(BankAccount.objects.get(pk=account.pk)) == "".join(number.split()).upper()


def test_the_commands_make_a_key_and_rotate_with_it(settings):
    settings.FINANCE_ENCRYPTION_KEYS = KEY_A
    account = _add(SellerFactory())
    out = StringIO()
    call_command("finance_new_key", "--id", "k2026", stdout=out)
    entry = out.getvalue().strip()
    assert entry.startswith("k2026:")

    settings.FINANCE_ENCRYPTION_KEYS = f"{entry},{KEY_A}"
    out = StringIO()
    call_command("rotate_bank_account_keys", stdout=out)

    assert "1 accounts re-encrypted" in out.getvalue()
    settings.FINANCE_ENCRYPTION_KEYS = entry
    assert crypto.key_id_of(_stored(account)) == "k2026"
    assert payouts.bank_account_number(BankAccount.objects.get(pk=account.pk)) == NUMBER


def test_rotation_without_the_old_key_fails_and_changes_nothing(settings):
    settings.FINANCE_ENCRYPTION_KEYS = KEY_A
    _add(SellerFactory())
    before = _books()
    settings.FINANCE_ENCRYPTION_KEYS = KEY_B  # the old key dropped too early

    with pytest.raises(CommandError):
        call_command("rotate_bank_account_keys", stdout=StringIO())

    assert _books() == before


@pytest.mark.parametrize(
    "spec",
    [
        "",
        "nokeyhere",
        "k1:" + "A" * 10,  # not 32 bytes
        "k-1:" + crypto.new_key(),  # an id that is not letters and digits
        "k" * 17 + ":" + crypto.new_key(),  # an id too long for a 34-character IBAN to fit in 100
        f"{KEY_A},ka:{crypto.new_key()}",  # the same id twice: which one decrypts?
    ],
)
def test_a_bad_key_list_is_refused(settings, spec):
    settings.FINANCE_ENCRYPTION_KEYS = spec

    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt(NUMBER)


def test_the_longest_key_id_and_the_longest_number_fit_the_column(settings):
    settings.FINANCE_ENCRYPTION_KEYS = "k" * 16 + ":" + crypto.new_key()

    account = _add(SellerFactory(), IBAN)

    assert len(_stored(account)) <= 100
    assert payouts.bank_account_number(BankAccount.objects.get(pk=account.pk)) == IBAN


def test_numbers_never_reach_the_logs_or_the_audit_rows(settings, caplog, bank):
    caplog.set_level(logging.DEBUG)
    settings.FINANCE_ENCRYPTION_KEYS = KEY_A
    seller = SellerFactory()
    _fund(seller, "500000")
    good = _verified(seller, CARD)
    refused = _verified(seller, REFUSED)
    done, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=good.pk)
    failed, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=refused.pk)
    payouts.payouts_process()
    payouts.bank_account_make_default(account=refused, user=seller)
    settings.FINANCE_ENCRYPTION_KEYS = f"{KEY_B},{KEY_A}"
    call_command("rotate_bank_account_keys", stdout=StringIO())
    payouts.bank_account_delete(account=good, user=seller)

    assert Payout.objects.get(pk=done.pk).status == PayoutStatus.COMPLETED
    assert Payout.objects.get(pk=failed.pk).status == PayoutStatus.FAILED
    written = json.dumps(
        [
            list(AuditLog.objects.values_list("old_values", "new_values")),
            list(WalletTransaction.objects.values_list("description", "metadata")),
            list(Payout.objects.values_list("notes", "transaction_id")),
        ],
        default=str,
        ensure_ascii=False,
    )
    for plain in (NUMBER, REFUSED):
        for fragment in (plain, plain[:8], plain[4:12]):
            assert fragment not in caplog.text
            assert fragment not in written
    assert "•••• 9012" in written  # the audit row of the new account shows it masked


# --- payouts: the request -------------------------------------------------------------------------
def test_a_request_holds_the_amount_at_once(seller, account):
    payout, replayed = payouts.payout_request(seller=seller, amount="250000", bank_account_id=account.pk)

    assert replayed is False
    assert (payout.status, payout.amount, payout.method, payout.bank_account_id) == (
        PayoutStatus.PENDING, Decimal("250000.00"), PayoutMethod.BANK_TRANSFER, account.pk,
    )  # fmt: skip
    hold = WalletTransaction.objects.get(reference_type="payout", reference_id=payout.pk)
    assert (hold.type, hold.amount, hold.balance_before, hold.balance_after) == (
        TransactionType.PAYOUT, Decimal("-250000.00"), Decimal("1000000.00"), Decimal("750000.00"),
    )  # fmt: skip
    assert _balance(seller) == Decimal("750000.00")
    assert AuditLog.objects.filter(action="payout.request", entity_id=payout.pk, user=seller).count() == 1


def test_the_whole_balance_can_be_asked_for(seller, account):
    payouts.payout_request(seller=seller, amount="1000000.00", bank_account_id=account.pk)

    assert _balance(seller) == Decimal("0")


@pytest.mark.parametrize(
    "amount, field",
    [("9999.99", "amount"), ("0", "amount"), ("-50000", "amount"), ("abc", "amount"), ("NaN", "amount")],
)
def test_an_amount_below_the_minimum_or_not_an_amount_is_refused(settings, seller, account, amount, field):
    settings.PAYOUT_MIN = Decimal("10000")
    before = _books()

    with pytest.raises(ValidationError) as error:
        payouts.payout_request(seller=seller, amount=amount, bank_account_id=account.pk)

    assert field in error.value.message_dict
    assert _books() == before


def test_the_minimum_itself_is_allowed(settings, seller, account):
    settings.PAYOUT_MIN = Decimal("10000")

    payout, _ = payouts.payout_request(seller=seller, amount="10000", bank_account_id=account.pk)

    assert payout.amount == Decimal("10000.00")


def test_more_than_the_balance_is_refused_and_nothing_is_written(seller, account):
    before = _books()

    with pytest.raises(InsufficientFunds):
        payouts.payout_request(seller=seller, amount="1000000.01", bank_account_id=account.pk, idempotency_key="k-1")

    assert _books() == before
    # the key was not used up: once the money is there, the same request goes through
    _fund(seller, "1")
    payout, replayed = payouts.payout_request(
        seller=seller, amount="1000000.01", bank_account_id=account.pk, idempotency_key="k-1"
    )
    assert (payout.status, replayed, _balance(seller)) == (PayoutStatus.PENDING, False, Decimal("0.99"))


def test_a_payout_goes_only_to_the_sellers_own_verified_live_account(seller, account):
    unverified = _add(seller, IBAN)
    deleted = _verified(seller, "20208000900012345678")
    payouts.bank_account_delete(account=deleted, user=seller)
    someone_elses = _verified(SellerFactory(), "20208000900011112222")
    before = _books()

    for bank_account_id in (unverified.pk, deleted.pk, someone_elses.pk, None, 0, 10**9):
        with pytest.raises(ValidationError) as error:
            payouts.payout_request(seller=seller, amount="100000", bank_account_id=bank_account_id)
        assert "bank_account" in error.value.message_dict

    assert _books() == before


@pytest.mark.parametrize("method", [PayoutMethod.GOGOMONEY, "paypal", ""])
def test_other_methods_are_refused(seller, account, method):
    before = _books()

    with pytest.raises(ValidationError) as error:
        payouts.payout_request(seller=seller, amount="100000", method=method, bank_account_id=account.pk)

    assert "method" in error.value.message_dict
    assert _books() == before


@pytest.mark.parametrize("factory", [BuyerFactory, StaffFactory])
def test_only_sellers_ask_for_payouts(factory):
    user = factory()
    _fund(user, "500000")
    before = _books()

    with pytest.raises(PermissionDenied):
        payouts.payout_request(seller=user, amount="100000", method=PayoutMethod.CASH)

    assert _books() == before


def test_the_same_idempotency_key_gives_the_same_payout_and_holds_once(seller, account):
    first, replayed_first = payouts.payout_request(
        seller=seller, amount="300000", bank_account_id=account.pk, idempotency_key="payout-1"
    )
    again, replayed_again = payouts.payout_request(
        seller=seller, amount="300000", bank_account_id=account.pk, idempotency_key="payout-1"
    )

    assert (replayed_first, replayed_again) == (False, True)
    assert again.pk == first.pk
    assert Payout.objects.filter(seller=seller).count() == 1
    assert WalletTransaction.objects.filter(type=TransactionType.PAYOUT, wallet__user=seller).count() == 1
    assert _balance(seller) == Decimal("700000.00")

    before = _books()
    with pytest.raises(IdempotencyConflict):
        payouts.payout_request(seller=seller, amount="200000", bank_account_id=account.pk, idempotency_key="payout-1")
    assert _books() == before


def test_the_same_key_of_another_seller_is_their_own_request(seller, account):
    other = SellerFactory()
    _fund(other, "500000")
    theirs = _verified(other, IBAN)

    mine, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=account.pk, idempotency_key="k")
    their, replayed = payouts.payout_request(
        seller=other, amount="100000", bank_account_id=theirs.pk, idempotency_key="k"
    )

    assert replayed is False and mine.pk != their.pk
    assert (_balance(seller), _balance(other)) == (Decimal("900000.00"), Decimal("400000.00"))


# --- payouts: cancel -----------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["seller", "staff"])
def test_cancelling_a_pending_payout_gives_the_hold_back(seller, account, who):
    payout, _ = payouts.payout_request(seller=seller, amount="400000", bank_account_id=account.pk)
    actor = seller if who == "seller" else StaffFactory()

    payouts.payout_cancel(payout=payout, actor=actor)

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.CANCELLED and payout.processed_at is not None
    back = WalletTransaction.objects.get(type=TransactionType.REFUND, reference_type="payout", reference_id=payout.pk)
    assert (back.amount, back.balance_after) == (Decimal("400000.00"), Decimal("1000000.00"))
    assert _balance(seller) == Decimal("1000000.00")
    assert AuditLog.objects.filter(action="payout.cancel", entity_id=payout.pk, user=actor).count() == 1


def test_only_a_pending_payout_is_cancelled(seller, account, bank):
    cancelled, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=account.pk)
    payouts.payout_cancel(payout=cancelled, actor=seller)
    completed, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=account.pk)
    payouts.payout_process(payout=completed)
    processing, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=account.pk)
    Payout.objects.filter(pk=processing.pk).update(status=PayoutStatus.PROCESSING)
    before = _books()

    for payout in (cancelled, completed, processing):
        with pytest.raises(ValidationError):
            payouts.payout_cancel(payout=payout, actor=seller)

    assert _books() == before


def test_nobody_cancels_another_sellers_payout(seller, account):
    payout, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=account.pk)
    before = _books()

    with pytest.raises(PermissionDenied):
        payouts.payout_cancel(payout=payout, actor=SellerFactory())

    assert _books() == before


# --- payouts: processing -------------------------------------------------------------------------
def test_processing_completes_a_pending_payout_with_the_banks_transaction_id(seller, account, bank):
    payout, _ = payouts.payout_request(seller=seller, amount="250000", bank_account_id=account.pk)

    assert payouts.payouts_process() == {PayoutStatus.COMPLETED: 1}

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.COMPLETED
    assert payout.transaction_id == f"sandbox-payout-{payout.pk}"
    assert payout.processed_at is not None
    assert [(c["payout"], c["number"]) for c in bank.transfers] == [(payout.pk, NUMBER)]  # the plain number
    assert _balance(seller) == Decimal("750000.00")  # the hold was the payment: nothing comes back
    assert not WalletTransaction.objects.filter(type=TransactionType.REFUND, wallet__user=seller).exists()
    assert AuditLog.objects.filter(action="payout.completed", entity_id=payout.pk).count() == 1


def test_an_account_the_bank_refuses_fails_the_payout_and_returns_the_hold(seller, bank):
    refused = _verified(seller, REFUSED)
    payout, _ = payouts.payout_request(seller=seller, amount="250000", bank_account_id=refused.pk)

    assert payouts.payouts_process() == {PayoutStatus.FAILED: 1}

    payout.refresh_from_db()
    assert payout.status == PayoutStatus.FAILED
    assert not payout.transaction_id
    assert "refused" in payout.notes
    back = WalletTransaction.objects.get(type=TransactionType.REFUND, reference_type="payout", reference_id=payout.pk)
    assert back.amount == Decimal("250000.00")
    assert _balance(seller) == Decimal("1000000.00")


def test_processing_twice_is_harmless(seller, account, bank):
    done, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=account.pk)
    refused = _verified(seller, REFUSED)
    failed, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=refused.pk)
    payouts.payouts_process()
    before = _books()

    assert payouts.payouts_process() == {}
    for payout in (done, failed):
        assert payouts.payout_process(payout=payout).status in (PayoutStatus.COMPLETED, PayoutStatus.FAILED)
        assert payouts.payout_process(payout=payout, actor=StaffFactory()).pk == payout.pk

    assert _books() == before
    assert len(bank.calls) == 2


def test_cancelled_payouts_are_not_processed(seller, account, bank):
    payout, _ = payouts.payout_request(seller=seller, amount="100000", bank_account_id=account.pk)
    payouts.payout_cancel(payout=payout, actor=seller)
    before = _books()

    assert payouts.payouts_process() == {}
    assert payouts.payout_process(payout=payout, actor=StaffFactory()).status == PayoutStatus.CANCELLED

    assert _books() == before
    assert bank.calls == []


def test_a_cash_payout_is_completed_only_by_staff_approving_it(seller, bank):
    payout, _ = payouts.payout_request(seller=seller, amount="200000", method=PayoutMethod.CASH)
    assert payout.bank_account_id is None
    before = _books()

    assert payouts.payouts_process() == {}  # the job never hands out cash
    assert payouts.payout_process(payout=payout).status == PayoutStatus.PENDING
    with pytest.raises(PermissionDenied):
        payouts.payout_process(payout=payout, actor=seller)  # a seller does not approve their own
    assert _books() == before

    staff = StaffFactory()
    done = payouts.payout_process(payout=payout, actor=staff)

    assert (done.status, done.transaction_id) == (PayoutStatus.COMPLETED, f"cash-{payout.pk}")
    assert AuditLog.objects.filter(action="payout.completed", entity_id=payout.pk, user=staff).count() == 1
    assert _balance(seller) == Decimal("800000.00")
    assert bank.calls == []


def test_staff_approving_a_bank_payout_sends_it_now(seller, account, bank):
    payout, _ = payouts.payout_request(seller=seller, amount="200000", bank_account_id=account.pk)
    staff = StaffFactory()

    done = payouts.payout_process(payout=payout, actor=staff)

    assert done.status == PayoutStatus.COMPLETED
    assert AuditLog.objects.filter(action="payout.completed", entity_id=payout.pk, user=staff).count() == 1


# --- who approves: the money capabilities (accounts.permissions), not any staff member -----------
@pytest.mark.parametrize("role_type", [AdminRoleType.TECHNICAL_ACCESS, AdminRoleType.ROLE_MANAGER], ids=str)
def test_staff_of_another_sub_role_cannot_approve_cancel_or_verify_payouts(seller, account, bank, role_type):
    payout, _ = payouts.payout_request(seller=seller, amount="200000", bank_account_id=account.pk)
    cash, _ = payouts.payout_request(seller=seller, amount="100000", method=PayoutMethod.CASH)
    unverified = _add(SellerFactory(), "8600 1234 5678 0001")
    staff = StaffFactory(role_type=role_type)
    before = _books()

    for call in (
        lambda: payouts.payout_process(payout=payout, actor=staff),
        lambda: payouts.payout_process(payout=cash, actor=staff),
        lambda: payouts.payout_cancel(payout=payout, actor=staff),
        lambda: payouts.bank_account_verify(account=unverified, actor=staff),
    ):
        with pytest.raises(PermissionDenied):
            call()

    assert _books() == before
    assert bank.calls == []


def test_accounting_staff_approve_cancel_and_verify(seller, account, bank):
    payout, _ = payouts.payout_request(seller=seller, amount="200000", bank_account_id=account.pk)
    cash, _ = payouts.payout_request(seller=seller, amount="100000", method=PayoutMethod.CASH)
    unverified = _add(SellerFactory(), "8600 1234 5678 0001")
    staff = StaffFactory(role_type=AdminRoleType.ACCOUNTING)

    assert payouts.payout_process(payout=payout, actor=staff).status == PayoutStatus.COMPLETED
    assert payouts.payout_cancel(payout=cash, actor=staff).status == PayoutStatus.CANCELLED
    assert payouts.bank_account_verify(account=unverified, actor=staff).is_verified is True


def test_accounting_denied_payouts_cannot_approve_them_through_the_service(seller, account, bank):
    payout, _ = payouts.payout_request(seller=seller, amount="200000", bank_account_id=account.pk)
    staff = StaffFactory(role_type=AdminRoleType.ACCOUNTING, admin_role__permissions={"deny": ["finance.payout"]})
    before = _books()

    with pytest.raises(PermissionDenied):
        payouts.payout_process(payout=payout, actor=staff)
    with pytest.raises(PermissionDenied):
        payouts.payout_cancel(payout=payout, actor=staff)

    assert _books() == before
    assert bank.calls == []


def test_a_payout_whose_account_row_vanished_fails_and_is_never_sent_to_nowhere(seller, account, bank):
    payout, _ = payouts.payout_request(seller=seller, amount="200000", bank_account_id=account.pk)
    BankAccount.objects.filter(pk=account.pk).delete()  # by hand in the database: payouts.bank_account -> NULL

    assert payouts.payout_process(payout=payout).status == PayoutStatus.FAILED

    assert bank.calls == []
    assert _balance(seller) == Decimal("1000000.00")


# --- payouts: a worker killed in the middle ----------------------------------------------------
@pytest.mark.parametrize("number, outcome", [(CARD, PayoutStatus.COMPLETED), (REFUSED, PayoutStatus.FAILED)])
def test_a_worker_killed_after_the_bank_answered_is_finished_by_the_next_run_paying_once(seller, bank, number, outcome):
    account = _verified(seller, number)
    payout, _ = payouts.payout_request(seller=seller, amount="300000", bank_account_id=account.pk)
    bank.fail_once_after_sending = True

    with pytest.raises(SystemExit):
        payouts.payouts_process()

    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.PROCESSING
    assert payouts.payouts_process() == {}  # a live worker may still be on it: not touched yet
    assert len(bank.calls) == 1

    _age(payout)
    assert payouts.payouts_process() == {outcome: 1}

    payout.refresh_from_db()
    assert payout.status == outcome
    assert [c["payout"] for c in bank.calls] == [payout.pk, payout.pk]  # asked again with the same key ...
    assert len(bank.transfers) == 1  # ... and the money left (or was refused) once
    assert bank.calls[0]["result"] == bank.calls[1]["result"]
    returned = WalletTransaction.objects.filter(type=TransactionType.REFUND, reference_type="payout").count()
    assert returned == (1 if outcome == PayoutStatus.FAILED else 0)
    assert _balance(seller) == (Decimal("1000000.00") if outcome == PayoutStatus.FAILED else Decimal("700000.00"))
    assert payouts.payouts_process() == {}
    _age(payout, minutes=60)
    assert payouts.payouts_process() == {}  # a finished payout is never stale


def test_a_bank_that_did_not_answer_is_asked_again_later(seller, account, bank):
    payout, _ = payouts.payout_request(seller=seller, amount="300000", bank_account_id=account.pk)
    bank.fail_once_before_sending = True

    with pytest.raises(payouts.PayoutProviderError) as error:
        payouts.payout_process(payout=payout)
    assert "did not answer" in error.value.messages[0]
    assert Payout.objects.get(pk=payout.pk).status == PayoutStatus.PROCESSING

    _age(payout)
    assert payouts.payouts_process() == {PayoutStatus.COMPLETED: 1}
    assert len(bank.transfers) == 1
    assert _balance(seller) == Decimal("700000.00")


def test_a_bank_that_does_not_answer_does_not_hold_up_the_other_payouts(seller, account, bank):
    first, _ = payouts.payout_request(seller=seller, amount="300000", bank_account_id=account.pk)
    second, _ = payouts.payout_request(seller=seller, amount="200000", bank_account_id=account.pk)
    bank.fail_once_before_sending = True  # the first one's call fails

    assert payouts.payouts_process() == {"unanswered": 1, PayoutStatus.COMPLETED: 1}
    assert Payout.objects.get(pk=first.pk).status == PayoutStatus.PROCESSING
    assert Payout.objects.get(pk=second.pk).status == PayoutStatus.COMPLETED
    assert _balance(seller) == Decimal("500000.00")


@pytest.mark.parametrize("number, outcome", [(CARD, PayoutStatus.COMPLETED), (REFUSED, PayoutStatus.FAILED)])
def test_a_slow_worker_overtaken_by_the_stale_recovery_does_not_finish_it_again(seller, bank, number, outcome):
    """Worker A is still waiting for the bank when the recovery (worker B) decides A is dead and
    finishes the payout; A's late answer then changes nothing."""
    account = _verified(seller, number)
    payout, _ = payouts.payout_request(seller=seller, amount="300000", bank_account_id=account.pk)

    def worker_b():
        _age(payout)
        assert payouts.payouts_process() == {outcome: 1}

    bank.during_first_send = worker_b
    assert payouts.payout_process(payout=payout).status == outcome  # worker A

    assert len(bank.calls) == 2 and len(bank.transfers) == 1
    assert WalletTransaction.objects.filter(reference_type="payout", type=TransactionType.REFUND).count() == (
        1 if outcome == PayoutStatus.FAILED else 0
    )
    assert AuditLog.objects.filter(action=f"payout.{outcome}", entity_id=payout.pk).count() == 1


# --- a payout and a delete at the same time ----------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_a_payout_is_not_requested_to_an_account_being_deleted():
    """The delete checks for payouts on their way under the account's row lock; the request must
    take the same lock, or it slips a payout in between the check and the commit."""
    seller = SellerFactory()
    _fund(seller, "500000")
    account = _verified(seller)
    deleted, release = threading.Event(), threading.Event()

    def delete_slowly():
        from django.db import transaction

        try:
            with transaction.atomic():
                payouts.bank_account_delete(account=account, user=seller)
                deleted.set()
                release.wait(5)
        finally:
            connection.close()

    thread = threading.Thread(target=delete_slowly)
    thread.start()
    assert deleted.wait(5)
    timer = threading.Timer(0.5, release.set)  # the delete commits while the request waits for it
    timer.start()
    try:
        with pytest.raises(ValidationError):
            payouts.payout_request(seller=seller, amount="100000", bank_account_id=account.pk)
    finally:
        release.set()
        thread.join()
        timer.cancel()

    assert not Payout.objects.filter(seller=seller).exists()
    assert _balance(seller) == Decimal("500000.00")
    assert BankAccount.objects.get(pk=account.pk).deleted_at is not None


def test_a_payout_left_processing_whose_account_row_vanished_waits_for_accounting(seller, account, bank):
    """The bank may have sent the money before the crash: failing it would pay the seller twice."""
    payout, _ = payouts.payout_request(seller=seller, amount="200000", bank_account_id=account.pk)
    bank.fail_once_after_sending = True
    with pytest.raises(SystemExit):
        payouts.payout_process(payout=payout)
    BankAccount.objects.filter(pk=account.pk).delete()
    _age(payout)
    before = _books()

    assert payouts.payouts_process() == {PayoutStatus.PROCESSING: 1}

    assert _books() == before
    assert len(bank.calls) == 1


def test_a_payout_to_a_number_no_key_can_read_fails_before_anything_is_sent(seller, bank, settings):
    settings.FINANCE_ENCRYPTION_KEYS = f"{KEY_A},{KEY_B}"
    account = _verified(seller)  # encrypted with KEY_A
    payout, _ = payouts.payout_request(seller=seller, amount="300000", bank_account_id=account.pk)
    settings.FINANCE_ENCRYPTION_KEYS = KEY_B  # KEY_A dropped before rotation finished

    done = payouts.payout_process(payout=payout)

    assert done.status == PayoutStatus.FAILED and "cannot be read" in done.notes
    assert bank.calls == []
    assert _balance(seller) == Decimal("1000000.00")  # the hold is back
    assert payouts.payouts_process() == {}  # not retried forever


@pytest.mark.django_db(transaction=True)
def test_concurrent_account_changes_leave_exactly_one_default():
    seller = SellerFactory()
    start, errors = threading.Barrier(6), []

    def add(n):
        try:
            start.wait()
            payouts.bank_account_add(user=seller, bank_name="Kapitalbank", account_holder_name="Savdo",
                                     account_number=f"2020800090012345{n:04d}")  # fmt: skip
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert BankAccount.objects.filter(user=seller, is_default=True).count() == 1

    accounts = list(BankAccount.objects.filter(user=seller))
    start = threading.Barrier(len(accounts))

    def make_default(account):
        try:
            start.wait()
            payouts.bank_account_make_default(account=account, user=seller)
        except Exception as error:  # noqa: BLE001 - a deadlock would land here
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=make_default, args=(a,)) for a in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert BankAccount.objects.filter(user=seller, is_default=True).count() == 1
