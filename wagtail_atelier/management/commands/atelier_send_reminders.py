from django.core.management.base import BaseCommand

from wagtail_atelier.services.registration import send_due_reminders


class Command(BaseCommand):
    help = (
        "Queue the reminder mail of confirmed registrations whose workshop starts "
        "within WAGTAIL_ATELIER_REMINDER_DAYS days. Each registration gets one "
        "reminder, however often this runs. Run it hourly from cron."
    )

    def handle(self, *args, **options):
        count = send_due_reminders()
        self.stdout.write(f"{count} reminder(s) queued")
