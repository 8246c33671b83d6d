"""``manage.py finance_new_key``: print a fresh FINANCE_ENCRYPTION_KEYS entry."""

import secrets

from django.core.management.base import BaseCommand, CommandError

from finance import crypto


class Command(BaseCommand):
    help = "Print a new key entry (id:base64) to put first in FINANCE_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--id", default="", help="key id (letters and digits; default: random)")

    def handle(self, *args, **options):
        key_id = options["id"] or f"k{secrets.token_hex(3)}"
        if not key_id.isalnum():
            raise CommandError("--id must be letters and digits")
        self.stdout.write(f"{key_id}:{crypto.new_key()}")
