#!/usr/bin/env python
"""The GoGoMoney ledger under load: threads move money on wallets at once, then check_ledger.

    .venv/bin/python bench/wallet.py                                  # 4 000 postings, 20 wallets, 16 threads
    .venv/bin/python bench/wallet.py --operations 20000 --wallets 200 --workers 32
    .venv/bin/python bench/wallet.py --database-url postgis:///gogomarket_bench_wallet --migrate

Each operation is one ``finance.services.ledger.wallet_post`` (the function every balance change
goes through: wallet row lock, one wallet_transactions row, the balance updated), called directly
on threads, each with its own PostgreSQL connection: about half are deposits, 40 % purchases (some
refused for want of money, as a real wallet would be) and 10 % refunds. It runs twice: spread over
``--wallets`` wallets, and all on one hot wallet (every posting waits for the one before: the
ledger's worst case). The table gives postings per second, p50/p95/p99 latency, refusals and
deadlocks, then the time ``ledger_check`` takes over every wallet in the database. The run fails
(exit status 1) on a deadlock or an error, when check_ledger finds a problem, or when the sum of
the bench wallets' balances is not money in minus money out as the threads recorded it.

The database (default ``postgis:///gogomarket_bench_100000`` or $BENCH_DATABASE_URL, as for
bench/checkout.py; any migrated database whose name contains ``bench`` will do, e.g. one made with
``createdb -T gogomarket_template gogomarket_bench_wallet`` and ``--migrate``) gets its own users,
``wallet-<n>@wallet.bench.gogomarket.uz``; their wallet rows and movements are reset before each
run, nothing else is changed.
"""

import argparse
import os
import queue
import random
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from checkout import (  # noqa: E402
    DEFAULT_DATABASE_URL,
    check_database,
    database_deadlocks,
    die,
    log,
    percentile,
    setup_django,
)

EMAIL = "wallet-{n:05d}@wallet.bench.gogomarket.uz"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Move money on GoGoMoney wallets from many threads at once (finance.services.ledger.wallet_post) "
        "and print postings per second, latency, refusals, deadlocks and the time of check_ledger.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--operations", type=int, default=4000, help="postings per mode")
    parser.add_argument("--wallets", type=int, default=20, help="wallets of the spread mode")
    parser.add_argument("--workers", type=int, default=16, help="threads, each with its own database connection")
    parser.add_argument("--seed", type=int, default=2026, help="of the random amounts and kinds")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="a migrated database whose name contains 'bench' (env BENCH_DATABASE_URL)",
    )
    parser.add_argument("--migrate", action="store_true", help="apply pending migrations to it first")
    args = parser.parse_args(argv)
    if min(args.operations, args.wallets, args.workers) < 1:
        parser.error("--operations, --wallets and --workers must be positive")
    if args.wallets > 10000:
        parser.error("--wallets: at most 10000")
    return args


