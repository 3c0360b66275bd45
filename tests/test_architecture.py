"""The layout keeps its promises (docs/architecture.md): read from the source, every
import counted, module-level or inside a function."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wagtail_atelier"
MODULES = sorted(
    path for path in PACKAGE.rglob("*.py") if "migrations" not in path.parts
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Absolute names of everything ``path`` imports (``from . import x`` gives
    ``package.x``)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                origin = ".".join(base + ([node.module] if node.module else []))
            else:
                origin = node.module or ""
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names)
    return found


GRAPH = {module_name(path): imports(path) for path in MODULES}
VIEW_LAYERS = (
    "wagtail_atelier.public",
    "wagtail_atelier.admin",
    "wagtail_atelier.contrib",
    "wagtail_atelier.wagtail_hooks",
    "wagtail_atelier.viewsets",
)


def within(name: str, prefixes) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        current = todo.pop()
        for target in GRAPH.get(current, ()):
            if target in GRAPH and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


@pytest.mark.parametrize(
    "layer", ["wagtail_atelier.models", "wagtail_atelier.services"]
)
def test_the_domain_never_reaches_the_view_layers(layer):
    """Nothing the models or services import, directly or not, is a view layer: so
    no import cycle can run through the models and the views (pages reach their
    views by dotted path, ``public_views``)."""
    for name in GRAPH:
        if within(name, [layer]):
            bad = sorted(t for t in reachable(name) if within(t, VIEW_LAYERS))
            assert not bad, f"{name} imports {bad}"


def test_the_planner_imports_no_django():
    for name, targets in GRAPH.items():
        if within(name, ["wagtail_atelier.planner"]):
            assert not [t for t in targets if t.split(".")[0] in ("django", "wagtail")]


def test_wagtail_modeladmin_and_its_url_names_stay_in_contrib():
    contrib = PACKAGE / "contrib" / "modeladmin"
    for path in [*MODULES, *PACKAGE.joinpath("templates").rglob("*.html")]:
        # The hooks import the sub-package when the app is installed; the checks
        # name the app when it is not.
        if contrib in path.parents or path.name in ("wagtail_hooks.py", "checks.py"):
            continue
        text = path.read_text()
        assert "wagtail_modeladmin" not in text, path
        assert not re.search(r"_modeladmin_(index|inspect|edit|delete)", text), path


def test_no_module_outside_models_names_the_shipped_workshop_page():
    for path in MODULES:
        if "models" in path.relative_to(PACKAGE).parts:
            continue
        assert not re.search(r"\bWorkshopPage\b", path.read_text()), path
