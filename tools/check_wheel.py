"""Build the sdist and the wheel (from the sdist, as pip does) and check them.

The wheel must ship templates, static files, migrations, the compiled catalogues and
LICENSE, declare every package the code imports, and leave the Django version to
Wagtail. The sdist must hold LICENSE and the project's notices, and no tests,
benchmarks, example site or documentation sources (MANIFEST.in prunes them: they
need the repository's test settings and services). Both must pass
``twine check --strict``.

Needs ``build`` and ``twine`` (the ``dev`` extra). Prints what it checked; exits 1 if
a check failed, 2 if it could not build.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "wagtail_atelier"

WHEEL_REQUIRED = [
    f"{PACKAGE}/templates/wagtail_atelier/pages/workshop_page.html",
    f"{PACKAGE}/templates/wagtail_atelier/pages/workshop_index_page.html",
    f"{PACKAGE}/static/wagtail_atelier/css/atelier.css",
    f"{PACKAGE}/migrations/0001_initial.py",
    *(f"{PACKAGE}/locale/{lang}/LC_MESSAGES/django.mo" for lang in ("de", "fr", "it")),
]
WHEEL_LICENSE = ("licenses/LICENSE", "LICENSE")  # inside *.dist-info/
SDIST_REQUIRED = [
    "LICENSE",
    "README.md",
    "CHANGELOG.md",
    "SECURITY.md",
    "CONTRIBUTING.md",
    "pyproject.toml",
    "PKG-INFO",
    "MANIFEST.in",
    *WHEEL_REQUIRED,
    *(f"{PACKAGE}/locale/{lang}/LC_MESSAGES/django.po" for lang in ("de", "fr", "it")),
]
# Top-level folders of the repository that neither distribution may contain.
EXCLUDED_DIRS = ("tests", "bench", "example_site", "docs", "tools", ".ci")
LICENSE_EXPRESSION = "BSD-3-Clause"


class Report:
    def __init__(self) -> None:
        self.failures: list[str] = []

    def check(self, ok: bool, what: str, detail: str = "") -> None:
        print(f"  [{'ok' if ok else 'FAIL'}] {what}{f': {detail}' if detail else ''}")
        if not ok:
            self.failures.append(what)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def build(out: Path) -> tuple[Path, Path]:
    """``python -m build``: the sdist, then the wheel built from that sdist."""
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        print(result.stdout[-5000:], result.stderr[-5000:], sep="\n")
        raise SystemExit("python -m build failed")
    return next(out.glob("wagtail_atelier-*.tar.gz")), next(out.glob("*.whl"))


def optional_imports(tree: ast.AST) -> set[int]:
    """Line numbers of imports inside ``try: … except ImportError``."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try):
            continue
        caught = set()
        for handler in node.handlers:
            types = handler.type
            for item in types.elts if isinstance(types, ast.Tuple) else [types]:
                if isinstance(item, ast.Name):
                    caught.add(item.id)
        if caught & {"ImportError", "ModuleNotFoundError"}:
            for stmt in node.body:
                for sub in ast.walk(stmt):
                    if isinstance(sub, ast.Import | ast.ImportFrom):
                        lines.add(sub.lineno)
    return lines


def imported_top_level_modules(package_dir: Path) -> dict[str, str]:
    """Third-party top-level modules the package imports (not optionally): module →
    first file that imports it."""
    found: dict[str, str] = {}
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    for path in sorted(package_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        optional = optional_imports(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            if node.lineno in optional:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in stdlib and top != PACKAGE:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def check_wheel(wheel: Path, report: Report) -> None:
    print(f"{wheel.name}:")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        dist_info = next(n.split("/")[0] for n in names if ".dist-info/" in n)
        metadata = Parser().parsestr(
            archive.read(f"{dist_info}/METADATA").decode("utf-8")
        )
    templates = sorted(n for n in names if "/templates/" in n)
    report.check(bool(templates), "templates", f"{len(templates)} files")
    for name in WHEEL_REQUIRED:
        report.check(name in names, f"contains {name}")
    licenses = [f"{dist_info}/{n}" for n in WHEEL_LICENSE]
    licenses = [name for name in licenses if name in names]
    report.check(
        bool(licenses), "contains LICENSE", licenses[0] if licenses else "not found"
    )
    stray = sorted({n.split("/")[0] for n in names} & set(EXCLUDED_DIRS))
    report.check(not stray, "no repository folders", ", ".join(stray))

    expression = metadata.get("License-Expression")
    report.check(
        expression == LICENSE_EXPRESSION, "License-Expression", str(expression)
    )
    report.check(
        "LICENSE" in (metadata.get_all("License-File") or []), "License-File: LICENSE"
    )

    requires = [
        r for r in metadata.get_all("Requires-Dist") or [] if "extra ==" not in r
    ]
    declared = {
        normalise(re.match(r"[A-Za-z0-9._-]+", r).group(0)): r for r in requires
    }
    django = declared.get("django", "")
    report.check(
        bool(django) and "<" not in django,
        "Django has no upper bound (the site keeps the Django its Wagtail chose)",
        django or "Django not declared",
    )

    # Every third-party module the code imports comes from a declared distribution.
    providers = importlib.metadata.packages_distributions()
    for module, where in sorted(imported_top_level_modules(ROOT / PACKAGE).items()):
        dists = {normalise(d) for d in providers.get(module, [])}
        ok = bool(dists & declared.keys())
        detail = (
            f"from {', '.join(sorted(dists))}"
            if dists
            else "not installed here, cannot tell its distribution"
        )
        report.check(
            ok, f"import {module} is declared", detail if ok else f"{detail} ({where})"
        )


def check_sdist(sdist: Path, report: Report) -> None:
    print(f"{sdist.name}:")
    with tarfile.open(sdist) as archive:
        members = [m.name for m in archive.getmembers() if m.isfile()]
    prefix = members[0].split("/")[0] + "/"
    names = {m.removeprefix(prefix) for m in members}
    for name in SDIST_REQUIRED:
        report.check(name in names, f"contains {name}")
    for folder in EXCLUDED_DIRS:
        inside = sorted(n for n in names if n.startswith(f"{folder}/"))
        report.check(
            not inside,
            f"no {folder}/",
            f"{len(inside)} files, e.g. {inside[0]}" if inside else "",
        )
    compiled = sorted(n for n in names if n.endswith((".pyc", ".pyo")))
    report.check(not compiled, "no compiled Python files", ", ".join(compiled[:3]))
    report.check(True, "files in the sdist", str(len(names)))


def twine_check(files: list[Path], report: Report) -> None:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "twine", "--no-color", "check", "--strict", *files],
        capture_output=True,
        text=True,
        check=False,
    )
    print("twine check --strict:")
    for line in result.stdout.strip().splitlines():
        print(f"    {line}")
    report.check(result.returncode == 0, "twine check --strict passes")


def main() -> int:
    missing = [m for m in ("build", "twine") if importlib.util.find_spec(m) is None]
    if missing:
        print(
            f"{' and '.join(missing)} not installed: "
            'pip install -e ".[dev]" (or: pip install build twine)'
        )
        return 2
    report = Report()
    with tempfile.TemporaryDirectory() as out:
        sdist, wheel = build(Path(out))
        check_wheel(wheel, report)
        check_sdist(sdist, report)
        twine_check([sdist, wheel], report)
    if report.failures:
        print(f"{len(report.failures)} check(s) failed: {'; '.join(report.failures)}")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
