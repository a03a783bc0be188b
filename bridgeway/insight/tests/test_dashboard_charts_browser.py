"""The insight chart as a commissioner sees it in Chromium, at 1280 px and on a 390 px phone
(issue 12, item 9): every bar's value is drawn whole inside its cell, and the small groups'
bars are long enough to see and compare beside West Yorkshire's large White British majority."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from bridgeway.accounts.models import User
from bridgeway.conftest import sign_in
from bridgeway.insight.tests.factories import LEEDS, person_events, write_snapshot

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    # The chart's drawing, on a few people: the 19 groups shown, not withheld as too sparse
    # (decision 0160), as in test_dashboard_charts.
    pytest.mark.usefixtures("raw_counts", "no_table_withheld"),
]

PEOPLE = {"white_british": 30, "asian_pakistani": 12, "asian_indian": 10, "black_african": 2}

# For each row of the needs assessment's chart: its group, each bar's drawn width and each
# value's box, with the box of the table cell the chart sits in.
CHART_ROWS = """() => {
  const heading = [...document.querySelectorAll('h2')]
    .find((h) => h.textContent.trim() === 'Referred share beside census share');
  let table = heading.nextElementSibling;
  while (table.tagName !== 'TABLE') table = table.nextElementSibling;
  return [...table.querySelectorAll('tbody tr')].map((row) => {
    const cell = row.querySelector('td').getBoundingClientRect();
    const box = (b) => ({left: b.left, right: b.right, width: b.width, height: b.height});
    return {
      group: row.querySelector('th').textContent.trim(),
      cell: box(cell),
      bars: [...row.querySelectorAll('rect')].map((r) => r.getBoundingClientRect().width),
      values: [...row.querySelectorAll('text')].map((t) => ({
        text: t.textContent.trim(), ...box(t.getBoundingClientRect()),
      })),
    };
  });
}"""


@pytest.fixture
def commissioner_page(
    browser: Any,
    live_server: Any,
    live_reference_data: None,
    commissioner: User,
    snapshot_dir: Path,
) -> Iterator[Any]:
    rows = [
        row
        for group, people in PEOPLE.items()
        for number in range(people)
        for row in person_events(
            f"{group}-{number}", group, ["referred", "offered"], lad_code=LEEDS
        )
    ]
    # In the test's own folder, which the settings (and so the live server) point at.
    write_snapshot(snapshot_dir, rows)
    client = sign_in(Client(), commissioner)
    context = browser.new_context(locale="en-GB")
    context.route(lambda url: not url.startswith(live_server.url), lambda route: route.abort())
    context.add_cookies(
        [
            {"name": cookie.key, "value": cookie.value, "url": live_server.url}
            for cookie in client.cookies.values()
        ]
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/insight/")
    try:
        yield page
    finally:
        context.close()


def _row(rows: dict[str, Any], ending: str, but_not: str = "") -> Any:
    """The one row whose group's name ends with ``ending`` (names vary in their prefix)."""
    found = [r for g, r in rows.items() if g.endswith(ending) and not (but_not and but_not in g)]
    assert len(found) == 1, (ending, list(rows))
    return found[0]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_value_is_drawn_whole_and_small_groups_can_be_seen(
    commissioner_page: Any, width: int
) -> None:
    page = commissioner_page
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_timeout(100)
    rows = {row["group"]: row for row in page.evaluate(CHART_ROWS)}
    assert rows, "the chart has no rows"
    for group, row in rows.items():
        # Two values per group (census share, referred share), each a percentage, drawn whole
        # inside the group's cell: nothing cut off at the cell's or the screen's edge.
        assert len(row["values"]) == 2, group
        for value in row["values"]:
            # A share, or [c] where disclosure control hides the number.
            assert value["text"].endswith("%") or value["text"] == "[c]", (group, value)
            assert value["width"] > 0, (group, value)
            assert value["height"] > 0, (group, value)
            assert value["left"] >= row["cell"]["left"] - 0.5, (group, width, value)
            assert value["right"] <= row["cell"]["right"] + 0.5, (group, width, value)
            assert value["right"] <= width, (group, width, value)
    # West Yorkshire's residents are about 73 % White British and 3 % Indian; drawn against
    # the majority the Indian census bar would be about 4 % of it, a sliver on a phone. Cut
    # as it is, it is a bar one can see and set beside the others.
    majority = max(_row(rows, "Northern Irish or British")["bars"])
    indian_census = _row(rows, "Indian")["bars"][0]
    black_african_census = _row(rows, "African", but_not="White and")["bars"][0]
    assert indian_census >= 6, (width, indian_census)
    assert black_african_census >= 6, (width, black_african_census)
    assert indian_census / majority > 0.1, (width, indian_census, majority)
    assert "are cut short, where a white break mark shows" in page.content()
