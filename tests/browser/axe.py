"""Accessibility checks with axe-core, run inside the page under test.

The vendored ``axe.min.js`` (see ``vendor/axe-core/README.md``) is injected with
``page.add_script_tag(path=...)``: a local file, so axe never reaches the network.
"""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"

#: What fails a test. "moderate" and "minor" findings (such as a page without a
#: landmark in Wagtail's own chrome) are reported by axe but not asserted on.
FAILING_IMPACTS = ("serious", "critical")

#: WCAG 2.x A and AA, and the rules axe calls best practice.
RUN_ONLY = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page, *, exclude: list[str] | None = None) -> list[dict]:
    """The serious and critical axe-core violations of what ``page`` shows now:
    ``[{"id", "impact", "help", "nodes"}]``, empty when there are none.

    ``exclude`` lists CSS selectors of parts not ours to fix (Wagtail's own chrome)."""
    # Colours are measured as shown: a message still fading in (Wagtail's) would
    # be judged on its colours half-way.
    page.evaluate(
        """() => Promise.race([
            new Promise((resolve) => setTimeout(resolve, 2000)),
            Promise.all(document.getAnimations()
                .filter((a) => a.playState === "running")
                .filter((a) => a.effect?.getTiming().iterations !== Infinity)
                .map((a) => a.finished.catch(() => null))),
        ])"""
    )
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate(
        """async ([exclude, runOnly]) => {
            const context = exclude.length
                ? {include: [document], exclude: exclude.map((s) => [s])}
                : document;
            return await window.axe.run(context, {
                runOnly: {type: "tag", values: runOnly},
                resultTypes: ["violations"],
            });
        }""",
        [exclude or [], RUN_ONLY],
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [
                {"target": node["target"], "summary": node.get("failureSummary", "")}
                for node in violation["nodes"][:5]
            ],
        }
        for violation in results["violations"]
        if violation["impact"] in FAILING_IMPACTS
    ]


def assert_no_axe_violations(page, *, exclude: list[str] | None = None) -> None:
    violations = axe_violations(page, exclude=exclude)
    assert not violations, f"{page.url}: {violations}"
