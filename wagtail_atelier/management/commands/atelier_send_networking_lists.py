from django.core.management.base import BaseCommand

from wagtail_atelier.services.networking import send_due_networking_lists


class Command(BaseCommand):
    help = (
        "Mail the networking list of each workshop that ended "
        "WAGTAIL_ATELIER_NETWORKING_LIST_DELAY ago and is not held back: each "
        "attendee who agreed to share their contact gets the others who agreed, in "
        "their language. Each list goes once, however often this runs. Run it "
        "hourly or daily from cron."
    )

    def handle(self, *args, **options):
        count = send_due_networking_lists()
        self.stdout.write(f"{count} networking list mail(s) queued")
