"""Bank accounts and seller payouts.

**Bank accounts**: the number is encrypted before it is stored (``finance.crypto``) and shown
masked; staff (accounting) verify an account before money is sent to it.

**Payouts** are a state machine: ``payout_request`` holds the amount from the seller's wallet at
once (a ``payout`` ledger entry) and leaves the payout ``pending``. ``payout_process`` (the
Celery job ``process_payouts``, or accounting approving it in the back office) takes it to
``processing`` and commits, then asks the payout provider to send the money, with the payout's
id as the provider's idempotency key, then records ``completed`` (with the provider's
transaction id) or ``failed`` (the hold comes back to the wallet). A worker killed between the
two leaves the payout ``processing``: the next run asks the provider again with the same key,
gets the first answer, and the money leaves once. A pending payout can be cancelled (by the
seller or accounting): the hold comes back.
"""

import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.enums import UserRole
from accounts.permissions import can_manage_payouts, can_verify_bank_accounts
from gogomarket.core.money import CENT, format_uzs
from gogomarket.core.services import audit_log_write, idempotent

from .. import crypto, texts
from ..enums import PayoutMethod, PayoutStatus, TransactionType
from ..models import BankAccount, Payout
from ..providers import PayoutResult, payout_provider
from ..selectors import payout_payable_amount
from .ledger import InsufficientFunds, wallet_for, wallet_post

logger = logging.getLogger(__name__)

ACCOUNTS_LOCK = 4_201_001  # pg_advisory_xact_lock class of "a user's bank accounts"
STALE_PROCESSING = timezone.timedelta(minutes=10)


# --- bank accounts ------------------------------------------------------------------------------
def _clean_number(number):
    number = "".join((number or "").split()).upper()
    if not 8 <= len(number) <= 34 or not number.isalnum() or not number.isascii():
        raise ValidationError({"account_number": _("Enter the account number: 8 to 34 letters and digits.")})
    return number


def bank_account_number(account):
    """The plain number (for the payout provider only: never shown, never logged)."""
    return crypto.decrypt(account.account_number)


def bank_account_masked(account):
    try:
        return crypto.mask(bank_account_number(account))
    except ValueError:
        return "••••"


