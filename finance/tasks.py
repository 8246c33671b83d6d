"""Celery jobs of money (run by beat; see CELERY_BEAT_SCHEDULE). Each is safe to run twice or
from several workers at once: the services lock what they change and the ledger records each
movement once."""

from celery import shared_task

from .services.earnings import earnings_release
from .services.payments import unpaid_card_orders_expire
from .services.payouts import payouts_process


@shared_task(name="finance.tasks.expire_unpaid_card_orders", ignore_result=True)
def expire_unpaid_card_orders():
    """Cancel card orders not paid within ``card_payment_timeout_minutes`` (stock comes back)."""
    return unpaid_card_orders_expire()


@shared_task(name="finance.tasks.release_earnings")
def release_earnings():
    """Credit sellers with earnings whose hold period (the return window) is over."""
    released, cancelled = earnings_release()
    return {"released": released, "cancelled": cancelled}


@shared_task(name="finance.tasks.process_payouts")
def process_payouts():
    """Send waiting bank payouts through the payout provider; finish any a crash left behind."""
    return payouts_process()
