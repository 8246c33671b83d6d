"""``manage.py demo_logins``: the demo accounts and their password, as a small table."""

from django.core.management.base import BaseCommand
from django.db import DatabaseError

from demo import data


def demo_logins_table():
    """The table lines (role, email, password), aligned."""
    rows = [("role", "email", "password")] + [
        (login.role, login.email, data.DEMO_PASSWORD) for login in data.DEMO_LOGINS
    ]
    widths = [max(len(row[k]) for row in rows) for k in range(3)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


class Command(BaseCommand):
    help = "Print the demo logins created by seed_demo (role, email, password)."

    def handle(self, *args, **options):
        self.stdout.write("  Demo logins:")
        for line in demo_logins_table():
            self.stdout.write(f"    {line}")
        missing = self._missing()
        if missing:
            self.stdout.write(f"  ({len(missing)} of them do not exist yet: run `manage.py seed_demo`)")

    def _missing(self):
        from accounts.models import User

        emails = [login.email for login in data.DEMO_LOGINS]
        try:
            found = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        except DatabaseError:
            return []  # no database to ask: the table is still right
        return [email for email in emails if email not in found]
