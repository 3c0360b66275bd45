"""The example site, run the way `make demo` runs it: migrate, load the demo twice
(pages, testimonials, the registrations and table plan of one workshop).

Runs in subprocesses against a throwaway SQLite file, because the example site is a
separate Django project with its own settings and apps. Starting the site costs
seconds, so each run of `make demo` is one process: migrate, the admin account, the
demo content and the look at the result in the first; the same again (but the
migrations) in the second, which shows that a fresh process loading the demo again
adds nothing.
"""

import json
import os
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
"""
INSPECT = r"""
import json
from django.test import Client
from wagtail.models import Page
from wagtail_atelier.models import Registration, TablePlan, WorkshopPage
from django.utils import timezone
from home.demo_content import demo_key
from home.demo_people import WORKSHOP_KEY

workshops = WorkshopPage.objects.live().select_related("locale")
by_key = {}
for w in workshops:
    by_key.setdefault(str(w.translation_key), set()).add(w.locale.language_code)
suhr_fr = workshops.filter(locale__language_code="fr", town__in=["Suhr"]).first()
client = Client(HTTP_HOST="127.0.0.1:8000")
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


@pytest.fixture
def demo_env(tmp_path):
    if os.environ.get("DATABASE_URL"):
        # The demo always runs on its own SQLite file; running it again in the
        # PostgreSQL pass of CI would test nothing new.
        pytest.skip("the example site test runs in the SQLite pass only")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    return env


def run_and_inspect(commands: str, env) -> dict:
    """Run ``commands`` and then ``INSPECT`` in one process of the example site."""
    out = manage("shell", "-c", commands + INSPECT, env=env).stdout
    # The last line: anything the site prints before (console mails...) is not JSON.
    return json.loads(out.splitlines()[-1])


def test_demo_loads_twice_without_duplicates_in_three_languages(demo_env):
    """What `make demo` does, twice, each time in a fresh process."""
    first = run_and_inspect(FIRST_RUN, demo_env)
    out = first["admin_output"]
    assert "user: admin" in out and "http://127.0.0.1:8000/admin/" in out
    second = run_and_inspect(SECOND_RUN, demo_env)
    assert "admin" in second["admin_output"]

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
    assert first["registrations"] == 18
    assert first["table_plans"] == 1
    assert first["demo_plan"]["rounds"] == 3
    assert first["demo_plan"]["feasible"] is True
    # Loading again adds no one and leaves the plan as it is.
    assert second["registrations"] == first["registrations"]
    assert second["demo_confirmed"] == first["demo_confirmed"]
    assert second["table_plans"] == 1
    assert second["demo_plan"] == first["demo_plan"]
