"""``manage.py seed_demo``: load the demo marketplace (see the demo app)."""

from django.core.management.base import BaseCommand, CommandError

from demo import data
from demo.builder import seed_demo


class Command(BaseCommand):
    help = (
        "Fill the database with a demo Tashkent marketplace: categories, sellers, products with pictures, "
        "buyers, couriers, staff, delivery zones and settings. Safe to run again: existing rows are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(data.SIZES), default="small", help="how much data (default small)")
        parser.add_argument("--products", type=int, help="number of products (overrides the size's count)")
        parser.add_argument("--no-images", action="store_true", help="do not draw product pictures (faster)")
        parser.add_argument(
            "--seed",
            type=int,
            default=data.DEFAULT_SEED,
            help="random seed (default %(default)s); rows that already exist are kept as they are",
        )
        parser.add_argument(
            "--all-passwords",
            action="store_true",
            help="let every generated seller, buyer and courier sign in with the demo password too (slower)",
        )

    def handle(self, *args, **options):
        if options["products"] is not None and options["products"] < 0:
            raise CommandError("--products must be 0 or more")
        counts = data.SIZES[options["size"]]
        products = counts.products if options["products"] is None else options["products"]
        self.stdout.write(
            f"Seeding demo data: size {options['size']}, {products} products, "
            f"{'no pictures' if options['no_images'] else 'with pictures'}, seed {options['seed']}"
        )
        report = seed_demo(
            size=options["size"],
            products=options["products"],
            images=not options["no_images"],
            seed=options["seed"],
            all_passwords=options["all_passwords"],
            log=self.stdout.write,
        )
        self.stdout.write("Summary:")
        for line in report.lines():
            self.stdout.write(line)
        created = sum(report.created.values())
        verdict = f"{created} rows created" if created else "nothing to do: the demo data is already there"
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {report.seconds:.1f} s ({verdict})."))
        self.stdout.write(f"Demo logins (password {data.DEMO_PASSWORD}): manage.py demo_logins")
