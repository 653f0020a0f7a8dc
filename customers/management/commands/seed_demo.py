"""``manage.py seed_demo``: realistic demo customers, items and sales history, plus one user per role."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from syncportal.demo.ledger import history_share
from syncportal.demo.load import existing_records, flush_domain_data, seed_demo_data
from syncportal.demo.users import ensure_demo_users


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--as-of: {value!r} is not a date like 2025-06-30.") from exc


class Command(BaseCommand):
    help = (
        "Fill an empty database with realistic demo data: customer types, customers (businesses, "
        "tax-exempt customers, account customers with credit limits, sub-customers, near-duplicates "
        "for the duplicate finder), items, tax codes and about 2 sales per customer (cash sales, "
        "account charges, partial, split and over-payments, refunds, store credit); above 10,000 "
        "customers only 1 in 4 of the extra customers gets a history, so 100,000 stay quick. "
        "Also creates the demo users admin, manager, bookkeeper and staff (password "
        "'<username>-demo-pass'), one per role. Writes no outbox rows: demo data is local history, "
        "not changes to push; when a QuickBooks company is connected, the sync engine's initial "
        "export sends existing records. With data present it does nothing unless --flush is given. "
        "Refuses to run with production settings."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--customers",
            type=int,
            default=1000,
            metavar="N",
            help="How many customers to create, sub-customers and duplicates included (default 1000).",
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=42,
            metavar="S",
            help="Random seed: the same seed and --as-of give the same data (default 42).",
        )
        parser.add_argument(
            "--flush",
            action="store_true",
            help="First delete all customers, sales, items, tax codes and customer types "
            "(and outbox rows about them). Users are kept.",
        )
        parser.add_argument(
            "--as-of",
            type=_date,
            default=None,
            metavar="YYYY-MM-DD",
            help="The demo's 'today': sales fall in the 18 months before it (default: today).",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=5000,
            metavar="B",
            help="Customers written per transaction (default 5000).",
        )

    def handle(self, *args, **options) -> None:
        if getattr(settings, "SETTINGS_MODULE", "").endswith(".production"):
            raise CommandError(
                "seed_demo creates users with published passwords: never with production settings."
            )
        customers, batch_size = options["customers"], options["batch_size"]
        if customers < 1 or batch_size < 1:
            raise CommandError("--customers and --batch-size must be at least 1.")

        users = ensure_demo_users()
        existing = existing_records()
        if existing and not options["flush"]:
            self.stdout.write(
                self.style.WARNING(
                    "Data already exists ("
                    + ", ".join(f"{n:,} {what}" for what, n in existing.items())
                    + "): nothing created. "
                    "Run with --flush to replace it with demo data."
                )
            )
        else:
            if options["flush"]:
                deleted = flush_domain_data()
                self.stdout.write(f"Flushed {sum(deleted.values()):,} rows.")
            as_of = options["as_of"] or timezone.localdate()
            share = history_share(customers)
            self.stdout.write(
                f"Creating {customers:,} customers as of {as_of} (seed {options['seed']}; "
                f"{share:.0%} of customers get a sales history)…"
            )
            counts = seed_demo_data(
                customers=customers,
                seed=options["seed"],
                as_of=as_of,
                batch_size=batch_size,
                progress=self.stdout.write,
            )
            self.stdout.write(
                self.style.SUCCESS(
                    "Created " + ", ".join(f"{n:,} {what}" for what, n in counts.items()) + "."
                )
            )
        self.stdout.write("Demo users (sign in at /admin/):")
        for user in users:
            password = user.password if user.created else "(existed already: password unchanged)"
            self.stdout.write(f"  {user.role:<11} {user.username:<11} {password}")
