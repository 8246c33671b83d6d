from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

BEAT_HEARTBEAT_KEY = "celery:beat:heartbeat"


@shared_task
def heartbeat():
    """Run by Celery beat every minute; the time it leaves in Redis shows beat and a worker live."""
    now = timezone.now().isoformat()
    cache.set(BEAT_HEARTBEAT_KEY, now, timeout=None)
    return now


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email(recipients, subject, body):
    """Deliver one email through Django's configured backend; retried when the server is away."""
    from django.conf import settings
    from django.core.mail import send_mail

    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


@shared_task
def record_ping(marker):
    """Smoke task: writes an audit row so a test can see a real worker reached the database."""
    from gogomarket.core.services import audit_log_write

    entry = audit_log_write(actor=None, action="system.ping", entity_type="system", new_values={"marker": marker})
    return entry.pk
