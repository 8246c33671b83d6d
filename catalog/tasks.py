"""Celery jobs of the catalog."""

from celery import shared_task

from . import services


@shared_task(name="catalog.tasks.view_counts_flush", ignore_result=True)
def view_counts_flush():
    """Add the product page views counted in Redis to ``products.view_count`` (beat, every minute)."""
    return services.view_counts_flush()
