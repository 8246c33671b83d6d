from celery import shared_task

from .sms import SmsError, sms_send


@shared_task(autoretry_for=(SmsError, OSError), retry_backoff=True, max_retries=5)
def send_sms(phone, text):
    sms_send(phone, text)


@shared_task
def purge_expired_sessions():
    from .services import sessions_purge_expired

    return sessions_purge_expired()
