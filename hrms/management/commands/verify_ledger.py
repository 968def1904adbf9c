import sys

from django.core.management.base import BaseCommand

from hrms.ledger import record_checkpoint, verify_chain


class Command(BaseCommand):
    help = (
        "Recompute the audit ledger's hash chain. Exit 0 when intact; exit 1 "
        "naming the first broken entry."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=5000,
            help="Entries fetched from the database per round trip.",
        )

    def handle(self, *args, **options):
        # The output lines are a contract (DESIGN.md §4.2), so they stay untranslated.
        result = verify_chain(chunk_size=options["chunk_size"])
        if result.ok:
            record_checkpoint(result)  # the red-flag screen starts from here
            self.stdout.write(f"ledger intact: {result.count} entries")
            return
        self.stderr.write(
            f"ledger broken at entry #{result.broken_seq}: {result.reason}"
        )
        sys.exit(1)
