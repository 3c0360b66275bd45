"""Fail when the de/fr/it catalogues are not complete and current.

Checks, for each language:
- every string marked for translation in the code and templates is in the catalogue
  (makemessages is run on a copy of the package, so nothing here is modified);
- no entry is untranslated or fuzzy;
- the compiled .mo file matches the .po file.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wagtail_atelier"
LANGUAGES = ("de", "fr", "it")


def key(entry: polib.POEntry) -> tuple[str, str]:
    return (entry.msgctxt or "", entry.msgid)


def extract(workdir: Path) -> None:
    copy = workdir / "wagtail_atelier"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    args = [sys.executable, "-m", "django", "makemessages", "--settings=tests.settings"]
    args += [f"--pythonpath={ROOT}", "--no-obsolete", "--no-location"]
    args += [arg for language in LANGUAGES for arg in ("-l", language)]
    subprocess.run(args, cwd=copy, check=True, capture_output=True)  # noqa: S603


def check_language(language: str, extracted: Path) -> list[str]:
    problems: list[str] = []
    po_path = PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"
    mo_path = po_path.with_suffix(".mo")
    if not po_path.exists():
        return [f"{language}: {po_path.relative_to(ROOT)} is missing"]
    catalogue = polib.pofile(str(po_path))
    if catalogue.metadata_is_fuzzy:
        problems.append(f"{language}: the catalogue header is marked fuzzy")
    known = {key(entry) for entry in catalogue if not entry.obsolete}
    wanted = polib.pofile(str(extracted / language / "LC_MESSAGES" / "django.po"))
    for entry in wanted:
        if key(entry) not in known:
            problems.append(f"{language}: not in the catalogue: {entry.msgid!r}")
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            problems.append(f"{language}: fuzzy: {entry.msgid!r}")
        elif not entry.translated():
            problems.append(f"{language}: untranslated: {entry.msgid!r}")
    if not mo_path.exists():
        problems.append(f"{language}: {mo_path.relative_to(ROOT)} is missing")
    else:
        compiled = {
            key(entry): (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
            for entry in polib.mofile(str(mo_path))
            if entry.msgid
        }
        source = {
            key(entry): (entry.msgstr, tuple(sorted(entry.msgstr_plural.items())))
            for entry in catalogue.translated_entries()
        }
        if compiled != source:
            problems.append(
                f"{language}: django.mo is out of date (make compilemessages)"
            )
    return problems


def main() -> int:
    with tempfile.TemporaryDirectory() as workdir:
        extract(Path(workdir))
        extracted = Path(workdir) / "wagtail_atelier" / "locale"
        problems = [
            problem
            for language in LANGUAGES
            for problem in check_language(language, extracted)
        ]
    for problem in problems:
        print(problem)
    if problems:
        print(
            f"{len(problems)} translation problem(s); "
            "run `make messages` and translate."
        )
        return 1
    print("Translations complete for " + ", ".join(LANGUAGES) + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())
