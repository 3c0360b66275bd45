from django.core.management.base import BaseCommand

from wagtail_atelier.services.network import refresh_network_feeds


class Command(BaseCommand):
    help = (
        "Fetch the other sites' JSON feeds of workshops named in "
        "WAGTAIL_ATELIER_NETWORK_FEEDS and keep them for "
        "{% atelier_network_workshops %}; a feed that fails keeps its last good "
        "copy. Run it every 15 minutes or so from cron."
    )

    def handle(self, *args, **options):
        feeds = refresh_network_feeds()
        for feed in feeds:
            if feed.last_error:
                self.stderr.write(f"{feed.url}: {feed.last_error}")
            else:
                count = len((feed.data or {}).get("workshops", []))
                self.stdout.write(f"{feed.url}: {count} workshop(s)")
        if not feeds:
            self.stdout.write("No feed configured (WAGTAIL_ATELIER_NETWORK_FEEDS)")
