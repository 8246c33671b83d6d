"""``manage.py release_earnings``: credit sellers whose earnings' hold period is over (beat runs it hourly)."""

from django.core.management.base import BaseCommand

from finance.services.earnings import earnings_release, hold_days


class Command(BaseCommand):
    help = "Credit sellers' wallets with the earnings of orders delivered more than the hold period ago."

    def handle(self, *args, **options):
        self.stdout.write(f"Releasing earnings of orders delivered over {hold_days()} days ago ...")
        released, cancelled = earnings_release(progress=lambda n: self.stdout.write(f"  {n} commissions done"))
        self.stdout.write(
            self.style.SUCCESS(f"{released} earnings credited, {cancelled} commissions cancelled (order not paid).")
        )
