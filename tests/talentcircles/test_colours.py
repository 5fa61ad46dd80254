"""WCAG contrast and the readable shade of an organisation's brand colour (talentcircles/colours.py)."""

from __future__ import annotations

import pytest

from talentcircles.colours import (
    AA_NORMAL_TEXT,
    LIGHT_BACKGROUNDS,
    contrast_ratio,
    parse_hex,
    readable_shade,
    relative_luminance,
)
from tests.factories import OrganizationFactory


def test_relative_luminance_spans_black_to_white():
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#FFFFFF") == pytest.approx(1)
    # WCAG's worked values: mid grey #777777 is about 0.184, and green weighs most.
    assert relative_luminance("#777777") == pytest.approx(0.1845, abs=1e-4)
    assert relative_luminance("#00ff00") > relative_luminance("#ff0000") > relative_luminance("#0000ff")


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#ffffff", "#000000", 21.0),
        ("#767676", "#ffffff", 4.54),  # the lightest grey that passes AA on white
        ("#777777", "#ffffff", 4.48),
        ("#0d6efd", "#f6f8fa", 4.23),  # Bootstrap's link blue on our page background: just under AA
        ("#1f6feb", "#1f6feb", 1.0),
    ],
)
def test_contrast_ratio_matches_the_wcag_formula(first, second, ratio):
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.01)


def test_a_dark_enough_colour_is_kept():
    assert readable_shade("#0A58CA") == "#0a58ca"
    assert readable_shade("#000000") == "#000000"


@pytest.mark.parametrize("light", ["#ffd33d", "#e6f0ff", "#ffffff", "#1f6feb", "#00ff00", "#ff5500"])
def test_a_light_colour_gets_the_lightest_darker_shade_that_meets_aa(light):
    shade = readable_shade(light)
    for background in LIGHT_BACKGROUNDS:
        assert contrast_ratio(shade, background) >= AA_NORMAL_TEXT
    # Darker only, with the hue kept: every channel scaled down by one factor.
    original, darker = parse_hex(light), parse_hex(shade)
    assert all(d <= o for d, o in zip(darker, original, strict=True))
    factor = max(darker) / max(original)
    assert all(abs(d - o * factor) <= 1 for d, o in zip(darker, original, strict=True))
    # And no darker than it needs to be: one step lighter fails.
    lighter = "#{:02x}{:02x}{:02x}".format(*(min(255, round(c / factor * (factor + 0.01))) for c in darker))
    assert min(contrast_ratio(lighter, background) for background in LIGHT_BACKGROUNDS) < AA_NORMAL_TEXT


def test_a_shade_can_be_asked_for_other_backgrounds_and_ratios():
    on_yellow = readable_shade("#ffc107", ("#fff3cd",), 7.0)
    assert contrast_ratio(on_yellow, "#fff3cd") >= 7.0


@pytest.mark.parametrize("bad", ["red", "#fff", "#12345g", ""])
def test_it_refuses_what_is_not_a_hex_colour(bad):
    with pytest.raises(ValueError):
        readable_shade(bad)


@pytest.mark.django_db
def test_the_organisation_offers_its_brand_shade_for_text():
    org = OrganizationFactory(brand_color="#ffd33d")
    assert org.brand_text_color == readable_shade("#ffd33d")
    assert contrast_ratio(org.brand_text_color, "#ffffff") >= AA_NORMAL_TEXT
    org.brand_color = "yellow"  # never saved (the validator refuses it), but a page must still render
    assert org.brand_text_color == readable_shade("#1f6feb")
