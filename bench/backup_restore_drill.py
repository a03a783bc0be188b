"""The restore drill at size: back up and restore 100,000 cases on PostgreSQL, timed.

    scripts/with-postgres .venv/bin/python bench/backup_restore_drill.py [CASES] [--repeat N]

Needs DATABASE_URL and DATABASE_OWNER_URL of a PostgreSQL server whose owner role may create
databases (scripts/with-postgres gives both). Creates a source database, migrates it and
writes CASES (default 100,000) synthetic referrals for one organisation, each with its person,
contact preferences, two timeline events, a consent and two audit entries (one keyed chain).
Then, N times (default 3), times ``bridgeway backup`` into a temporary folder and
``bridgeway restore`` of it into a new database (which checks checksums, row counts, the audit
chain and every sealed value), and beside them the baseline: a plain ``pg_dump --format=custom``
of the same database and ``pg_restore`` of it into another new database. Prints the medians
and the ratios. Target (issue 17): backup and restore under 15 minutes on this machine.

Writes nothing into the checkout: its var folder, keys and backups are in a temporary
directory, and it drops the databases it made.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
CHUNK = 5000


def populate(cases: int) -> None:
    """Write the cases into the database the environment names (run in its own process)."""
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from bridgeway.accounts.models import Membership, Organisation, User
    from bridgeway.casework.audit_chain import GENESIS_HASH, chain_keys, entry_mac
    from bridgeway.casework.models import (
        AuditEntry,
        CaseEvent,
        Consent,
        ContactPreference,
        Person,
        Referral,
    )
    from bridgeway.casework.services.audit import audit_content
    from bridgeway.directory.models import Service

    organisation = Organisation.objects.create(
        name="Synthetic Drill Support", slug="drill-support", kind="specialist", is_synthetic=True
    )
    service = Service.objects.create(organisation=organisation, name="Drill", status="active")
    user = User.objects.create_user("drill@example.invalid", None, full_name="Drill Worker")
    Membership.objects.create(user=user, organisation=organisation, role="practitioner")
    key_id, key = max(chain_keys(settings.AUDIT_KEYS).items())
    previous, entry_id = GENESIS_HASH, 0
    now = timezone.now()
    for start in range(0, cases, CHUNK):
        numbers = range(start, min(start + CHUNK, cases))
        with transaction.atomic():
            people = Person.objects.bulk_create(
                Person(organisation=organisation, name=f"Drill Person {n}", is_synthetic=True)
                for n in numbers
            )
            ContactPreference.objects.bulk_create(
                ContactPreference(person=person, channels=["phone"], times="Evenings")
                for person in people
            )
            referrals = Referral.objects.bulk_create(
                Referral(
                    reference=f"BW-D{n:07d}",
                    organisation=organisation,
                    service=service,
                    person=person,
                    harm_types=["hate_crime"],
                    narrative=f"Synthetic account number {n}.",
                    stage="contacted",
                    received_at=now - dt.timedelta(minutes=n),
                    is_synthetic=True,
                )
                for n, person in zip(numbers, people, strict=True)
            )
            CaseEvent.objects.bulk_create(
                CaseEvent(referral=referral, kind="stage", stage=stage, occurred_at=now)
                for referral in referrals
                for stage in ("referred", "contacted")
            )
            Consent.objects.bulk_create(
                Consent(
                    person=person,
                    scope="named_worker",
                    recipient_organisation=organisation,
                    recipient_worker="Synthetic Named Worker",
                    given_at=now,
                    given_how="phone",
                    recorded_by=user,
                )
                for person in people
            )
            entries = []
            for referral in referrals:
                for action in ("referral.created", "referral.read"):
                    entry_id += 1
                    entry = AuditEntry(
                        id=entry_id,
                        at=now,
                        actor=user,
                        organisation=organisation,
                        action=action,
                        object_type="referral",
                        object_id=str(referral.pk),
                        detail={},
                        previous_hash=previous,
                        key_id=key_id,
                    )
                    entry.entry_hash = entry_mac(
                        audit_content(entry), previous, key_id=key_id, key=key
                    )
                    previous = entry.entry_hash
                    entries.append(entry)
            AuditEntry.objects.bulk_create(entries)


class Server:
    """The PostgreSQL server of DATABASE_OWNER_URL: databases made here, and their URLs."""

    def __init__(self) -> None:
        try:
            self.owner = os.environ["DATABASE_OWNER_URL"]
            self.app = os.environ["DATABASE_URL"]
        except KeyError:
            sys.exit("Run under scripts/with-postgres: DATABASE_URL and DATABASE_OWNER_URL.")
        self.made: list[str] = []

    def create(self) -> str:
        name = f"bw_drill_{uuid.uuid4().hex[:8]}"
        self._admin(f"CREATE DATABASE {name}")
        self.made.append(name)
        return name

    def environment(self, name: str, base: dict[str, str]) -> dict[str, str]:
        return {
            **base,
            "DATABASE_OWNER_URL": re.sub(r"/[^/]*$", f"/{name}", self.owner),
            "DATABASE_URL": re.sub(r"/[^/]*$", f"/{name}", self.app),
        }

    def drop_all(self) -> None:
        for name in self.made:
            self._admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.owner, autocommit=True) as connection:
            connection.execute(sql)  # type: ignore[arg-type]


def _timed(command: list[str], environment: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"{' '.join(command[:3])} failed:\n{result.stdout}{result.stderr}")
    return elapsed, result.stdout


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cases", nargs="?", type=int, default=100_000, help="cases (100,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, for medians (3)")
    parser.add_argument("--populate", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    arguments = _arguments()
    if arguments.populate:
        populate(arguments.cases)
        return
    from cryptography.fernet import Fernet

    server = Server()
    scratch = Path(tempfile.mkdtemp(prefix="bridgeway-drill-"))
    base = {
        **{name: value for name, value in os.environ.items() if not name.startswith("BRIDGEWAY_")},
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bridgeway.settings",
        "BRIDGEWAY_LOG_FORMAT": "text",
        "BRIDGEWAY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "BRIDGEWAY_AUDIT_KEYS": "drill audit key",
        "BRIDGEWAY_BACKUP_KEYS": Fernet.generate_key().decode(),
    }
    bridgeway = [PYTHON, "-m", "bridgeway"]
    try:
        source = server.environment(
            server.create(), {**base, "BRIDGEWAY_VAR_DIR": str(scratch / "s")}
        )
        _timed([*bridgeway, "migrate", "--noinput", "-v", "0"], source)
        took, _ = _timed([PYTHON, __file__, str(arguments.cases), "--populate"], source)
        print(f"{arguments.cases:,} cases written in {took:.0f} s")
        backups, restores, dumps, loads = [], [], [], []
        for run in range(arguments.repeat):
            out = scratch / f"backups-{run}"
            took, said = _timed([*bridgeway, "backup", "--out", str(out)], source)
            backups.append(took)
            folder = re.search(r"Backup written to (\S+)", said)[1]  # type: ignore[index]
            target = server.environment(
                server.create(), {**base, "BRIDGEWAY_VAR_DIR": str(scratch / f"t{run}")}
            )
            took, said = _timed([*bridgeway, "restore", folder], target)
            restores.append(took)
            if run == 0:
                print(said.strip())
            dump = scratch / f"plain-{run}.pgdump"
            took, _ = _timed(
                ["pg_dump", "--format=custom", f"--file={dump}", source["DATABASE_OWNER_URL"]],
                source,
            )
            dumps.append(took)
            plain = server.environment(server.create(), base)
            took, _ = _timed(
                ["pg_restore", "--no-owner", f"--dbname={plain['DATABASE_OWNER_URL']}", str(dump)],
                base,
            )
            loads.append(took)
        backup, restore = statistics.median(backups), statistics.median(restores)
        dump, load = statistics.median(dumps), statistics.median(loads)
        print(f"medians of {arguments.repeat}:")
        print(
            f"  bridgeway backup   {backup:7.1f} s   pg_dump    {dump:7.1f} s   ratio {backup / dump:.2f}"
        )
        print(
            f"  bridgeway restore  {restore:7.1f} s   pg_restore {load:7.1f} s   ratio {restore / load:.2f}"
        )
        total = backup + restore
        verdict = "under" if total < 15 * 60 else "OVER"
        print(f"  backup and restore {total:7.1f} s: {verdict} the 15-minute target")
    finally:
        server.drop_all()
        subprocess.run(["rm", "-rf", str(scratch)], check=False)


if __name__ == "__main__":
    main()
