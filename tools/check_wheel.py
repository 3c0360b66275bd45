"""Build the wheel; check it ships templates, static files, migrations, .mo files."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = [
    "wagtail_atelier/templates/wagtail_atelier/pages/workshop_page.html",
    "wagtail_atelier/templates/wagtail_atelier/pages/workshop_index_page.html",
    "wagtail_atelier/static/wagtail_atelier/css/atelier.css",
    "wagtail_atelier/migrations/0001_initial.py",
    *(
        f"wagtail_atelier/locale/{lang}/LC_MESSAGES/django.mo"
        for lang in ("de", "fr", "it")
    ),
]


def main() -> int:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "-q",
                "-w",
                out,
                str(ROOT),
            ],
            check=True,
        )
        wheel = next(Path(out).glob("wagtail_atelier-*.whl"))
        names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in REQUIRED if name not in names]
    templates = sorted(n for n in names if "/templates/" in n)
    print(f"{wheel.name}: {len(names)} files, {len(templates)} templates")
    for name in missing:
        print(f"missing from the wheel: {name}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
