"""axe-core (Deque's accessibility engine, from npm: `make node`) run in a Playwright page.

`axe_violations(page)` injects node_modules/axe-core/axe.min.js with `page.evaluate`, which Chromium
runs through the DevTools protocol, outside the page's Content-Security-Policy: a `<script>` tag would be
refused (no nonce), and a context with `bypass_csp` would render the page differently from a real visitor's
and hide the violations the `page` fixture fails on. A plain `axe.run` evaluates no strings (its
`new Function` paths serve custom rule configuration), so the policy is not tripped: the `page` fixture
would say so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.0 and 2.1, levels A and AA: what the accessibility test holds every page to.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@dataclass(frozen=True)
class Violation:
    """One rule broken on one page, with the elements that break it."""

    rule: str
    impact: str
    help: str
    targets: tuple[tuple[str, str], ...]  # (CSS selector, axe's summary of what to fix)

    def __str__(self) -> str:
        lines = [f"{self.rule} ({self.impact}): {self.help} — {len(self.targets)} element(s)"]
        for selector, summary in self.targets:
            lines.append(f"    {selector}")
            lines.extend(f"        {line.strip()}" for line in summary.splitlines() if line.strip())
        return "\n".join(lines)


@cache
def axe_source() -> str:
    """The axe-core script, or a skip (a failure in CI) when `make node` has not installed it."""
    if not AXE_JS.exists():
        message = f"{AXE_JS} is missing: run `make node` (npm ci) to install axe-core."
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return AXE_JS.read_text(encoding="utf-8")


RUN_AXE = """async ([tags, exclude]) => {
  const context = exclude.length ? {include: [document], exclude: exclude.map((s) => [s])} : document;
  const results = await axe.run(context, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    rule: v.id, impact: v.impact || "", help: v.help,
    targets: v.nodes.map((n) => [n.target.join(" >> "), n.failureSummary || ""]),
  }));
}"""


def axe_violations(page, *, exclude: tuple[str, ...] = ()) -> list[Violation]:
    """Run axe on the page as it is now (WCAG 2.0/2.1 A and AA); `exclude` leaves out elements by selector."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    found = page.evaluate(RUN_AXE, [WCAG_TAGS, list(exclude)])
    return [
        Violation(rule=v["rule"], impact=v["impact"], help=v["help"], targets=tuple(map(tuple, v["targets"])))
        for v in found
    ]


def format_violations(violations: list[Violation]) -> str:
    return "\n".join(str(v) for v in violations)
