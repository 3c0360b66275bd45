"""The example site, run the way `make demo` runs it: migrate, load the demo twice
(pages, testimonials, the registrations and table plan of one workshop, another
workshop full with a waiting list), on a port other than 8000 and then on another.

Runs in subprocesses against a throwaway SQLite file, because the example site is a
separate Django project with its own settings and apps. Starting the site costs
seconds, so each run of `make demo` is one process: migrate, the admin account, the
demo content and the look at the result in the first; the same again (but the
migrations) in the second, which shows that a fresh process loading the demo again
adds nothing.
"""

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "example_site" / "manage.py"

# The commands of `make demo`, in the process that then inspects the result. The
# migrations run with the system checks, as `manage.py migrate` runs them.
FIRST_RUN = r"""
import io
from django.core.management import call_command

call_command("migrate", interactive=False, skip_checks=False, verbosity=0)
admin_output = io.StringIO()
call_command("ensure_demo_admin", stdout=admin_output)
call_command("load_demo")
"""
SECOND_RUN = r"""
import io
from django.core.management import call_command

call_command("load_demo")
admin_output = io.StringIO()
call_command("ensure_demo_admin", stdout=admin_output)
banner_output = io.StringIO()
call_command("serve_demo", banner_only=True, stdout=banner_output)

# An editor takes one testimonial offline in every language (as a withdrawal does).
from home.demo_content import demo_key as _demo_key
from wagtail_atelier.models import Testimonial as _Testimonial

offline_key = _demo_key("testimonial/bubble")
for _testimonial in _Testimonial.objects.filter(translation_key=offline_key):
    _testimonial.unpublish()
"""
INSPECT = r"""
import json
from django.test import Client
from wagtail.models import Page
from wagtail_atelier.models import Registration, TablePlan, WorkshopPage
from django.utils import timezone
from django.contrib.auth import get_user_model
from wagtail.models import Site
from wagtail_atelier.models import OutgoingMail as Mail, Testimonial
from wagtail_atelier.services import registration as registration_service
from home.demo_content import demo_key
from home.demo_people import WORKSHOP_KEY
from home.demo_waiting_list import APPLICANTS, FULL_WORKSHOP_KEY
from home.demo_networking import ATTENDEES, NETWORKING_WORKSHOP_KEY

workshops = WorkshopPage.objects.live().select_related("locale")
by_key = {}
for w in workshops:
    by_key.setdefault(str(w.translation_key), set()).add(w.locale.language_code)
suhr_fr = workshops.filter(locale__language_code="fr", town__in=["Suhr"]).first()
site = Site.objects.get(is_default_site=True)
client = Client(HTTP_HOST=f"{site.hostname}:{site.port}")
pages = {}
for w in workshops:
    response = client.get(w.url)
    leaked = "DEMO-NOT-PUBLIC" in response.content.decode()
    pages[w.url] = [response.status_code, leaked]
now = timezone.now()
keys = "translation_key"
french_suhr = client.get(suhr_fr.url).content.decode() if suhr_fr else ""
demo_workshop = demo_key(f"workshop/{WORKSHOP_KEY}")
demo_registrations = Registration.objects.filter(workshop_key=demo_workshop)
demo_plan = TablePlan.objects.filter(workshop_key=demo_workshop).first()
full_key = demo_key(f"workshop/{FULL_WORKSHOP_KEY}")
full = WorkshopPage.objects.filter(translation_key=full_key, locale__language_code="fr")
full = full.first()
full_seats = registration_service.seats(full)
full_registrations = Registration.objects.filter(workshop_key=full_key)
full_page = client.get(full.url).content.decode()
home_pages = {
    code: client.get(f"/{code}/").content.decode() for code in ("de", "fr", "it")
}
quotes = {
    t.locale.language_code + "/" + str(t.translation_key): t.quote
    for t in Testimonial.objects.filter(live=True).select_related("locale")
}
admin_user = get_user_model().objects.get(username="admin")
waiting_mail = Mail.objects.filter(kind="waiting_list").first()
from wagtail_atelier.models import Message
demo_messages = [
    [
        str(m.workshop_key),
        m.recipient_count,
        sorted(set(m.mails.values_list("status", flat=True))),
        m.mails.filter(kind="message").count(),
        sorted(m.mails.values_list("registration__email", flat=True)),
    ]
    for m in Message.objects.all()
]
# As sent (load_demo keeps them out of the terminal): the link is in there.
from django.core import mail as sent_mail
outbox = getattr(sent_mail, "outbox", [])
# The coordinators' message (demo_messages) apart from the registrations' mails.
demo_subject = "bitte bringt eure Fragen mit"
sent_bodies = [m.body for m in outbox if demo_subject not in m.subject]
message_bodies = [m.body for m in outbox if demo_subject in m.subject]
not_found = client.get("/fr/page-qui-n-existe-pas/")
networking_key = demo_key(f"workshop/{NETWORKING_WORKSHOP_KEY}")
networking_mails = Mail.objects.filter(
    kind="networking_list", workshop_key=networking_key
)
print(json.dumps({
    "admin_output": admin_output.getvalue(),
    "pages": Page.objects.count(),
    "workshops": len(by_key),
    "languages": sorted(sorted(v) for v in by_key.values())[0] if by_key else [],
    "all_in_three": all(v == {"de", "fr", "it"} for v in by_key.values()),
    "formats": sorted(set(workshops.values_list("format", flat=True))),
    "workshop_languages": sorted(
        set(workshops.values_list("workshop_language", flat=True))
    ),
    "towns": sorted(set(workshops.exclude(town="").values_list("town", flat=True))),
    "past": workshops.filter(end_at__lt=now).values(keys).distinct().count(),
    "upcoming": workshops.filter(end_at__gte=now).values(keys).distinct().count(),
    "suhr_fr_note": "(en allemand)" in french_suhr,
    "pages_status": pages,
    "registrations": Registration.objects.count(),
    "demo_confirmed": {
        role: demo_registrations.filter(status="confirmed", role=role).count()
        for role in ("case_presenter", "participant")
    },
    "demo_workshop_upcoming": workshops.filter(
        translation_key=demo_workshop, start_at__gt=now, workshop_language="de"
    ).exists(),
    "table_plans": TablePlan.objects.count(),
    "banner_output": globals().get("banner_output") and banner_output.getvalue(),
    "site": [site.hostname, site.port],
    "admin_name": [admin_user.first_name, admin_user.last_name],
    "full_language": full.workshop_language,
    "full_seats": {
        role: [s.capacity, s.confirmed, s.waiting, s.is_full]
        for role, s in full_seats.items()
    },
    "full_names": sorted(full_registrations.values_list("last_name", flat=True)),
    "applicant_names": sorted(applicant.last_name for applicant in APPLICANTS),
    "full_languages": sorted(
        set(full_registrations.values_list("language", flat=True))
    ),
    "full_page_says_full": full_page.count("complet, liste d’attente ouverte"),
    "waiting_mail": waiting_mail and waiting_mail.to,
    "demo_messages": demo_messages,
    "demo_confirmed_emails": sorted(
        demo_registrations.filter(status="confirmed").values_list("email", flat=True)
    ),
    "sent_bodies": sent_bodies,
    "networking_attendees": len(ATTENDEES),
    "networking_mails": sorted(
        [m.language, m.status, m.to[0], "Gloor" in m.body_text]
        for m in networking_mails
    ),
    "message_bodies": message_bodies,
    "change_notices": [
        [m.language, m.subject, m.body_text, m.attachments[0]["content"]]
        for m in Mail.objects.filter(kind="change_notice").order_by("pk")
    ],
    "home_pages": home_pages,
    "quotes": quotes,
    "not_found": [not_found.status_code, not_found.content.decode()],
    "demo_plan": demo_plan and {
        "pk": demo_plan.pk,
        "revision": demo_plan.revision,
        "rounds": demo_plan.rounds,
        "feasible": demo_plan.feasible,
    },
}))
"""


