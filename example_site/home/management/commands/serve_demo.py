"""Serve the demo on the address of the settings, after saying where everything is.

``make demo`` and ``make serve`` end with this command. The port comes from
``DEMO_PORT`` (settings/dev.py), never from the command line, so the Site record,
the links in mails and the URLs printed here are the address actually served.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from wagtail.models import Site

from home.demo_site import base_url, demo_address, sync_default_site
from home.management.commands.ensure_demo_admin import PASSWORD, USERNAME

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


class Command(BaseCommand):
    help = (
        "Move the default site to the demo's address (DEMO_PORT), print the "
        "public and admin URLs, the login and where mails go, then run the "
        "development server there (static files served with DEBUG off too)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--banner-only",
            action="store_true",
            help="Print the banner and exit without serving.",
        )

    def handle(self, *args, banner_only=False, **options):
        site = sync_default_site()
        if site is not None:
            self.stdout.write(f"Default site moved to {site.root_url}.")
        self.stdout.write(self.banner())
        if banner_only:
            return
        hostname, port = demo_address()
        call_command(
            "runserver",
            f"{hostname}:{port}",
            # Without DEBUG, runserver serves static files only when told to.
            insecure_serving=True,
            use_reloader=options.get("verbosity", 1) > 1 or settings.DEBUG,
        )

    def public_urls(self) -> list[str]:
        site = Site.objects.filter(is_default_site=True).first()
        if site is None:
            return [f"{base_url()}/"]
        urls = []
        for page in site.root_page.specific.get_translations(inclusive=True):
            url = page.get_full_url()
            if url and page.live:
                urls.append(url)
        return sorted(urls) or [f"{base_url()}/"]

    @staticmethod
    def mails_url() -> str:
        from wagtail_atelier import links

        return links.admin_mails_url(absolute=True) or f"{base_url()}/admin/"

    def banner(self) -> str:
        mails = (
            "printed in this terminal, and listed in the admin under "
            "Practice workshops → Mails"
            if settings.EMAIL_BACKEND == CONSOLE_BACKEND
            else f"sent with {settings.EMAIL_BACKEND}; listed in the admin under "
            "Practice workshops → Mails"
        )
        debug = (
            "on"
            if settings.DEBUG
            else "off (the site's own 404 page; DJANGO_DEBUG=1 make demo to turn it on)"
        )
        rule = "=" * 72
        lines = [
            "",
            rule,
            "  wagtail-atelier demo",
            "",
            *(f"  Site:   {url}" for url in self.public_urls()),
            f"  Admin:  {base_url()}/admin/",
            f"  Login:  {USERNAME} / {PASSWORD}",
            f"  Mails:  {mails}",
            f"          ({self.mails_url()})",
            f"  DEBUG:  {debug}",
            "  Stop:   Ctrl+C",
            rule,
            "",
        ]
        return self.style.SUCCESS("\n".join(lines))
