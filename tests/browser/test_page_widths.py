"""Every page fits a phone (390x844) and a laptop (1366x900): nothing runs off the right edge, so the
page never scrolls sideways. Wide tables scroll inside their own box (Bootstrap's `.table-responsive`),
the pipeline board scrolls in its own box, forms wrap.

The widths measured are written to var/test-artifacts/page-widths-<width>.txt."""

from __future__ import annotations

from tests.browser.conftest import artifact_path, new_context

VIEWPORTS = [{"width": 390, "height": 844}, {"width": 1366, "height": 900}]

# The elements at the page's far right edge: what makes it wider than the window (deepest first). Often an
# absolutely positioned .visually-hidden label that escapes a scrolling box which is not its containing block.
FAR_RIGHT_ELEMENTS = """() => {
  const edge = document.documentElement.scrollWidth;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "")
    + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\\s+/).join(".") : "")
    + (el.parentElement ? " in " + el.parentElement.tagName.toLowerCase() : "");
  const found = [...document.body.querySelectorAll("*")]
    .filter((el) => Math.abs(el.getBoundingClientRect().right - edge) < 1.5);
  return found.reverse().slice(0, 3).map(describe).join(", ") || "none found";
}"""


def measure(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def widths_at(browser, catalogue, viewport: dict[str, int], csp_violations: list[str]) -> list[tuple]:
    """(page, scroll width, what sits at the right edge if too wide) for every catalogue page, in one
    browser context signed in once per visitor."""
    context = new_context(browser, viewport, csp_violations)
    page = context.new_page()
    measured, signed_in_as = [], None
    try:
        for entry in sorted(catalogue.pages, key=lambda p: p.who):
            if entry.who != signed_in_as:
                catalogue.sign_in(context, entry.who)
                signed_in_as = entry.who
            page.goto(catalogue.base + entry.url)
            scroll_width, inner_width = measure(page)
            culprit = page.evaluate(FAR_RIGHT_ELEMENTS) if scroll_width > inner_width else ""
            measured.append((entry, scroll_width, culprit))
    finally:
        context.close()
    lines = [f"{entry.name}\t{entry.who}\t{width}" for entry, width, _ in measured]
    artifact_path(f"page-widths-{viewport['width']}.txt").write_text("\n".join(lines) + "\n")
    return measured


def test_no_page_scrolls_sideways_on_a_phone_or_a_laptop(browser, catalogue):
    csp_violations: list[str] = []
    too_wide = []
    for viewport in VIEWPORTS:
        measured = widths_at(browser, catalogue, viewport, csp_violations)
        assert len(measured) == len(catalogue.pages)
        too_wide += [
            f"{entry.name} {entry.url} ({entry.who}): {width} px in a {viewport['width']} px window; "
            f"at the right edge: {culprit}"
            for entry, width, culprit in measured
            if width > viewport["width"]
        ]
    assert too_wide == [], "Pages wider than the window:\n" + "\n".join(too_wide)
    assert csp_violations == []
