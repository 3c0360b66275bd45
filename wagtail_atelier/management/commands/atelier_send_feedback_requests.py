from django.core.management.base import BaseCommand

from wagtail_atelier.services.feedback import send_due_feedback_requests


class Command(BaseCommand):
    help = (
        "Queue the feedback mail of the people marked as attended, "
        "WAGTAIL_ATELIER_FEEDBACK_DAYS days after their workshop ended. Each "
        "registration gets one, however often this runs. Run it daily from cron."
    )

    def handle(self, *args, **options):
        count = send_due_feedback_requests()
        self.stdout.write(f"{count} feedback request(s) queued")
