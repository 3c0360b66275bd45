from django.core.management.base import BaseCommand
from django.utils import timezone

from wagtail_atelier.services.retention import apply_retention


class Command(BaseCommand):
    help = (
        "Remove the personal data that are due: workshops ended "
        "WAGTAIL_ATELIER_RETENTION_MONTHS ago (registrations anonymised, mails, "
        "feedback, table plans and harvests deleted; counts kept) and host requests "
        "closed WAGTAIL_ATELIER_HOST_REQUEST_RETENTION_MONTHS ago. Idempotent: run "
        "it daily from cron. --dry-run prints what would go and changes nothing. "
        "The output names no person."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be removed, without removing anything.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        report = apply_retention(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing is changed.")
        if not report.changed:
            self.stdout.write("Nothing to remove.")
            return
        for workshop in report.workshops:
            ended = (
                timezone.localtime(workshop.ended_at).date().isoformat()
                if workshop.ended_at
                else "?"
            )
            if workshop.title:
                name = f"Workshop “{workshop.title}” (ended {ended})"
            else:
                name = (
                    f"Workshop {workshop.workshop_key} (pages deleted, "
                    f"last change {ended})"
                )
            counts = ", ".join(
                f"{count} {label.replace('_', ' ')}"
                for label, count in workshop.counts().items()
                if count
            )
            self.stdout.write(f"{name}: {counts}")
        for host_request in report.host_requests:
            self.stdout.write(
                f"Host request {host_request.id} (closed {host_request.age_days} "
                f"days ago): anonymised, {host_request.mails_deleted} mails deleted"
            )
        totals = report.totals()
        verb = "would be" if dry_run else "were"
        self.stdout.write(
            f"{totals['workshops']} workshop(s) and "
            f"{totals['host_requests_anonymised']} host request(s) {verb} cleared."
        )
