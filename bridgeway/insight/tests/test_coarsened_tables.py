"""Decision 0158: a table by the 19 ethnic groups too sparse to publish (decision 0155) is
shown by the five high-level groups where they show more, on the dashboard and in the files.

The five-group table is the roll-up a reader can ask for, cell for cell, so the attacker of
``test_attacker.py`` (which publishes every roll-up) sees nothing new; its tests and
``test_sparse_cross_tables.py`` still find no small count pinned.
"""

from __future__ import annotations

import csv
import io
import itertools
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from bridgeway.accounts.models import User
from bridgeway.conftest import WEST_YORKSHIRE, sign_in
from bridgeway.insight import breakdown
from bridgeway.insight.coarsening import five_groups_show_more
from bridgeway.insight.tests.factories import snapshot_row, write_snapshot

# One of the 19 groups in each high-level group.
ONE_OF_EACH = ("asian_indian", "black_african", "mixed_white_asian", "white_british", "other_arab")
ENGLISH = "Shown by the five high-level ethnic groups because too few people are spread"
WELSH = "Dangosir yn ôl y pum grŵp ethnig lefel uchel am fod rhy ychydig o bobl"
FILE_NOTE = "shown by the five high-level ethnic groups because too few people are spread"


def _people(how_many: int, stages: tuple[str, ...]) -> list[dict[str, Any]]:
    """People spread evenly over one group of each high-level group and two sexes."""
    rows = []
    for number, (group, sex) in zip(
        range(how_many), itertools.cycle(itertools.product(ONE_OF_EACH, ("female", "male")))
    ):
        rows += [
            snapshot_row(
                event_id=f"person-{number}-{stage}",
                person_key=f"person-{number}",
                case_key=f"case-{number}",
                stage=stage,
                ethnic_group=group,
                sex=sex,
            )
            for stage in stages
        ]
    return rows


def _section(page: str, anchor: str) -> str:
    return page[page.index(f'id="{anchor}"') :].split("<h2")[0]


def _dashboard(commissioner: User, query: dict[str, str], language: str = "en") -> str:
    commissioner.language = language
    commissioner.save(update_fields=["language"])
    client = sign_in(Client(), commissioner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("insight:dashboard"), {"area": WEST_YORKSHIRE, **query})
    assert response.status_code == 200
    return str(response.content.decode())


def test_the_five_groups_stand_in_only_where_they_show_more_stages():
    everything = ("referred", "offered", "accepted")
    assert five_groups_show_more(everything, ())
    assert five_groups_show_more(everything, ("offered", "accepted"))
    assert five_groups_show_more(("accepted",), ())
    assert not five_groups_show_more(everything, everything)
    assert not five_groups_show_more(("offered", "accepted"), ("offered", "accepted"))
    assert not five_groups_show_more((), ())  # nothing withheld: the 19 groups stay


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "sentence"), [("en", ENGLISH), ("cy", WELSH)])
def test_a_commissioner_sees_the_cross_table_by_the_five_groups_and_why(
    commissioner, snapshot_dir, language, sentence
):
    # 300 people referred, offered and accepting: under the 550 that ethnic group by sex
    # needs at the 19 groups (110 cells), over the 200 it needs at the five (40 cells).
    write_snapshot(snapshot_dir, _people(300, ("referred", "offered", "accepted")))
    page = _dashboard(commissioner, {"characteristic": "sex"}, language)
    intersections = _section(page, "intersections")
    assert sentence in intersections
    table = intersections.split("<tbody")[1]
    # Each high-level group by the two sexes, no [c] left, and none of the 19 groups.
    assert table.count('<th scope="row"') == 10
    assert "[c]" not in table
    assert ">Indian<" not in table
    if language == "en":
        assert "Asian, Asian British or Asian Welsh" in table
    assert "too few people here, spread over too many combinations" not in intersections


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "sentence"), [("en", ENGLISH), ("cy", WELSH)])
def test_a_commissioner_sees_the_funnel_by_the_five_groups_and_why(
    commissioner, snapshot_dir, language, sentence
):
    # 60 people through every stage: under the 110 the funnel needs at the 19 groups and the
    # missing answers (22 groups), over the 40 it needs at the five (8 groups).
    write_snapshot(snapshot_dir, _people(60, breakdown.FUNNEL_STAGES))
    page = _dashboard(commissioner, {"characteristic": "ethnic_group"}, language)
    funnel = _section(page, "funnel")
    assert sentence in funnel
    assert "[c]" not in funnel
    assert ">Indian<" not in funnel
    if language == "en":
        assert "Asian, Asian British or Asian Welsh" in funnel


