"""Celery jobs of orders (run by beat; see CELERY_BEAT_SCHEDULE). Safe to run twice or from
several workers at once: each order is judged again under its lock."""

from celery import shared_task

from .enums import PaymentMethod
from .services.expiry import unpaid_orders_expire


@shared_task(name="orders.tasks.expire_unpaid_card_orders", ignore_result=True)
def expire_unpaid_card_orders():
    """Cancel card orders not paid within ``card_payment_timeout_minutes`` (stock comes back)."""
    return unpaid_orders_expire(PaymentMethod.CARD)


@shared_task(name="orders.tasks.expire_unpaid_bank_transfers", ignore_result=True)
def expire_unpaid_bank_transfers():
    """Cancel bank-transfer orders not paid within ``bank_transfer_timeout_days``."""
    return unpaid_orders_expire(PaymentMethod.BANK_TRANSFER)
