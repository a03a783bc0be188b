"""The one-way arrows of docs/architecture.md, checked on the source so they stay true."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2]
APPS = (
    "throttles",
    "equality",
    "places",
    "accounts",
    "directory",
    "casework",
    "frontdoor",
    "insight",
    "commissioning",
    "operations",
    "site",
    "demo",
)

# What each app may import, outside its tests and migrations (docs/architecture.md).
ALLOWED = {
    # Counting tries and recognising devices; it knows nothing of the domain.
    "throttles": set(),
    "equality": set(),
    "places": {"equality"},
    "accounts": {"places", "equality", "throttles"},
    "directory": {"equality", "places", "accounts"},
    "casework": {"directory", "accounts", "places", "equality", "throttles"},
    "frontdoor": {"directory", "casework", "accounts", "places", "equality", "site", "throttles"},
    "insight": {"equality", "places", "accounts", "directory", "casework"},
    # casework only for the audit log (services.audit_record); insight for coverage gaps.
    "commissioning": {"accounts", "directory", "places", "equality", "casework", "insight"},
    # Jobs name the functions they run by dotted path, so it imports no app's work.
    "operations": {"accounts", "throttles"},
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
    "throttles/client_address.py",
    "casework/young_people.py",
    "casework/follow_up_grant.py",
    "disclosure/statistics.py",
    "disclosure/suppression.py",
    "insight/figures.py",
    "commissioning/figures.py",
    "equality/vocabulary.py",
    "private_files.py",
    "directory/query_patterns.py",
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


# The one module of insight allowed to read case records: it turns them into the snapshot.
SNAPSHOT_WRITER = "insight/snapshot_write.py"


def test_insight_reads_case_records_only_to_make_the_snapshot() -> None:
    assert (PACKAGE / SNAPSHOT_WRITER).is_file(), f"{SNAPSHOT_WRITER} has moved; update the test"
    readers = {
        str(path.relative_to(PACKAGE))
        for path in _sources("insight")
        if "casework" in _imported_apps(path)
    }
    assert not readers - {SNAPSHOT_WRITER}, sorted(readers - {SNAPSHOT_WRITER})


@pytest.mark.parametrize("module", PURE_MODULES)
def test_pure_logic_has_no_django_in_it(module: str) -> None:
    django_imports = {
        name for name in _imported_modules(PACKAGE / module) if name.split(".")[0] == "django"
    }
    assert not django_imports, f"{module} imports {sorted(django_imports)}"


def _drawn_arrows() -> dict[str, set[str]]:
    """The arrows of docs/architecture.md's drawing: ``app ---> a, b, c`` per line."""
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    drawing = text.split("## The parts and their arrows", 1)[1].split("```")[1]
    arrows: dict[str, set[str]] = {}
    for line in drawing.splitlines():
        head, arrow, tail = line.strip().partition(">")
        app = head.split(" ")[0]
        if app not in APPS or app in {"demo", "site"}:
            continue
        # A line with no arrow ("equality  (nothing)") draws an app that imports no other.
        named = {word.strip(",;") for word in tail.split()} if arrow else set()
        arrows[app] = named & set(APPS)
    return arrows


@pytest.mark.parametrize("app", [app for app in APPS if app not in {"demo", "site"}])
def test_the_drawing_in_the_docs_shows_every_arrow_the_code_has(app: str) -> None:
    imported = {
        other
        for path in _sources(app)
        for other in _imported_apps(path) & set(APPS)
        if other != app
    }
    assert _drawn_arrows().get(app) == imported