def manage(*args, env):
    return subprocess.run(  # noqa: S603
        [sys.executable, str(MANAGE), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )


def run_and_inspect(commands: str, env, port: int) -> dict:
    """Run ``commands`` and then ``INSPECT`` in one process of the example site,
    served (as far as its settings know) on ``port``."""
    env = {**env, "DEMO_PORT": str(port)}
    out = manage("shell", "-c", commands + INSPECT, env=env).stdout
    # The last line: anything the site prints before (console mails...) is not JSON.
    return json.loads(out.splitlines()[-1])


@pytest.fixture(scope="module")
def loaded_demo(tmp_path_factory):
    """The demo loaded once on port 8123, then again on port 8124 (as `make demo
    PORT=8124` on the same database), inspected after each run."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("the example site test runs in the SQLite pass only")
    tmp_path = tmp_path_factory.mktemp("demo")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    first = run_and_inspect(FIRST_RUN, env, port=8123)
    second = run_and_inspect(SECOND_RUN, env, port=8124)
    return first, second


def test_demo_loads_twice_without_duplicates_in_three_languages(loaded_demo):
    """What `make demo` does, twice, each time in a fresh process."""
    first, second = loaded_demo
    out = first["admin_output"]
    assert "user: admin" in out and "http://127.0.0.1:8123/admin/" in out
    assert "http://127.0.0.1:8124/admin/" in second["admin_output"]

    assert second["pages"] == first["pages"], "loading twice must not add pages"
    assert first["workshops"] >= 6
    assert first["all_in_three"], "every workshop is translated into de, fr and it"
    assert {"on_site", "online"} <= set(first["formats"])
    assert len(first["workshop_languages"]) >= 2
    assert len(first["towns"]) >= 3
    assert first["past"] >= 1 and first["upcoming"] >= 1
    assert first["suhr_fr_note"] is True
    for url, (status, leaked) in first["pages_status"].items():
        assert status == 200, url
        assert not leaked, f"meeting information shown on {url}"

    # One upcoming German workshop has fictional people and a table plan for them.
    assert first["demo_workshop_upcoming"] is True
    assert first["demo_confirmed"] == {"case_presenter": 4, "participant": 14}
    # With the people of the full workshop (registered through the service).
    # And the attendees of the past workshop whose networking list went.
    assert first["registrations"] == (
        18 + len(first["applicant_names"]) + first["networking_attendees"]
    )
    assert first["table_plans"] == 1
    assert first["demo_plan"]["rounds"] == 3
    assert first["demo_plan"]["feasible"] is True
    # Loading again adds no one and leaves the plan as it is.
    assert second["registrations"] == first["registrations"]
    assert second["demo_confirmed"] == first["demo_confirmed"]
    assert second["table_plans"] == 1
    assert second["demo_plan"] == first["demo_plan"]


def test_one_workshop_is_full_with_a_waiting_list(loaded_demo):
    first, second = loaded_demo
    # Every place of both roles taken, and people waiting for each.
    for role, (capacity, confirmed, waiting, is_full) in first["full_seats"].items():
        assert capacity is not None, role
        assert confirmed == capacity, role
        assert waiting >= 1, role
        assert is_full, role
    assert first["full_language"] == "fr"
    # French-speaking people, registered on the French page.
    assert first["full_languages"] == ["fr"]
    assert first["full_names"] == first["applicant_names"]
    # Visitors see it: both roles say "fully booked, waiting list open".
    assert first["full_page_says_full"] == 2
    # Through the registration service, so the waiting list got its mails.
    to = first["waiting_mail"]
    assert to and to[0].endswith("@example.org")
    # The personal links in the mails point at the port the demo is served on.
    assert len(first["sent_bodies"]) == len(first["applicant_names"])
    assert all("http://127.0.0.1:8123/fr/" in body for body in first["sent_bodies"])
    # Loading again registers no one twice.
    assert second["full_seats"] == first["full_seats"]
    assert second["full_names"] == first["full_names"]


def test_a_past_workshop_shows_a_sent_networking_list(loaded_demo):
    first, second = loaded_demo
    mails = first["networking_mails"]
    # Each attendee who agreed got it once, in their language; the one who did
    # not agree is on nobody's list.
    assert [language for language, *_rest in mails] == ["de", "de", "fr", "it"]
    assert all(status == "sent" for _language, status, *_rest in mails)
    assert not any(named for *_rest, named in mails)
    assert "hans.gloor@example.org" not in [to for _l, _s, to, _n in mails]
    # Loading again sends nothing twice.
    assert second["networking_mails"] == mails


def test_home_page_shows_the_published_testimonials(loaded_demo):
    first, _second = loaded_demo
    for code, page in first["home_pages"].items():
        text = html.unescape(page)
        shown = [
            quote
            for key, quote in first["quotes"].items()
            if key.startswith(f"{code}/") and quote in text
        ]
        # The two demo testimonials, in the page's language, as snippets render.
        assert len(shown) == 2, code
        assert page.count('class="atelier-testimonial__quote"') == 2, code
    # No quote is written into the page body any more.
    assert "«Die Praxiswerkstatt holt uns" not in first["home_pages"]["de"]


def test_home_page_drops_a_testimonial_taken_offline(loaded_demo):
    first, second = loaded_demo
    for code, page in second["home_pages"].items():
        text = html.unescape(page)
        assert page.count('class="atelier-testimonial__quote"') == 1, code
        offline = [
            quote
            for key, quote in first["quotes"].items()
            if key.startswith(f"{code}/") and key not in second["quotes"]
        ]
        assert len(offline) == 1, code
        assert offline[0] not in text, code


def test_site_and_printed_urls_follow_the_port(loaded_demo):
    first, second = loaded_demo
    assert first["site"] == ["127.0.0.1", 8123]
    # `make demo PORT=8124` on the same database moves the site.
    assert second["site"] == ["127.0.0.1", 8124]
    banner = second["banner_output"]
    assert "http://127.0.0.1:8124/de/" in banner
    assert "http://127.0.0.1:8124/admin/" in banner
    assert "admin / atelier-demo" in banner
    assert "Mails" in banner and "terminal" in banner
    assert ":8000" not in banner


def test_demo_admin_has_a_name(loaded_demo):
    first, second = loaded_demo
    assert all(first["admin_name"]), "Wagtail needs a name to change the language"
    assert second["admin_name"] == first["admin_name"]


def test_demo_shows_its_own_translated_404(loaded_demo):
    """DEBUG is off by default: the site's own 404 page, in the URL's language."""
    first, _second = loaded_demo
    status, page = first["not_found"]
    assert status == 404
    assert "Page non trouvée" in page
    assert "site-header" in page  # the site's layout, not Django's debug page


def test_the_demo_shows_a_message_in_the_stored_mails(loaded_demo):
    """One message from the coordinators to the demo workshop's confirmed people:
    one stored mail each, sent; loading the demo again sends it no second time."""
    first, second = loaded_demo
    for run in (first, second):
        [(workshop_key, count, statuses, mails, emails)] = run["demo_messages"]
        assert count == mails == len(run["demo_confirmed_emails"]) > 0
        assert emails == run["demo_confirmed_emails"]
        assert statuses == ["sent"]
    # As sent: each with the person's own link, the placeholders filled in.
    bodies = first["message_bodies"]
    assert len(bodies) == len(first["demo_confirmed_emails"])
    links = {re.search(r"\S+/registration/[\w-]+/", body).group(0) for body in bodies}
    assert len(links) == len(bodies)
    assert all(link.startswith("http://127.0.0.1:8123/de/") for link in links)
    assert not any("{first_name}" in body for body in bodies)
    assert second["message_bodies"] == []


def test_the_full_workshop_shows_a_change_notice_in_the_stored_mails(loaded_demo):
    first, second = loaded_demo
    notices = first["change_notices"]
    # One per confirmed and waiting person, in French, with the old and new place
    # and the calendar entry's raised SEQUENCE.
    assert len(notices) == len(first["applicant_names"])
    language, subject, body, ics = notices[0]
    assert language == "fr"
    assert "salle 2" in body
    assert "SEQUENCE:1" in ics
    # Loading again tells nobody twice.
    assert len(second["change_notices"]) == len(notices)