def bench_wallets(count):
    """``count`` bench users' wallets, made when missing, emptied of earlier runs' movements."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.enums import UserRole, UserStatus
    from accounts.models import User
    from finance.models import Wallet, WalletTransaction
    from finance.services.ledger import wallet_for

    emails = [EMAIL.format(n=n) for n in range(1, count + 1)]
    with transaction.atomic():
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        unusable = make_password(None)
        User.objects.bulk_create(
            [
                User(
                    email=e,
                    first_name="Bench",
                    last_name="Wallet",
                    role=UserRole.BUYER,
                    status=UserStatus.ACTIVE,
                    password=unusable,
                )  # fmt: skip
                for e in emails
                if e not in existing
            ],
            batch_size=1000,
        )
        users = list(User.objects.filter(email__in=emails).order_by("email"))
        wallets = [wallet_for(user) for user in users]
        WalletTransaction.objects.filter(wallet__in=wallets).delete()
        Wallet.objects.filter(pk__in=[w.pk for w in wallets]).update(balance=0, is_active=True)
    return wallets


def plan(wallets, operations, rng, start_reference):
    """[(wallet, type, signed amount, reference id)]: deposits, purchases and refunds."""
    from finance.enums import TransactionType

    steps = []
    for n in range(operations):
        wallet = wallets[n % len(wallets)] if len(wallets) > 1 else wallets[0]
        roll = rng.random()
        amount = Decimal(rng.randrange(1_000, 500_000, 1_000))
        if roll < 0.5:
            steps.append((wallet, TransactionType.DEPOSIT, amount, start_reference + n))
        elif roll < 0.9:
            steps.append((wallet, TransactionType.PURCHASE, -amount, start_reference + n))
        else:
            steps.append((wallet, TransactionType.REFUND, amount // 4 or Decimal(1000), start_reference + n))
    rng.shuffle(steps)
    return steps


def run(steps, workers):
    """Every step on ``workers`` threads started together. Returns (results, wall seconds) with
    results = [(kind, seconds, signed amount moved, message)]."""
    from django.db import OperationalError, connection, connections

    from finance.services.ledger import InsufficientFunds, wallet_post

    todo = queue.Queue()
    for step in steps:
        todo.put(step)
    results, lock = [], threading.Lock()
    ready = threading.Barrier(workers + 1)

    def worker():
        try:
            connection.ensure_connection()
            ready.wait()
            while True:
                try:
                    wallet, type_, amount, reference = todo.get_nowait()
                except queue.Empty:
                    return
                began = time.perf_counter()
                moved, message = Decimal(0), ""
                try:
                    wallet_post(wallet=wallet, type=type_, amount=amount, reference_type="bench",
                                reference_id=reference, description="bench/wallet.py")  # fmt: skip
                    kind, moved = "posted", amount
                except InsufficientFunds:
                    kind = "not enough money"
                except OperationalError as error:
                    message = str(error).splitlines()[0]
                    kind = "deadlock" if "deadlock" in message.lower() else "error"
                except Exception as error:  # noqa: BLE001 - counted and shown, the run goes on
                    kind, message = "error", f"{type(error).__name__}: {error}"
                with lock:
                    results.append((kind, time.perf_counter() - began, moved, message))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, name=f"wallet-{n}", daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    ready.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - began


def main(argv=None):
    args = parse_args(argv)
    setup_django(args.database_url)
    name = check_database(args)
    from django.db import connection
    from django.db.models import Sum

    from finance.models import Wallet, WalletTransaction
    from finance.services.ledger import ledger_check

    rng = random.Random(args.seed)
    rows, problems = [], []
    wallets = bench_wallets(args.wallets)
    for mode, chosen in ((f"spread over {args.wallets}", wallets), ("one hot wallet", wallets[:1])):
        Wallet.objects.filter(pk__in=[w.pk for w in wallets]).update(balance=0)
        WalletTransaction.objects.filter(wallet__in=wallets).delete()
        steps = plan(chosen, args.operations, rng, start_reference=1)
        before = database_deadlocks()
        connection.close()
        log(f"{mode}: {len(steps):,} postings on {args.workers} threads")
        results, wall = run(steps, args.workers)
        time.sleep(0.5)  # the backends that ended report their statistics
        deadlocks = database_deadlocks() - before
        counts = {}
        for kind, _s, _m, _msg in results:
            counts[kind] = counts.get(kind, 0) + 1
        posted = [s for k, s, _m, _msg in results if k == "posted"]
        latencies = [s for _k, s, _m, _msg in results]
        expected = sum((m for _k, _s, m, _msg in results), Decimal(0))
        total = Wallet.objects.filter(pk__in=[w.pk for w in wallets]).aggregate(t=Sum("balance"))["t"]
        if total != expected:
            problems.append(f"{mode}: balances add up to {total}, the threads moved {expected}")
        if counts.get("deadlock") or deadlocks or counts.get("error"):
            problems.append(
                f"{mode}: {counts.get('deadlock', 0) + deadlocks} deadlocks, {counts.get('error', 0)} errors"
            )
            for message in sorted({msg for k, _s, _m, msg in results if k in ("deadlock", "error")})[:5]:
                print(f"  {message}")
        rows.append((mode, len(results), len(posted) / wall, latencies, counts, deadlocks, wall))

    entries = WalletTransaction.objects.count()
    began = time.perf_counter()
    found = ledger_check()
    checked = time.perf_counter() - began
    if found:
        problems.append(f"check_ledger found {len(found)} problems")

    print()
    print(f"GoGoMoney ledger, {args.operations:,} postings per mode on {args.workers} threads; database {name}")
    print(f"{'mode':<18}  {'postings':>8}  {'posted/s':>8}  {'p50 ms':>7}  {'p95 ms':>7}  {'p99 ms':>7}  "
          f"{'not enough':>10}  {'deadlocks':>9}  {'errors':>6}  {'wall s':>6}")  # fmt: skip
    for mode, n, rate, latencies, counts, deadlocks, wall in rows:
        print(
            f"{mode:<18}  {n:>8}  {rate:>8.1f}  {percentile(latencies, 0.50):>7}  {percentile(latencies, 0.95):>7}  "
            f"{percentile(latencies, 0.99):>7}  {counts.get('not enough money', 0):>10}  "
            f"{counts.get('deadlock', 0) + deadlocks:>9}  {counts.get('error', 0):>6}  {wall:>6.2f}"
        )
    print()
    print(f"check_ledger over {entries:,} wallet movements: {checked * 1000:.0f} ms, {len(found)} problems")
    print("OK: the books add up, no deadlock" if not problems else "FAILED: " + "; ".join(problems))
    return 0 if not problems else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        die("interrupted")
