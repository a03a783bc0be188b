"""The one-way arrows of docs/architecture.md, checked on the source so they stay true."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
APPS = (
    "equality",
    "places",
    "accounts",
    "directory",
    "casework",
    "frontdoor",
    "insight",
    "commissioning",
    "site",
    "demo",
)

# What each app may import, outside its tests and migrations (docs/architecture.md).
ALLOWED = {
    "equality": set(),
    "places": {"equality"},
    "accounts": {"places", "equality"},
    "directory": {"equality", "places", "accounts"},
    "casework": {"directory", "accounts", "places", "equality"},
    "frontdoor": {"directory", "casework", "accounts", "places", "equality", "site"},
    "insight": {"equality", "places", "accounts", "directory", "casework"},
    "commissioning": {"accounts", "directory", "places", "equality"},
    "site": set(APPS) - {"demo"},
    # The demo generator writes through every app's services; nothing but itself imports it.
    "demo": set(APPS),
}
PURE_MODULES = (
    "places/postcodes.py",
    "directory/matching.py",
    "directory/openreferral/listing.py",
    "directory/openreferral/terms.py",
    "directory/openreferral/reading.py",
    "directory/openreferral/hsds.py",
    "directory/openreferral/tabular.py",
    "directory/public_text.py",
    "casework/audit_chain.py",
    "casework/safe_contact.py",
    "casework/stages.py",
    "casework/consent_lifetime.py",
    "casework/client_address.py",
    "casework/young_people.py",
    "casework/follow_up_grant.py",
    "insight/statistics.py",
    "insight/suppression.py",
    "equality/vocabulary.py",
    "spreadsheet_cells.py",
)


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def _imported_apps(path: Path) -> set[str]:
    return {name.split(".")[1] for name in _imported_modules(path) if name.startswith("bridgeway.")}


def _sources(app: str) -> list[Path]:
    return [
        path
        for path in (PACKAGE / app).rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    ]


@pytest.mark.parametrize("app", APPS)
def test_app_imports_only_what_the_architecture_allows(app: str) -> None:
    wrong = {
        f"{path.relative_to(PACKAGE)} imports bridgeway.{other}"
        for path in _sources(app)
        for other in _imported_apps(path) & set(APPS)
        if other != app and other not in ALLOWED[app]
    }
    assert not wrong, sorted(wrong)


def test_nothing_imports_the_front_door() -> None:
    importers = {
        str(path.relative_to(PACKAGE))
        for app in APPS
        if app not in {"frontdoor"}
        for path in _sources(app)
        if "frontdoor" in _imported_apps(path)
    }
    assert not importers, sorted(importers)


def test_nothing_imports_the_demo() -> None:
    importers = {
        str(path.relative_to(PACKAGE))
        for app in APPS
        if app != "demo"
        for path in _sources(app)
        if "demo" in _imported_apps(path)
    }
    assert not importers, sorted(importers)


def test_insight_reads_case_records_only_to_make_the_snapshot() -> None:
    readers = {
        str(path.relative_to(PACKAGE))
        for path in _sources("insight")
        if "casework" in _imported_apps(path)
    }
    assert readers <= {"insight/services.py"}, sorted(readers)


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_logic_has_no_django_in_it(module: str) -> None:
    django_imports = {
        name for name in _imported_modules(PACKAGE / module) if name.split(".")[0] == "django"
    }
    assert not django_imports, f"{module} imports {sorted(django_imports)}"
