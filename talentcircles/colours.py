"""WCAG 2 colour contrast, and a readable shade of an organisation's brand colour.

An organisation picks any brand colour; a light one (yellow, pastel) cannot carry white text nor be
read as text on the page. `readable_shade` darkens it, keeping its hue, until it meets the WCAG AA
ratio for normal text (4.5:1) against white text and the page's light backgrounds. The formulas are
WCAG 2.2's definitions of relative luminance and contrast ratio (a few lines; no library needed).
"""

from __future__ import annotations

from functools import lru_cache

AA_NORMAL_TEXT = 4.5
# What a brand shade meets the ratio against: white text on it, and it as text on white and on the
# page background (body { background } in static/css/talentcircles.css).
LIGHT_BACKGROUNDS = ("#ffffff", "#f6f8fa")

RGB = tuple[int, int, int]


def parse_hex(colour: str) -> RGB:
    """#rrggbb → (r, g, b); ValueError on anything else."""
    text = colour.strip()
    if len(text) != 7 or not text.startswith("#"):
        raise ValueError(f"Not a #rrggbb colour: {colour!r}")
    return int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16)


def to_hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _linear(channel: int) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance: 0 for black, 1 for white."""
    r, g, b = (_linear(channel) for channel in parse_hex(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: str, second: str) -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white); order does not matter."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@lru_cache(maxsize=256)
def readable_shade(
    colour: str, backgrounds: tuple[str, ...] = LIGHT_BACKGROUNDS, minimum: float = AA_NORMAL_TEXT
) -> str:
    """`colour` (lower-cased) if it meets `minimum` against every background, else the lightest darker shade
    of it that does: each channel scaled down by the same factor, so the hue stays."""
    rgb = parse_hex(colour)
    for percent in range(100, -1, -1):
        shade = to_hex(tuple(round(channel * percent / 100) for channel in rgb))  # type: ignore[arg-type]
        if all(contrast_ratio(shade, background) >= minimum for background in backgrounds):
            return shade
    return "#000000"  # not reached: black meets 4.5:1 against any background lighter than #767676
