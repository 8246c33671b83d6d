"""``manage.py process_payouts``: send waiting bank payouts (beat runs it every 5 minutes)."""

from django.core.management.base import BaseCommand

from finance.services.payouts import payouts_process


class Command(BaseCommand):
    help = (
        "Send every pending bank payout through the payout provider, and finish any a crashed worker left "
        "processing (the provider is asked again with the same idempotency key: nothing is paid twice)."
    )

    def handle(self, *args, **options):
        counts = payouts_process(progress=lambda n, total: self.stdout.write(f"  {n}/{total} payouts"))
        if not counts:
            self.stdout.write("No payout is waiting.")
            return
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Payouts done: {summary}."))