def _csv_tables(text: str) -> list[list[str]]:
    """The rows under the table headers of a CSV with notes (notes and titles left out)."""
    lines = list(csv.reader(io.StringIO(text)))
    start = next(n for n, line in enumerate(lines) if line[:2] == ["area_code", "area_name"])
    return [line for line in lines[start:] if len(line) > 1]


@pytest.mark.django_db
def test_the_files_carry_the_five_group_rows_of_the_roll_up_and_say_why(
    commissioner_client, snapshot_dir
):
    write_snapshot(snapshot_dir, _people(300, ("referred", "offered", "accepted")))
    query = {"area": WEST_YORKSHIRE, "characteristic": "sex"}
    url = reverse("insight:report-file", args=["intersections", "csv"])
    coarsened = commissioner_client.get(url, query).content.decode()
    rolled_up = commissioner_client.get(url, {**query, "roll_up": "on"}).content.decode()
    assert FILE_NOTE in coarsened
    assert FILE_NOTE not in rolled_up  # asked for, not stood in
    # The same columns, and the same rows as the roll-up a reader can ask for: the
    # high-level groups' codes mark them, and nothing new is published.
    tables = _csv_tables(coarsened)
    assert tables == _csv_tables(rolled_up)
    assert tables[0] == list(breakdown.intersections_header())
    codes = {line[tables[0].index("group_1")] for line in tables[1:]}
    assert {"asian", "black", "mixed", "white", "other"} <= codes
    assert "asian_indian" not in codes

    xlsx = reverse("insight:report-file", args=["intersections", "xlsx"])
    workbook = load_workbook(io.BytesIO(commissioner_client.get(xlsx, query).content))
    notes = [str(cell.value) for cell in workbook["Notes"]["B"] if cell.value]
    cover = [str(cell.value) for cell in workbook["Cover"]["A"] if cell.value]
    assert any(FILE_NOTE in note for note in notes)
    assert any(FILE_NOTE in line for line in cover)
    sheet = workbook["Table_1"]
    header = [cell.value for cell in sheet[3]]
    groups = {row[header.index("group_1")] for row in sheet.iter_rows(min_row=4, values_only=True)}
    assert {"asian", "black", "mixed", "white", "other"} <= groups


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "sentence", "pointer"),
    [
        (
            "en",
            "Even by the five high-level ethnic groups, too few people",
            "the five high-level ethnic groups may show more",
        ),
        (
            "cy",
            "Hyd yn oed yn ôl y pum grŵp ethnig lefel uchel",
            "pum grŵp ethnig lefel uchel yn dangos mwy",
        ),
    ],
)
def test_a_funnel_by_the_five_groups_with_a_stage_withheld_points_no_further_to_them(
    commissioner, snapshot_dir, language, sentence, pointer
):
    # 60 people through every stage but the last: the five groups show six stages, and
    # withhold "closed" (no one): the sentence for it does not send the reader to them.
    write_snapshot(snapshot_dir, _people(60, breakdown.FUNNEL_STAGES[:-1]))
    page = _dashboard(commissioner, {"characteristic": "ethnic_group"}, language)
    funnel = _section(page, "funnel")
    assert sentence in funnel
    assert pointer not in funnel
