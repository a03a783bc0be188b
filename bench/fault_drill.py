"""The fault drill of issue 18, item 4, at full length: counts of what survived, printed.

    scripts/with-postgres .venv/bin/python bench/fault_drill.py DIRECTORY \
        [--phase SECONDS] [--outage SECONDS] [--clients N]

Needs DATABASE_URL and DATABASE_OWNER_URL of a throwaway PostgreSQL server whose superuser is
``bridgeway`` (scripts/with-postgres gives all three). Migrates its database, loads the
reference data and the drill's few records, copies the server with ``pg_basebackup`` onto a
port of its own (so it may restart it), starts moto's S3 server, two ``bridgeway serve`` and
nginx (``bridgeway/site/tests/cluster.py``), and runs a stream of self-referrals and reports
through nginx for four phases of ``--phase`` seconds (default 20):

1. baseline: nothing fails;
2. one app server is SIGKILLed and started again;
3. PostgreSQL is restarted;
4. the object store is away for ``--outage`` seconds (default 30) while staff upload.

It prints, per phase, submissions acknowledged per second and the ratio to the baseline's,
then what clients were told beside what the database and the bucket hold. Exits 1 if anything
acknowledged is missing or doubled, or any answer was a 500, a 502, a stack trace or a 503
without Retry-After. Writes nothing into the checkout: its var folder, keys, logs and the
servers' files are under DIRECTORY (or temporary folders it removes).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _rate(times: list[float], start: float, end: float) -> float:
    return sum(start <= moment < end for moment in times) / max(end - start, 1e-9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path, help="a folder for the drill's own files")
    parser.add_argument("--phase", type=float, default=20.0, help="seconds a phase (20)")
    parser.add_argument("--outage", type=float, default=30.0, help="store away, seconds (30)")
    parser.add_argument("--clients", type=int, default=3, help="people sending at once (3)")
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("run it under scripts/with-postgres (DATABASE_URL must be PostgreSQL)")
    args.directory.mkdir(parents=True, exist_ok=True)
    os.environ["BRIDGEWAY_VAR_DIR"] = str(args.directory.resolve() / "var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
    bridgeway = str(Path(sys.executable).parent / "bridgeway")
    for command in (["migrate", "--noinput", "-v0"], ["load-reference-data", "-v0"]):
        subprocess.run(
            [bridgeway, *command],
            check=True,
            env={**os.environ, "BRIDGEWAY_DATABASE_ROLE": "owner", "PYTHONPATH": str(ROOT)},
        )

    import django

    django.setup()
    import dj_database_url
    import psycopg
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bridgeway.accounts.tests.conftest import code_for
    from bridgeway.accounts.tests.factories import TEST_PASSWORD
    from bridgeway.site.tests.cluster import (
        Cluster,
        PostgresCopy,
        http_status,
        server_environment,
        shared_secrets,
    )
    from bridgeway.site.tests.fault_drill import (
        BUCKET,
        REGION,
        Store,
        Stream,
        Uploads,
        findings,
        staff_session,
    )
    from bridgeway.site.tests.test_fault_drill import drill_site

    service, admin, upload_to = drill_site()
    database = dj_database_url.parse(os.environ["DATABASE_URL"])
    store = Store()
    store.start()
    store.bucket()
    copy = PostgresCopy(host=database["HOST"], port=database["PORT"], superuser="bridgeway")
    cluster = None
    try:
        copy.create()
        copy.start()
        cluster = Cluster(
            server_environment(
                database_url=copy.url(database["USER"], database["NAME"]),
                secrets=shared_secrets(settings),
                extra={
                    "BRIDGEWAY_PUBLIC_SUBMISSION_LIMIT": "1000000",
                    "BRIDGEWAY_MEDIA_BUCKET": BUCKET,
                    "BRIDGEWAY_S3_ENDPOINT_URL": store.endpoint,
                    "BRIDGEWAY_S3_REGION": REGION,
                    "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing",
                },
            ),
            count=2,
            folder=args.directory.resolve() / "cluster",
        )
        cluster.start()
        device = TOTPDevice.objects.get(user=admin, confirmed=True)
        staff = staff_session(cluster.url, admin.email, TEST_PASSWORD, lambda: code_for(device))
        stream = Stream(cluster.url, f"/en/services/{service.id}/refer/", clients=args.clients)
        stream.start()
        phases: list[tuple[str, float, float, str]] = []

        def phase(name: str, act: object = None) -> None:
            began = time.monotonic()
            note = ""
            if callable(act):
                note = act()
            time.sleep(max(0.0, args.phase - (time.monotonic() - began)))
            phases.append((name, began, time.monotonic(), note or ""))

        def kill() -> str:
            began = time.monotonic()
            cluster.servers[0].kill()
            time.sleep(1)
            cluster.servers[0].start()
            cluster.servers[0].wait()
            return f"app server back in {time.monotonic() - began:.1f} s"

        def restart() -> str:
            began = time.monotonic()
            copy.restart()
            return f"PostgreSQL back in {time.monotonic() - began:.1f} s"

        uploads = Uploads(cluster.url, staff, upload_to, give_up=args.outage + 60)

        def outage() -> str:
            uploads.start()
            time.sleep(1)
            store.stop()
            time.sleep(args.outage)
            store.start()
            return f"store away {args.outage:.0f} s"

        phase("baseline")
        phase("app server killed", kill)
        phase("PostgreSQL restarted", restart)
        phase("object store away", outage)
        public = stream.stop()
        staff_tally = uploads.finish()
        recovered = all(
            http_status(f"http://{server.address}/healthz") == 200 for server in cluster.servers
        )
        with psycopg.connect(copy.url("bridgeway", database["NAME"])) as connection:
            references = [
                r[0] for r in connection.execute("SELECT reference FROM casework_referral")
            ]
            kept = {
                str(r[0]): r[1]
                for r in connection.execute(
                    "SELECT service_id, file FROM directory_serviceintroduction"
                )
            }
        objects = {
            item["Key"].removeprefix("media/")
            for item in store.client().list_objects_v2(Bucket=BUCKET).get("Contents", [])
        }
    finally:
        if cluster is not None:
            cluster.close()
        copy.close()
        store.stop()

    base = _rate(public.acknowledged_at, phases[0][1], phases[0][2])
    print(f"{'phase':<24}{'seconds':>8}{'acks/s':>8}{'ratio':>7}  note")
    for name, began, ended, note in phases:
        rate = _rate(public.acknowledged_at, began, ended)
        print(
            f"{name:<24}{ended - began:>8.1f}{rate:>8.2f}{rate / base if base else 0:>7.2f}  {note}"
        )
    result = findings(public, references)
    print(
        f"submissions started {result.started}, acknowledged {result.acknowledged}, "
        f"in the database {result.in_database}"
    )
    print(
        f"missing {len(result.missing)}, duplicated {result.duplicated}, "
        f"in the database unacknowledged {result.unacknowledged_in_database}, "
        f"sent again {result.retries}"
    )
    print(f"answers by status {result.answers}")
    print(
        f"uploads: started {staff_tally.started}, acknowledged {len(staff_tally.acknowledged)}, "
        f"kept {len(kept)}, files in the bucket {len(set(kept.values()) & objects)}, "
        f"answers {dict(sorted(staff_tally.answers.items()))}"
    )
    print(f"both app servers answering at the end: {recovered}")
    problems = result.problems + staff_tally.problems
    for problem in problems[:20]:
        print(f"problem: {problem}")
    sound = (
        result.sound
        and recovered
        and not staff_tally.problems
        and set(kept) == set(staff_tally.acknowledged)
        and set(kept.values()) <= objects
    )
    print("sound" if sound else "NOT SOUND")
    return 0 if sound else 1


if __name__ == "__main__":
    sys.exit(main())
