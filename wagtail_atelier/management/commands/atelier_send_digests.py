from django.core.management.base import BaseCommand

from wagtail_atelier.services.notifications import send_due_digests


class Command(BaseCommand):
    help = (
        "Queue the digest of registrations to the contact of each upcoming workshop "
        "that has changes since its last digest, for the sites that chose digests "
        "(the default). A workshop gets one digest per WAGTAIL_ATELIER_DIGEST_HOURS "
        "hours at most, however often this runs. Run it hourly from cron."
    )

    def handle(self, *args, **options):
        count = send_due_digests()
        self.stdout.write(f"{count} digest(s) queued")
