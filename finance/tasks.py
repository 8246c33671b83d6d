"""Celery jobs of money (run by beat; see CELERY_BEAT_SCHEDULE). Each is safe to run twice or
from several workers at once: the services lock what they change and the ledger records each
movement once."""

from celery import shared_task

from .models import PaymentRefund
from .services.earnings import earnings_release
from .services.payments import refund_send, refunds_retry
from .services.payouts import payouts_process


@shared_task(name="finance.tasks.release_earnings")
def release_earnings():
    """Credit sellers with earnings whose hold period (the return window) is over."""
    released, cancelled = earnings_release()
    return {"released": released, "cancelled": cancelled}


@shared_task(name="finance.tasks.process_payouts")
def process_payouts():
    """Send waiting bank payouts through the payout provider; finish any a crash left behind."""
    return payouts_process()


@shared_task(name="finance.tasks.send_refund", ignore_result=True)
def send_refund(refund_id):
    """Send one card refund to the provider (queued when the transaction that asked for it
    commits). A refund already settled is left alone; one the provider did not answer stays
    pending for ``retry_refunds``."""
    refund_send(refund=PaymentRefund(pk=refund_id))


@shared_task(name="finance.tasks.retry_refunds")
def retry_refunds():
    """Send again the card refunds still pending after a few minutes (a crashed worker, an
    unanswered provider); the provider's idempotency per key means money goes back once."""
    return refunds_retry()