def _accounts_lock(user):
    """One change of a user's accounts at a time (which one is the default is decided across
    them, and the first account may not exist yet: a row lock cannot cover that)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ACCOUNTS_LOCK, user.pk])


@transaction.atomic
def bank_account_add(*, user, bank_name, account_holder_name, account_number, routing_number="", request=None):
    """A new account of ``user`` (unverified; the first one is the default)."""
    errors = {}
    bank_name, account_holder_name = (bank_name or "").strip(), (account_holder_name or "").strip()
    if not bank_name:
        errors["bank_name"] = [_("Which bank?")]
    if not account_holder_name:
        errors["account_holder_name"] = [_("Whose account is it?")]
    try:
        number = _clean_number(account_number)
    except ValidationError as error:
        errors.update(error.message_dict)
    routing_number = (routing_number or "").strip().upper()
    if len(routing_number) > 50:
        errors["routing_number"] = [_("At most %(n)d characters.") % {"n": 50}]
    if errors:
        raise ValidationError(errors)
    _accounts_lock(user)
    first = not BankAccount.objects.filter(user=user, deleted_at__isnull=True).exists()
    account = BankAccount.objects.create(
        user=user,
        bank_name=bank_name[:200],
        account_holder_name=account_holder_name[:200],
        account_number=crypto.encrypt(number),
        routing_number=routing_number or None,
        is_default=first,
        is_verified=False,
    )
    audit_log_write(
        actor=user, action="bank_account.add", entity_type="bank_account", entity_id=account.pk,
        new_values={"bank": bank_name, "number": crypto.mask(number)}, request=request,
    )  # fmt: skip
    return account


@transaction.atomic
def bank_account_verify(*, account, actor, request=None):
    if not can_verify_bank_accounts(actor):
        raise PermissionDenied(_("Only staff verify bank accounts."))
    account = BankAccount.objects.select_for_update().filter(pk=account.pk, deleted_at__isnull=True).first()
    if account is None:
        raise ValidationError(_("This account was deleted by its owner."))
    if not account.is_verified:
        account.is_verified = True
        account.save(update_fields=["is_verified", "updated_at"])
        audit_log_write(
            actor=actor, action="bank_account.verify", entity_type="bank_account", entity_id=account.pk,
            request=request,
        )  # fmt: skip
    return account


@transaction.atomic
def bank_account_make_default(*, account, user, request=None):
    """Payouts go to ``account`` (one of ``user``'s own) by default from now on; audited
    (``bank_account.make_default``: the previous default and the new one). Making the default
    the default again writes nothing."""
    _accounts_lock(user)
    account = BankAccount.objects.select_for_update().get(pk=account.pk, user=user, deleted_at__isnull=True)
    previous = list(
        BankAccount.objects.filter(user=user, deleted_at__isnull=True, is_default=True).values_list("pk", flat=True)
    )
    if previous == [account.pk]:
        return account
    BankAccount.objects.filter(user=user, deleted_at__isnull=True).exclude(pk=account.pk).update(is_default=False)
    BankAccount.objects.filter(pk=account.pk).update(is_default=True)
    audit_log_write(
        actor=user, action="bank_account.make_default", entity_type="bank_account", entity_id=account.pk,
        old_values={"default": previous[0] if previous else None}, new_values={"default": account.pk},
        request=request,
    )  # fmt: skip
    return account


@transaction.atomic
def bank_account_delete(*, account, user, request=None):
    """Soft delete; refused while a payout to it is still on its way."""
    _accounts_lock(user)
    account = BankAccount.objects.select_for_update().get(pk=account.pk, user=user, deleted_at__isnull=True)
    if Payout.objects.filter(bank_account=account, status__in=[PayoutStatus.PENDING, PayoutStatus.PROCESSING]).exists():
        raise ValidationError(_("A payout to this account is on its way: delete it when it has arrived."))
    account.deleted_at = timezone.now()
    account.is_default = False
    account.save(update_fields=["deleted_at", "is_default", "updated_at"])
    following = BankAccount.objects.filter(user=user, deleted_at__isnull=True).order_by("-is_verified", "-pk").first()
    if following and not BankAccount.objects.filter(user=user, deleted_at__isnull=True, is_default=True).exists():
        BankAccount.objects.filter(pk=following.pk).update(is_default=True)
    audit_log_write(actor=user, action="bank_account.delete", entity_type="bank_account", entity_id=account.pk,
                    request=request)  # fmt: skip


def bank_accounts_reencrypt(*, progress=None):
    """Re-encrypt every stored number with the current key (key rotation). Returns how many."""
    current = crypto.current_key_id()
    done = 0
    todo = BankAccount.objects.exclude(account_number__startswith=f"{current}$").order_by("pk")
    total = todo.count()
    for account in todo.iterator():
        with transaction.atomic():
            locked = BankAccount.objects.select_for_update().get(pk=account.pk)
            if crypto.key_id_of(locked.account_number) != current:
                locked.account_number = crypto.encrypt(crypto.decrypt(locked.account_number))
                locked.save(update_fields=["account_number", "updated_at"])
                done += 1
        if progress:
            progress(done, total)
    return done


# --- payouts --------------------------------------------------------------------------------------
METHODS = (PayoutMethod.BANK_TRANSFER, PayoutMethod.CASH)


def payout_request(*, seller, amount, method=PayoutMethod.BANK_TRANSFER, bank_account_id=None, notes="",
                   idempotency_key="", request=None):  # fmt: skip
    """A seller asks for ``amount`` of their wallet; it is held at once. Returns (payout, replayed).
    Only earnings are paid out: more than ``payout_payable_amount`` is refused on ``amount``
    (more than the balance with InsufficientFunds), with nothing written."""
    if seller.role != UserRole.SELLER:
        raise PermissionDenied(_("Only sellers ask for payouts."))
    try:
        amount = Decimal(str(amount)).quantize(CENT)
    except (ArithmeticError, ValueError):
        raise ValidationError({"amount": _("Enter an amount in so'm.")}) from None
    if not amount.is_finite() or amount < settings.PAYOUT_MIN:
        raise ValidationError({"amount": _("A payout is at least %(min)s.") % {"min": format_uzs(settings.PAYOUT_MIN)}})
    if method == PayoutMethod.GOGOMONEY:
        raise ValidationError({"method": _("Your earnings are already in your GoGoMoney wallet.")})
    if method not in METHODS:
        raise ValidationError({"method": _("Choose how to receive the money.")})
    account = None
    if method == PayoutMethod.BANK_TRANSFER:
        account = BankAccount.objects.filter(pk=bank_account_id or 0, user=seller, deleted_at__isnull=True).first()
        if account is None:
            raise ValidationError({"bank_account": _("Choose one of your bank accounts.")})
        if not account.is_verified:
            raise ValidationError({"bank_account": _("This account is not verified yet.")})
    payload = {"amount": str(amount), "method": method, "account": account.pk if account else None}

    def run():
        if account is not None:
            # Under the account's row lock, like bank_account_delete's check for payouts on their
            # way: a delete committing meanwhile is seen here, and one starting now sees this payout.
            locked = BankAccount.objects.select_for_update().filter(pk=account.pk).first()
            if locked is None or locked.deleted_at is not None:
                raise ValidationError({"bank_account": _("Choose one of your bank accounts.")})
            if not locked.is_verified:
                raise ValidationError({"bank_account": _("This account is not verified yet.")})
        # Under the wallet's row lock (taken after the account's, as wallet_post would): every
        # posting to this wallet waits for it, so two requests at once cannot both count the same
        # earnings as payable.
        wallet = wallet_for(seller, lock=True)
        if amount > wallet.balance:
            raise InsufficientFunds(wallet.balance, amount)
        payable = payout_payable_amount(seller)
        if amount > payable:
            raise ValidationError({"amount": [ValidationError(
                _("You can be paid out at most %(payable)s now: only your earnings from sales are paid out. "
                  "Top-ups, refunds and bonuses can be spent on purchases.") % {"payable": format_uzs(payable)},
                code="not_payable",
            )]})  # fmt: skip
        payout = Payout.objects.create(
            seller=seller, amount=amount, currency="UZS", method=method, status=PayoutStatus.PENDING,
            bank_account=account, notes=(notes or "").strip()[:1000] or None,
        )  # fmt: skip
        wallet_post(
            wallet=wallet, type=TransactionType.PAYOUT, amount=-amount, reference_type="payout",
            reference_id=payout.pk, text=texts.PAYOUT_REQUESTED.stored(id=payout.pk),
        )  # fmt: skip
        audit_log_write(actor=seller, action="payout.request", entity_type="payout", entity_id=payout.pk,
                        new_values=payload, request=request)  # fmt: skip
        return {"payout": payout.pk}

    answer, replayed = idempotent(user=seller, scope="payout", key=idempotency_key, payload=payload, run=run)
    return Payout.objects.get(pk=answer["payout"]), replayed


def _hold_return(payout, text):
    wallet_post(
        wallet=wallet_for(payout.seller), type=TransactionType.REFUND, amount=payout.amount,
        reference_type="payout", reference_id=payout.pk, text=text,
    )  # fmt: skip


@transaction.atomic
def payout_cancel(*, payout, actor, request=None):
    payout = Payout.objects.select_for_update().get(pk=payout.pk)
    if actor.pk != payout.seller_id and not can_manage_payouts(actor):
        raise PermissionDenied(_("This is not your payout."))
    if payout.status != PayoutStatus.PENDING:
        raise ValidationError(_("Only a payout that has not started can be cancelled."))
    payout.status = PayoutStatus.CANCELLED
    payout.processed_at = timezone.now()
    payout.save(update_fields=["status", "processed_at", "updated_at"])
    _hold_return(payout, texts.PAYOUT_CANCELLED.stored(id=payout.pk))
    audit_log_write(actor=actor, action="payout.cancel", entity_type="payout", entity_id=payout.pk, request=request)
    return payout


def payout_process(*, payout, actor=None, request=None):
    """Send one payout (see the module docstring). Returns it in its new state. ``actor`` is
    None for the job, or the staff member approving it (the only way a cash payout completes)."""
    if actor is not None and not can_manage_payouts(actor):
        raise PermissionDenied(_("Only accounting staff approve payouts."))
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk)
        stale = locked.status == PayoutStatus.PROCESSING and locked.updated_at < timezone.now() - STALE_PROCESSING
        if locked.status != PayoutStatus.PENDING and not stale:
            return locked
        if locked.method == PayoutMethod.CASH:
            # Handed over at the office: accounting's approval is the payment.
            if actor is None:
                return locked
            locked.status = PayoutStatus.COMPLETED
            locked.processed_at = timezone.now()
            locked.transaction_id = f"cash-{locked.pk}"
            locked.save(update_fields=["status", "processed_at", "transaction_id", "updated_at"])
            audit_log_write(actor=actor, action="payout.completed", entity_type="payout", entity_id=locked.pk,
                            request=request)  # fmt: skip
            return locked
        if locked.bank_account_id is None:
            # Its account row was removed from the database: nowhere to send the money to. Never
            # sent yet: it fails and the hold comes back. Left processing by a crash: the money may
            # have left, so it waits for accounting (failing it could pay the seller twice).
            if stale:
                return locked
            result = PayoutResult(False, "", "the bank account no longer exists")
            return _payout_finish(locked, result, actor=actor, request=request)
        try:
            number = bank_account_number(locked.bank_account)
        except ValueError:
            # Encrypted with a key that is no longer configured (rotation not finished): nothing
            # can be sent. Never sent yet: it fails and the hold comes back; left processing by a
            # crash, the money may have left, so it waits for accounting.
            logger.error("payout %s: the bank account number cannot be decrypted (key missing)", locked.pk)
            if stale:
                return locked
            result = PayoutResult(False, "", "the bank account number cannot be read; add the account again")
            return _payout_finish(locked, result, actor=actor, request=request)
        locked.status = PayoutStatus.PROCESSING
        locked.save(update_fields=["status", "updated_at"])
    # Committed as processing: from here a crash leaves a payout the next run finishes.
    try:
        result = payout_provider().send(locked, number)
    except Exception as error:  # the outside world: a network error, the bank's API down ...
        # Left processing: the next run after STALE_PROCESSING asks again with the same key.
        logger.warning("payout %s: the payout provider did not answer (%s)", locked.pk, type(error).__name__)
        raise PayoutProviderError(
            _("The payout provider did not answer; the payout is sent again automatically in a few minutes.")
        ) from error
    with transaction.atomic():
        locked = Payout.objects.select_for_update().get(pk=payout.pk)
        if locked.status != PayoutStatus.PROCESSING:
            return locked
        return _payout_finish(locked, result, actor=actor, request=request)


def _payout_finish(locked, result, *, actor, request):
    """Record the provider's answer on a payout locked in the current transaction."""
    locked.processed_at = timezone.now()
    if result.ok:
        locked.status = PayoutStatus.COMPLETED
        locked.transaction_id = result.transaction_id[:255]
    else:
        locked.status = PayoutStatus.FAILED
        locked.notes = "\n".join(filter(None, [locked.notes, result.reason]))
        _hold_return(locked, texts.PAYOUT_FAILED.stored(id=locked.pk))
    locked.save(update_fields=["status", "processed_at", "transaction_id", "notes", "updated_at"])
    audit_log_write(
        actor=actor, action=f"payout.{locked.status}", entity_type="payout", entity_id=locked.pk,
        new_values={"transaction_id": locked.transaction_id, "reason": result.reason}, request=request,
    )  # fmt: skip
    return locked


class PayoutProviderError(ValidationError):
    """The payout provider could not be reached (the payout stays processing and is retried)."""


def payouts_process(*, progress=None):
    """Every bank payout waiting, and every one left processing by a crash (Celery beat)."""
    limit = timezone.now() - STALE_PROCESSING
    todo = list(
        Payout.objects.filter(method=PayoutMethod.BANK_TRANSFER)
        .filter(status=PayoutStatus.PENDING)
        .union(Payout.objects.filter(status=PayoutStatus.PROCESSING, updated_at__lt=limit))
        .values_list("pk", flat=True)
    )
    counts = {}
    for n, pk in enumerate(sorted(todo), start=1):
        try:
            status = payout_process(payout=Payout(pk=pk)).status
        except PayoutProviderError:
            status = "unanswered"  # one bank's outage does not hold up the others
        counts[status] = counts.get(status, 0) + 1
        if progress:
            progress(n, len(todo))
    return counts
