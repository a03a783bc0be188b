"""Urdu and Panjabi as a person reads them, in Chromium (issue 12, item 4).

The site's own copies of Noto Nastaliq Urdu and Noto Sans Gurmukhi load on pages in those
languages (and only there), so a phone without them shows words, not boxes. Nastaliq's tall
letters fit inside their lines: for every heading the glyphs' measured ink, placed on the
line the way CSS places it, stays within the line box, and the heading's box ends before the
next element starts. English inside an Urdu page is marked as English, left to right.
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 390]
FONTS = "/static/build/fonts/"

# For each element: where its glyphs' ink sits, from the font's own metrics as the browser
# measures them (canvas measureText with the element's computed font). CSS puts half the
# leading above the font's ascent, so the baseline is (line height - ascent - descent) / 2 +
# ascent below the top of each line box. Lines do not collide when the line height holds the
# ink's full height; the first line's ink must clear the element before, the last line's the
# element after (or, for a button, its own box).
INK = """
(selector) => {
  const context = document.createElement("canvas").getContext("2d");
  return Array.from(document.querySelectorAll(selector)).map((element) => {
    const style = getComputedStyle(element);
    context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = element.innerText.trim();
    const metrics = context.measureText(text);
    const lineHeight = parseFloat(style.lineHeight);
    const ascent = metrics.fontBoundingBoxAscent;
    const baseline = (lineHeight - ascent - metrics.fontBoundingBoxDescent) / 2 + ascent;
    const box = element.getBoundingClientRect();
    const contentTop = box.top + parseFloat(style.borderTopWidth) + parseFloat(style.paddingTop);
    const contentBottom =
      box.bottom - parseFloat(style.borderBottomWidth) - parseFloat(style.paddingBottom);
    const previous = element.previousElementSibling;
    const next = element.nextElementSibling;
    return {
      text,
      lineHeight,
      inkHeight: metrics.actualBoundingBoxAscent + metrics.actualBoundingBoxDescent,
      inkTop: contentTop + baseline - metrics.actualBoundingBoxAscent,
      inkBottom: contentBottom - lineHeight + baseline + metrics.actualBoundingBoxDescent,
      top: box.top,
      bottom: box.bottom,
      previousBottom: previous ? previous.getBoundingClientRect().bottom : null,
      nextTop: next ? next.getBoundingClientRect().top : null,
    };
  });
}
"""


def _overlaps(item: dict[str, Any], *, own_box: bool = False) -> list[str]:
    """What the element's ink runs into: its next line, the elements around it, its box."""
    found = []
    if item["inkHeight"] > item["lineHeight"] + 0.5:
        found.append("its lines")
    above = item["top"] if own_box else item["previousBottom"]
    below = item["bottom"] if own_box else item["nextTop"]
    if above is not None and item["inkTop"] < above - 0.5:
        found.append("what is above")
    if below is not None and item["inkBottom"] > below + 0.5:
        found.append("what is below")
    return found


LOADED_FACES = """
async () => {
  await document.fonts.ready;
  return Array.from(document.fonts)
    .filter((face) => face.status === "loaded")
    .map((face) => `${face.family.replaceAll('"', "")} ${face.weight}`);
}
"""


@pytest.fixture
def font_requests(page: Any) -> list[str]:
    """Every font file the page asks for."""
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url) if FONTS in request.url else None)
    return asked


@pytest.mark.parametrize("width", WIDTHS)
def test_urdu_headings_have_room_and_the_nastaliq_font_loads(
    page: Any, live_server: Any, live_reference_data: None, font_requests: list[str], width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for path in ["/ur/", "/ur/privacy/", "/ur/report/"]:
        page.goto(live_server.url + path)
        loaded = page.evaluate(LOADED_FACES)
        assert "Noto Nastaliq Urdu 400" in loaded, (path, loaded)
        assert "Noto Nastaliq Urdu 700" in loaded, (path, loaded)
        family = page.evaluate("() => getComputedStyle(document.querySelector('h1')).fontFamily")
        assert family.startswith('"Noto Nastaliq Urdu"'), family

        for heading in page.evaluate(INK, "main h1, main h2"):
            assert _overlaps(heading) == [], f"{path} at {width}px: {heading}"
        for button in page.evaluate(INK, "main .govuk-button"):
            assert _overlaps(button, own_box=True) == [], f"{path} at {width}px: {button}"
        for heading in page.evaluate(INK, "main h1"):
            if heading["nextTop"] is not None:
                assert heading["bottom"] <= heading["nextTop"] + 0.5, f"{path}: {heading}"
    assert all(".woff2" in url and "nastaliq" in url for url in font_requests), font_requests


def test_panjabi_pages_load_gurmukhi_and_english_pages_load_no_font(
    page: Any, live_server: Any, live_reference_data: None, font_requests: list[str]
) -> None:
    page.goto(live_server.url + "/en/")
    page.evaluate(LOADED_FACES)
    # The switcher names Urdu and Panjabi in their own scripts, yet nothing is downloaded.
    assert font_requests == []

    page.goto(live_server.url + "/pa/")
    loaded = page.evaluate(LOADED_FACES)
    assert "Noto Sans Gurmukhi 400" in loaded, loaded
    assert font_requests
    assert all("gurmukhi" in url for url in font_requests), font_requests
    for heading in page.evaluate(INK, "main h1, main h2"):
        assert _overlaps(heading) == [], heading


def test_english_inside_an_urdu_page_is_marked_english_left_to_right(
    page: Any, live_server: Any, live_reference_data: None
) -> None:
    page.goto(live_server.url + "/ur/privacy/")
    marked = page.evaluate(
        """() => Array.from(document.querySelectorAll('main [lang="en"]')).map((element) => ({
             text: element.innerText,
             dir: element.getAttribute("dir"),
             direction: getComputedStyle(element).direction,
             font: getComputedStyle(element).fontFamily,
           }))"""
    )
    texts = " ".join(item["text"] for item in marked)
    assert "Information Commissioner’s Office (ICO)" in texts  # noqa: RUF001
    assert "Data Protection Act 2018" in texts
    for item in marked:
        assert item["dir"] == "ltr", item
        assert item["direction"] == "ltr", item
        assert "Nastaliq" not in item["font"], item

    english = page.get_by_role("navigation", name="ایک زبان چنیں").locator('[hreflang="en"]')
    assert english.get_attribute("lang") == "en"
    assert english.get_attribute("dir") == "ltr"


def test_what_a_person_types_follows_its_own_direction(
    page: Any, live_server: Any, live_reference_data: None
) -> None:
    from bridgeway.accounts.models import Organisation
    from bridgeway.accounts.tests.factories import OrganisationFactory
    from bridgeway.conftest import WEST_YORKSHIRE

    OrganisationFactory(
        name="West Yorkshire Hate Reporting Centre",
        kind=Organisation.Kind.REPORTING_CENTRE,
        area_codes=[WEST_YORKSHIRE],
    )
    page.goto(live_server.url + "/ur/report/")
    fields = page.evaluate(
        """() => Array.from(document.querySelectorAll(
             'main textarea, main input[type="text"], main input[type="email"], main input[type="tel"]'
           )).map((field) => [field.name, field.getAttribute("dir")])"""
    )
    assert len(fields) >= 3, fields
    assert all(direction == "auto" for _name, direction in fields), fields
