"""Rooms that stay small enough to read: no module too long, none hard to maintain.

The limits are issue 10's: no Python file outside migrations and tests over 800 lines, and
every module graded A or B by radon's maintainability index (C and below mean a module whose
size, branching and volume make it hard to change safely).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from radon.metrics import mi_rank, mi_visit

PACKAGE = Path(__file__).resolve().parents[2]
LONGEST_MODULE = 800


def _modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts and "tests" not in path.parts
    )


def test_there_are_modules_to_check() -> None:
    assert len(_modules()) > 100


@pytest.mark.parametrize("path", _modules(), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_a_module_is_short_and_maintainable(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    lines = source.count("\n")
    assert lines <= LONGEST_MODULE, f"{lines} lines: split it by what it holds"
    grade = mi_rank(mi_visit(source, multi=True))
    assert grade in {"A", "B"}, f"maintainability grade {grade}"
