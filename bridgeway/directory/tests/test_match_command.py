"""``bridgeway match``: ranked services with reasons, as text or the API's JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def run(*arguments: str) -> str:
    out = StringIO()
    call_command("match", *arguments, stdout=out)
    return out.getvalue()


def test_json_output_has_the_shape_of_the_api_answer(directory):
    answer = json.loads(
        run("--postcode", "LS6 1AA", "--harm", "hate_incident", "--language", "pan", "--json")
    )
    assert answer["location"]["district"]["name"] == "Leeds"
    names = [r["name"] for r in answer["results"]]
    assert names == ["Hate Crime Unit", "Leeds Panjabi Helpline", "Bradford Urdu Hate Support"]
    assert set(answer["results"][0]) == {
        "service_id",
        "name",
        "organisation",
        "score",
        "reasons",
        "cautions",
        "covers_area",
        "independence",
    }
    assert "Workers speak Panjabi" in answer["results"][1]["reasons"]


def test_text_output_lists_services_with_reasons_and_cautions(directory):
    text = run(
        "--postcode",
        "LS6 1AA",
        "--harm",
        "hate_incident",
        "--language",
        "pan",
        "--independent-of-police",
    )
    assert "Services for LS6 1AA (Leeds; West Yorkshire)" in text
    assert "1. Leeds Panjabi Helpline (Leeds Community Support)" in text
    assert "   + Workers speak Panjabi" in text
    assert "   ! Waiting time about 6 weeks" in text
    assert text.index("Leeds Panjabi Helpline") < text.index("Hate Crime Unit")


def test_limit_and_age_are_applied(directory):
    answer = json.loads(run("--postcode", "LS6 1AA", "--age", "30", "--limit", "1", "--json"))
    assert len(answer["results"]) == 1


def test_nothing_fitting_prints_the_broadest_options(directory):
    text = run("--postcode", "LS6 1AA", "--harm", "fraud")
    assert "Nothing fits every need" in text
    assert "Hate Crime Unit" in text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--postcode", "nonsense!"], "'nonsense!' is not a postcode"),
        (["--postcode", "EH1 1YZ"], "not in England or Wales"),
        (
            ["--postcode", "LS6 1AA", "--harm", "bame"],
            "--harm 'bame' is not a known code. Valid codes: hate_incident",
        ),
        (
            ["--postcode", "LS6 1AA", "--language", "xx"],
            "--language 'xx' is not a known code. Valid codes: eng, cym",
        ),
        (["--postcode", "LS6 1AA", "--age", "200"], "--age 200"),
        (["--postcode", "LS6 1AA", "--limit", "0"], "--limit 0"),
    ],
)
def test_bad_input_is_a_clear_command_error(db, arguments, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*arguments)


def test_the_bridgeway_wrapper_exits_non_zero_naming_the_bad_code():
    finished = subprocess.run(
        [sys.executable, "-m", "bridgeway", "match", "--postcode", "LS6 1AA", "--harm", "bame"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode != 0
    assert "'bame' is not a known code" in finished.stderr
