"""Fill the site with demo content (pages and testimonials) in de/fr/it, and
fictional registrations with a table plan for one upcoming workshop, and another
upcoming workshop full, with a waiting list.

Idempotent: pages are found again by fixed translation keys; what exists is left as
it is (an editor may have changed it), only what is missing is created. Every
translation is a wagtail-localize translation, editable in the translation editor.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.models import Locale, Page, Site

from home.demo_change_notices import notify_room_change
from home.demo_content import (
    LANGUAGES,
    TESTIMONIALS,
    TIME_ZONE,
    WORKSHOPS,
    DemoTestimonial,
    demo_key,
    home_fields,
    host_request_fields,
    index_fields,
)
from home.demo_messages import send_demo_message
from home.demo_networking import NETWORKING_WORKSHOP_KEY, ensure_networking_list
from home.demo_people import (
    PEOPLE,
    PRIVACY_NOTICE_VERSION,
    TABLE_PLAN,
    WORKSHOP_KEY,
)
from home.demo_site import demo_address, sync_default_site
from home.demo_waiting_list import FULL_WORKSHOP_KEY, register_full_workshop
from home.localize import translate_page
from home.models import HomePage
from wagtail_atelier.models import (
    HostRequestPage,
    Registration,
    TablePlan,
    Testimonial,
    WorkshopIndexPage,
    WorkshopPage,
)
from wagtail_atelier.services import table_plan


class Command(BaseCommand):
    help = (
        "Create the demo content: locales de/fr/it, a home page as the default "
        "site's root, the workshop index and past and upcoming workshops, each "
        "translated into the other two languages with wagtail-localize, and "
        "fictional registrations with a table plan for one upcoming workshop, "
        "and another one full with a waiting list. "
        "Running it again creates only what is missing and changes nothing that "
        "exists."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        self.created = 0
        self.existing = 0
        self.today = timezone.localdate(timezone=TIME_ZONE)

        self.locales = {code: self.ensure_locale(code) for code in LANGUAGES}
        # Before the home page, whose body shows two of them by reference.
        self.testimonial_pks = {
            testimonial.key: self.ensure_testimonial(testimonial).pk
            for testimonial in TESTIMONIALS
        }
        home = self.ensure_home()
        index = self.ensure_index(home)
        workshops = {
            workshop.key: self.ensure_workshop(index, workshop)
            for workshop in WORKSHOPS
        }
        self.ensure_host_request_page(home)
        self.ensure_registrations(workshops[WORKSHOP_KEY])
        self.ensure_table_plan(workshops[WORKSHOP_KEY])
        self.ensure_message(workshops[WORKSHOP_KEY])
        self.ensure_full_workshop(workshops[FULL_WORKSHOP_KEY])
        self.ensure_networking_list(workshops[NETWORKING_WORKSHOP_KEY])
        notice = notify_room_change(workshops[FULL_WORKSHOP_KEY])
        if notice is not None:
            self.stdout.write(
                f"  {self.style.SUCCESS('created')}  change notice to "
                f"{notice.recipients} registrant(s) of the full workshop"
            )
        moved = sync_default_site()
        if moved is not None:
            self.stdout.write(f"  updated  default site now at {moved.root_url}")

        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content: {self.created} page(s) or testimonial(s) created, "
                f"{self.existing} "
                f"already there ({elapsed:.1f} s)."
            )
        )

    # -- reporting ------------------------------------------------------------------

    def report(self, page: Page, created: bool) -> None:
        if created:
            self.created += 1
            status = self.style.SUCCESS("created")
        else:
            self.existing += 1
            status = "exists "
        url = page.get_url() or ""
        self.stdout.write(
            f"  {status}  {page.locale.language_code}  {page.title}  {url}".rstrip()
        )

    def report_testimonial(self, testimonial: Testimonial, created: bool) -> None:
        if created:
            self.created += 1
            status = self.style.SUCCESS("created")
        else:
            self.existing += 1
            status = "exists "
        self.stdout.write(
            f"  {status}  {testimonial.locale.language_code}  testimonial {testimonial}"
        )

    # -- locales and site -----------------------------------------------------------

    def ensure_locale(self, code: str) -> Locale:
        locale, created = Locale.objects.get_or_create(language_code=code)
        if created:
            self.stdout.write(f"  {self.style.SUCCESS('created')}  locale {code}")
        return locale

    def ensure_home(self) -> HomePage:
        german = self.locales["de"]
        key = demo_key("home")
        home = HomePage.objects.filter(translation_key=key, locale=german).first()
        created = home is None
        if created:
            self.check_site_root_is_replaceable()
            with transaction.atomic():
                home = HomePage(
                    translation_key=key, locale=german, **self.home_fields("de")
                )
                Page.get_first_root_node().add_child(instance=home)
                home.save_revision().publish()
        self.use_as_site_root(home)
        self.report(home, created)
        self.ensure_translations(home, self.home_fields)
        return home

    def home_fields(self, language: str) -> dict:
        return home_fields(language, self.testimonial_pks)

    @staticmethod
    def is_welcome_page(page: Page) -> bool:
        """Wagtail's "Welcome to your new Wagtail site!" page of a new project."""
        return (
            page.specific_class is Page
            and page.depth == 2
            and not page.get_children().exists()
        )

    def check_site_root_is_replaceable(self) -> None:
        site = Site.objects.filter(is_default_site=True).first()
        if site is not None and not self.is_welcome_page(site.root_page):
            raise CommandError(
                f"The default site starts at {site.root_page.title!r}, which is not "
                "the empty welcome page of a new Wagtail project: load_demo only "
                "fills a new site and leaves this one alone."
            )

    def use_as_site_root(self, home: HomePage) -> None:
        """Point the default site at the demo home page, replacing Wagtail's
        "Welcome to your new Wagtail site!" page, but never a page with content."""
        site = Site.objects.filter(is_default_site=True).first()
        hostname, port = demo_address()
        if site is None:
            Site.objects.create(
                hostname=hostname,
                port=port,
                root_page=home,
                is_default_site=True,
                site_name="Caring Communities",
            )
            self.stdout.write(f"  {self.style.SUCCESS('created')}  default site")
            return
        if not site.site_name:
            site.site_name = "Caring Communities"
            site.save(update_fields=["site_name"])
        if site.root_page_id == home.pk:
            return
        old_root = site.root_page
        if not self.is_welcome_page(old_root):
            # Someone pointed the site elsewhere since the last run: their choice.
            self.stdout.write(
                self.style.WARNING(
                    f"  kept     default site starts at {old_root.title!r}, not at "
                    "the demo home page"
                )
            )
            return
        with transaction.atomic():
            site.root_page = home
            # A new site: make full URLs (mails, calendar files, structured data)
            # point at the development server (DEMO_PORT, settings/dev.py).
            site.hostname = hostname
            site.port = port
            site.save(update_fields=["root_page", "hostname", "port"])
            if not Site.objects.filter(root_page=old_root).exists():
                title = old_root.title
                old_root.delete()
                self.stdout.write(f"  deleted  Wagtail's default page {title!r}")
        self.stdout.write(
            f"  updated  default site {site.root_url} now starts at {home.title!r}"
        )

    # -- pages ----------------------------------------------------------------------

    def ensure_translations(self, source_page: Page, fields_for, overrides=None):
        """Translate ``source_page`` with wagtail-localize into the locales that do
        not have it yet; existing translations are left untouched."""
        source_language = source_page.locale.language_code
        for code, locale in self.locales.items():
            if code == source_language:
                continue
            translated = source_page.get_translation_or_none(locale)
            if translated is None:
                # Atomic on its own: published when it returns.
                translated = translate_page(
                    source_page,
                    locale,
                    fields_for(code),
                    overrides=(overrides or {}).get(code),
                )
                translated.refresh_from_db()
                self.report(translated, created=True)
            else:
                self.report(translated, created=False)

    def ensure_index(self, home: HomePage) -> WorkshopIndexPage:
        return self.ensure_section(
            home, WorkshopIndexPage, "workshop-index", index_fields
        )

    def ensure_section(self, home: HomePage, model, name: str, fields_for):
        """A page of ``model`` below the home page, written in German and translated
        into French and Italian with ``fields_for(language_code)``."""
        german = self.locales["de"]
        key = demo_key(name)
        page = model.objects.filter(translation_key=key, locale=german).first()
        created = page is None
        if created:
            with transaction.atomic():
                page = model(
                    translation_key=key,
                    locale=german,
                    show_in_menus=True,
                    **fields_for("de"),
                )
                home.add_child(instance=page)
                page.save_revision().publish()
        self.report(page, created)
        self.ensure_translations(page, fields_for)
        return page

    def ensure_workshop(self, index: WorkshopIndexPage, workshop) -> WorkshopPage:
        language = workshop.source_language
        locale = self.locales[language]
        key = demo_key(f"workshop/{workshop.key}")
        page = WorkshopPage.objects.filter(translation_key=key, locale=locale).first()
        created = page is None
        schedule = workshop.schedule(self.today)
        if created:
            parent = index.get_translation(locale)
            with transaction.atomic():
                page = WorkshopPage(
                    translation_key=key,
                    locale=locale,
                    **workshop.facts(),
                    **schedule,
                    **workshop.fields(language, schedule["start_at"]),
                )
                parent.add_child(instance=page)
                page.save_revision().publish()
        self.report(page, created)
        start_at = page.start_at
        overrides = {
            code: {"town": town} for code, town in workshop.town_translations.items()
        }
        self.ensure_translations(
            page,
            lambda code: workshop.fields(code, start_at),
            overrides=overrides,
        )
        return page

    def ensure_host_request_page(self, home: HomePage) -> HostRequestPage:
        return self.ensure_section(
            home, HostRequestPage, "host-request", host_request_fields
        )

    # -- testimonials ---------------------------------------------------------------

    def ensure_testimonial(self, demo: DemoTestimonial) -> Testimonial:
        """The original, then a translation per language: a copy with the same
        translation key, its quote and role description translated, published."""
        key = demo_key(f"testimonial/{demo.key}")
        source_locale = self.locales[demo.source_language]
        source = Testimonial.objects.filter(
            translation_key=key, locale=source_locale
        ).first()
        created = source is None
        if created:
            with transaction.atomic():
                source = Testimonial(
                    translation_key=key,
                    locale=source_locale,
                    role=demo.role,
                    naming=demo.naming,
                    consent_given_at=timezone.now(),
                    consent_method=demo.consent_method,
                    consent_text_version=demo.consent_text_version,
                    **demo.texts[demo.source_language],
                )
                source.save()
                source.save_revision().publish()
        self.report_testimonial(source, created)
        for code, texts in demo.texts.items():
            if code == demo.source_language:
                continue
            locale = self.locales[code]
            translated = source.get_translation_or_none(locale)
            created = translated is None
            if created:
                with transaction.atomic():
                    translated = source.copy_for_translation(locale)
                    for name, value in texts.items():
                        setattr(translated, name, value)
                    translated.save()
                    translated.save_revision().publish()
            self.report_testimonial(translated, created)
        return source

    # -- registrations and table plan -------------------------------------------------

    def ensure_registrations(self, workshop: WorkshopPage) -> None:
        """Confirmed registrations of the fictional people, made directly (no form,
        no mail), found again by workshop and e-mail address."""
        created = 0
        with transaction.atomic():
            for person in PEOPLE:
                _registration, new = Registration.objects.get_or_create(
                    workshop_key=workshop.translation_key,
                    email=person.email,
                    defaults={
                        "page": workshop,
                        "language": workshop.locale.language_code,
                        "role": person.role,
                        "status": "confirmed",
                        "first_name": person.first_name,
                        "last_name": person.last_name,
                        "organisation": person.organisation,
                        "town": person.town,
                        "canton": person.canton,
                        "languages": list(person.languages),
                        "case_description": person.case_description,
                        "privacy_consent_at": timezone.now(),
                        "privacy_notice_version": PRIVACY_NOTICE_VERSION,
                    },
                )
                created += new
        existing = len(PEOPLE) - created
        language = workshop.locale.language_code
        if created:
            already = f" ({existing} already there)" if existing else ""
            self.stdout.write(
                f"  {self.style.SUCCESS('created')}  {language}  {created} "
                f"registration(s) for {workshop.title}{already}"
            )
        else:
            self.stdout.write(
                f"  exists   {language}  {existing} registration(s) for "
                f"{workshop.title}"
            )

    def ensure_message(self, workshop: WorkshopPage) -> None:
        """A message from the coordinators to the confirmed people (demo_messages)."""
        language = workshop.locale.language_code
        sent, message = send_demo_message(workshop)
        if sent:
            self.stdout.write(
                f"  {self.style.SUCCESS('created')}  {language}  message to "
                f"{message.recipient_count} confirmed people of {workshop.title}"
            )
        else:
            self.stdout.write(f"  exists   {language}  message to {workshop.title}")

    def ensure_full_workshop(self, workshop: WorkshopPage) -> None:
        """Registrations through the package's own service until every place is
        taken, then a few more on the waiting list (their mails are stored, and
        listed under Mails, but not printed)."""
        language = workshop.locale.language_code
        demo = next(w for w in WORKSHOPS if w.key == FULL_WORKSHOP_KEY)
        places = (demo.case_presenter_capacity, demo.participant_capacity)
        if (workshop.case_presenter_capacity, workshop.participant_capacity) != places:
            # Loaded by an older demo, or changed by an editor: not filled up.
            self.stdout.write(
                self.style.WARNING(
                    f"  kept     {language}  {workshop.title} has other capacities "
                    "than the demo's; `make demo-reset` for a full workshop"
                )
            )
            return
        created, confirmed, waiting = register_full_workshop(workshop)
        counts = f"{confirmed} confirmed, {waiting} on the waiting list"
        if created:
            self.stdout.write(
                f"  {self.style.SUCCESS('created')}  {language}  {created} "
                f"registration(s) for {workshop.title}: full, {counts}"
            )
        else:
            self.stdout.write(
                f"  exists   {language}  registrations for {workshop.title}: {counts}"
            )

    def ensure_networking_list(self, workshop: WorkshopPage) -> None:
        """Attendees of a past workshop and the networking list mailed to them."""
        created, mails = ensure_networking_list(workshop)
        status = self.style.SUCCESS("created") if created else "exists "
        self.stdout.write(
            f"  {status}  {workshop.locale.language_code}  networking list of "
            f"{workshop.title}: sent to {mails} people"
        )

    def ensure_table_plan(self, workshop: WorkshopPage) -> None:
        """A table plan for the workshop, unless it has one (perhaps changed by an
        editor since)."""
        plan = TablePlan.objects.filter(workshop_key=workshop.translation_key).first()
        created = plan is None
        if created:
            plan = table_plan.generate(workshop, **TABLE_PLAN)
            status = self.style.SUCCESS("created")
        else:
            status = "exists "
        outcome = "keeps every rule" if plan.feasible else "breaks some rules"
        self.stdout.write(
            f"  {status}  {workshop.locale.language_code}  table plan for "
            f"{workshop.title}: {plan.rounds} rounds, {outcome}"
        )
