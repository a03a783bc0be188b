"""``bridgeway export-directory``: the whole directory as Open Referral (HSDS 3) JSON or CSV.

Nothing is ever half-written: the export goes to a temporary file or folder beside ``--out``
and takes its place only when complete, so a council reading last night's package never
reads a broken one, and a failed export leaves the previous one as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import zipfile
from argparse import ArgumentParser
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError

from bridgeway.directory.openreferral.exchange import directory_export, directory_export_tabular

FORMATS = ("hsds-json", "csv")
# A feed with one problem in every service would otherwise bury the summary.
SHOWN_WARNINGS = 50


class Command(BaseCommand):
    help = (
        "Write every service as Open Referral (HSDS 3). hsds-json: a JSON list of compiled "
        "services, valid against the official schema. csv: HSDS's tabular data package, one "
        "CSV per table with datapackage.json, in a folder, or a zip file if --out ends in "
        ".zip. Confidential addresses are never written."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default="hsds-json",
            help="hsds-json (default): a JSON list of HSDS 3 compiled services. "
            "csv: the HSDS 3 tabular data package.",
        )
        parser.add_argument(
            "--out",
            help="File (hsds-json), or folder or .zip file (csv), to write; a previous export "
            "there is replaced. hsds-json writes to standard output without it.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["format"]
        if kind not in FORMATS:  # call_command does not always apply argparse's choices
            raise CommandError(f"--format {kind}: use one of {', '.join(FORMATS)}.")
        if kind == "csv":
            if not options["out"]:
                raise CommandError(
                    "--format csv writes several files: give --out FOLDER or --out FILE.zip."
                )
            self._csv(Path(options["out"]))
        elif options["out"]:
            self._json(Path(options["out"]))
        else:
            _write_json(sys.stdout)

    def _json(self, path: Path) -> None:
        _check_destination(path, folder=False)
        try:
            temporary = _temporary_file(path)
        except OSError as error:
            raise _unwritable(path, error) from None
        try:
            with temporary.open("w", encoding="utf-8") as handle:
                count = _write_json(handle)
            os.replace(temporary, path)
        except OSError as error:
            temporary.unlink(missing_ok=True)
            raise CommandError(
                f"--out {path}: {error.strerror or error}. Nothing written."
            ) from None
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        self.stderr.write(f"Wrote {count} services to {path}.")

    def _csv(self, path: Path) -> None:
        as_zip = path.suffix.lower() == ".zip"
        _check_destination(path, folder=not as_zip)
        try:
            work = Path(
                tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
            )
        except OSError as error:
            raise _unwritable(path, error) from None
        try:
            package = directory_export_tabular(work)
            if as_zip:
                _zip_into(work, path)
            else:
                _replace_folder(work, path)
        except OSError as error:
            raise CommandError(
                f"--out {path}: {error.strerror or error}. Nothing written."
            ) from None
        finally:
            shutil.rmtree(work, ignore_errors=True)
        for warning in package.warnings[:SHOWN_WARNINGS]:
            self.stderr.write(f"warning: {warning}")
        if len(package.warnings) > SHOWN_WARNINGS:
            by_file = Counter(w.split(": ")[1] for w in package.warnings)
            self.stderr.write(
                f"... and {len(package.warnings) - SHOWN_WARNINGS} more warnings. All of them, "
                "by file: "
                + ", ".join(f"{name} {count}" for name, count in sorted(by_file.items()))
            )
        rows = sum(package.counts.values())
        self.stderr.write(
            f"Wrote {package.counts['service']} services ({rows} rows in "
            f"{len(package.counts)} tables) to {path}"
            + (f", with {len(package.warnings)} warnings." if package.warnings else ".")
        )


def _check_destination(path: Path, *, folder: bool) -> None:
    """Refuse, before anything is read or written, a place the export cannot go."""
    parent = path.parent
    if not parent.is_dir():
        raise CommandError(f"--out {path}: the folder {parent} does not exist.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise CommandError(f"--out {path}: cannot write in the folder {parent}.")
    if folder:
        if path.exists() and not path.is_dir():
            raise CommandError(
                f"--out {path} is a file; give a folder for the CSV package (or a .zip path)."
            )
        if path.is_dir() and any(path.iterdir()) and not (path / "datapackage.json").is_file():
            raise CommandError(
                f"--out {path} is a folder with other files in it, not an earlier export; "
                "give an empty or new folder."
            )
    elif path.is_dir():
        raise CommandError(f"--out {path} is a folder; give a file name.")


def _unwritable(path: Path, error: OSError) -> CommandError:
    return CommandError(
        f"--out {path}: cannot write in the folder {path.parent} ({error.strerror or error})."
    )


def _temporary_file(path: Path) -> Path:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    return Path(name)


def _zip_into(folder: Path, path: Path) -> None:
    """Zip the package's files (datapackage.json first, at the root) and put it at ``path``."""
    temporary = _temporary_file(path)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.write(folder / "datapackage.json", "datapackage.json")
            for file in sorted(folder.glob("*.csv")):
                archive.write(file, file.name)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _replace_folder(folder: Path, path: Path) -> None:
    """Put the finished package at ``path``, replacing an earlier one only once it is whole."""
    if not path.exists():
        folder.rename(path)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".old", dir=path.parent))
    old.rmdir()
    path.rename(old)
    try:
        folder.rename(path)
    except OSError:
        old.rename(path)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_json(handle: TextIO) -> int:
    """Stream the services one at a time, so a large directory never sits in memory twice."""
    count = 0
    handle.write("[")
    for service in directory_export():
        handle.write(",\n" if count else "\n")
        handle.write(json.dumps(service, ensure_ascii=False, sort_keys=True))
        count += 1
    handle.write("\n]\n")
    return count
