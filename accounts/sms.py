"""Text messages. Code sends through ``sms_send``; ``settings.SMS_BACKEND`` decides where they go.

A real gateway (Eskiz, Play Mobile, an operator's HTTP API) is one subclass of
``BaseSmsBackend`` implementing ``send``; point ``SMS_BACKEND`` at it.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("gogomarket.sms")


class SmsError(Exception):
    """The gateway refused or could not be reached."""


class BaseSmsBackend:
    def send(self, phone, text):  # pragma: no cover - interface
        raise NotImplementedError


class LogSmsBackend(BaseSmsBackend):
    """Development default: the message goes to the log instead of a phone."""

    def send(self, phone, text):
        logger.info("SMS to %s: %s", phone, text)


class MemorySmsBackend(BaseSmsBackend):
    """Keeps messages in ``MemorySmsBackend.outbox`` (for tests, like Django's locmem email)."""

    outbox = []

    def send(self, phone, text):
        self.outbox.append({"phone": phone, "text": text})


def sms_send(phone, text):
    import_string(settings.SMS_BACKEND)().send(phone, text)
