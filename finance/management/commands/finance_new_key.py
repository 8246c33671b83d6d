"""``manage.py finance_new_key``: print a fresh FINANCE_ENCRYPTION_KEYS entry."""

import secrets

from django.core.management.base import BaseCommand, CommandError

from finance import crypto


class Command(BaseCommand):
    help = "Print a new key entry (id:base64) to put first in FINANCE_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--id", default="", help="key id (up to 16 ASCII letters and digits; default: random)")

    def handle(self, *args, **options):
        key_id = options["id"] or f"k{secrets.token_hex(3)}"
        if not (key_id.isascii() and key_id.isalnum()) or len(key_id) > crypto.KEY_ID_MAX:
            # What crypto accepts: a longer id would not leave room for an IBAN in VARCHAR(100).
            raise CommandError(f"--id must be 1 to {crypto.KEY_ID_MAX} ASCII letters and digits")
        self.stdout.write(f"{key_id}:{crypto.new_key()}")
