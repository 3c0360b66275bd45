from django.core.management.base import BaseCommand

from wagtail_atelier.services.mail import deliver_due


class Command(BaseCommand):
    help = (
        "Send stored mails that are due: new ones not yet sent and failed ones whose "
        "backoff has passed. Run it every few minutes from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=200)

    def handle(self, *args, limit, **options):
        outcome = deliver_due(limit=limit)
        self.stdout.write(
            f"sent {outcome['sent']}, failed {outcome['failed']}, "
            f"skipped {outcome['skipped']}"
        )
