"""The word cloud in an accessible palette (issue #19, item 3): every colour a word can be drawn in
has WCAG contrast of 4.5:1 or more on the background it is drawn on, the cloud uses only those
colours, and it sits beside its table of terms."""

from __future__ import annotations

import io
from collections import Counter

import pytest

from analysis.reports.build import build_from_inputs
from analysis.reports.render import render_html, report_images
from analysis.stats.free_text import TermCount
from analysis.stats.wordcloud_image import BACKGROUND, PALETTE, render_word_cloud, word_colour
from common.contrast import TEXT_CONTRAST, contrast_ratio
from tests.factories.reports import demo_report_inputs


def test_contrast_ratio_follows_wcag():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the lightest grey that passes
    assert contrast_ratio("#ffff00", "#ffffff") < 1.1  # viridis's yellow end, on white: the bug reported
    assert contrast_ratio("#ffffff", "#1d70b8") == contrast_ratio("#1d70b8", "#ffffff")


def test_every_colour_the_cloud_can_use_has_text_contrast_on_its_background():
    assert len(set(PALETTE)) == len(PALETTE) >= 4
    ratios = {colour: round(contrast_ratio(colour, BACKGROUND), 2) for colour in PALETTE}
    assert [colour for colour, ratio in ratios.items() if ratio < TEXT_CONTRAST] == [], ratios
    assert {word_colour(word) for word in (f"word{n}" for n in range(200))} == set(PALETTE)
    assert word_colour("parking") == word_colour(word="parking", font_size=40)  # wordcloud passes keywords


def _hex(pixel: tuple[int, ...]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*pixel[:3])


def test_the_drawn_cloud_uses_only_the_palette_on_its_background():
    from PIL import Image

    terms = [TermCount(f"term{n}", 60 - n) for n in range(30)]
    image = Image.open(io.BytesIO(render_word_cloud(terms, 100).png)).convert("RGB")
    counts = Counter({_hex(pixel): count for count, pixel in image.getcolors(1 << 20)})
    assert counts.most_common(1)[0][0] == BACKGROUND
    # Letters' solid pixels are palette colours; only their anti-aliased edges blend into the background.
    solid = [colour for colour, count in counts.most_common(len(PALETTE) + 1)[1:]]
    assert set(solid) <= set(PALETTE), solid


def test_the_cloud_sits_beside_its_table_of_terms():
    built = build_from_inputs(demo_report_inputs())
    images = report_images(built.document, built.you_said)
    clouds = [name for name in images if name.startswith("cloud-")]
    assert clouds
    html = render_html(built.document, images, lambda name: f"{name}.png")
    for name in clouds:
        block = html[html.index(f'<img src="{name}.png"'):]
        assert block.startswith(f'<img src="{name}.png" alt="Word cloud of the most used words')
        block = block[:block.index("</table>")]  # the picture, then its table, in one block
        assert "Most used words (common words left out)" in block and "Comments using it" in block
