from __future__ import annotations

import pytest

from loket.portal.templatetags.loket_ui import (
    AA_NORMAL_TEXT,
    contrast_ratio,
    design_tokens,
    municipality_tokens,
    soft_breaks,
    tel_href,
)

COLOURS = [
    "#1d4f91",  # the default blue
    "#ffd200",  # a bright yellow
    "#777777",  # mid grey: neither white nor black text reaches 4.5:1
    "#e30613",  # a signal red
    "#00a3e0",  # a light blue
    "#ffffff",
    "#000000",
    "#7fbf3f",
]


@pytest.mark.parametrize("primary", COLOURS)
@pytest.mark.parametrize("accent", ["#ffd200", "#777777", "#2b2b2b"])
def test_every_text_colour_meets_wcag_aa_whatever_the_municipality_picks(primary, accent):
    tokens = design_tokens({"primary_colour": primary, "accent_colour": accent})

    assert contrast_ratio(tokens["--header-text"], tokens["--header-bg"]) >= AA_NORMAL_TEXT
    assert contrast_ratio(tokens["--brand-ink"], "#ffffff") >= AA_NORMAL_TEXT
    assert contrast_ratio(tokens["--accent-text"], tokens["--accent-bg"]) >= AA_NORMAL_TEXT


@pytest.mark.parametrize(
    "bad", ["red", "#12345", "#1d4f91;}body{display:none", "</style><script>", "", None]
)
def test_only_plain_hex_colours_reach_the_stylesheet(bad):
    tokens = design_tokens({"primary_colour": bad, "accent_colour": bad})
    assert tokens["--brand"] == "#1d4f91"
    assert tokens["--accent"] == "#ffd200"


def test_tokens_tag_renders_one_style_element():
    html = municipality_tokens({"primary_colour": "#7A1F3D"})
    assert html.startswith("<style>:root{--brand:#7a1f3d;")
    assert html.endswith("}</style>")


def test_tokens_tag_without_municipality_uses_defaults():
    assert "--brand:#1d4f91;" in municipality_tokens(None)


@pytest.mark.parametrize(
    ("number", "href"),
    [
        ("051 33 74 00", "tel:051337400"),
        ("+32 51 33 74 00", "tel:+3251337400"),
        ("051/33.74.00", "tel:051337400"),
    ],
)
def test_phone_numbers_become_tel_links(number, href):
    assert tel_href(number) == href


def test_soft_breaks_let_addresses_wrap_and_stay_escaped():
    assert soft_breaks("sociale-dienst@mandelmunster.example") == (
        "sociale-dienst@<wbr>mandelmunster.example"
    )
    assert soft_breaks("https://www.example/ocmw") == "https://<wbr>www.example/<wbr>ocmw"
    assert soft_breaks("<b>@</b>") == "&lt;b&gt;@<wbr>&lt;/<wbr>b&gt;"
