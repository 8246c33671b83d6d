"""``manage.py rotate_bank_account_keys``: re-encrypt stored bank account numbers with the first key."""

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from finance import crypto
from finance.services.payouts import bank_accounts_reencrypt


class Command(BaseCommand):
    help = (
        "Key rotation: put a new key first in FINANCE_ENCRYPTION_KEYS (manage.py finance_new_key makes one), "
        "run this, then remove the old key. Every number not yet under the first key is re-encrypted."
    )

    def handle(self, *args, **options):
        try:
            key_id = crypto.current_key_id()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Re-encrypting bank account numbers with key {key_id} ...")
        try:
            done = bank_accounts_reencrypt(progress=lambda n, total: self.stdout.write(f"  {n}/{total}"))
        except ValueError as error:
            raise CommandError(
                f"a number could not be decrypted ({error}): is its old key still in FINANCE_ENCRYPTION_KEYS?"
            ) from error
        self.stdout.write(self.style.SUCCESS(f"{done} accounts re-encrypted."))
