"""``manage.py check_ledger``: are the GoGoMoney books right? Exits 1 on any mismatch."""

from django.core.management.base import BaseCommand, CommandError

from finance.services.ledger import ledger_check


class Command(BaseCommand):
    help = (
        "Check every wallet: its balance equals its last transaction's balance_after and the sum of its "
        "transactions, and each transaction's balance_after = balance_before + amount. Prints each mismatch; "
        "exits with status 1 when there is any."
    )

    def handle(self, *args, **options):
        def progress(done, total):
            self.stdout.write(f"  {done}/{total} wallets checked")

        problems = ledger_check(progress=progress)
        for problem in problems:
            self.stdout.write(self.style.ERROR(f"wallet {problem.wallet_id}: {problem.problem}"))
        if problems:
            wallets = len({p.wallet_id for p in problems})
            raise CommandError(f"{len(problems)} mismatches in {wallets} wallets", returncode=1)
        self.stdout.write(self.style.SUCCESS("The ledger is consistent."))
