"""``bridgeway snapshot`` of a million case events from PostgreSQL, against a plain COPY.

    scripts/with-postgres .venv/bin/python bench/snapshot_bench.py [EVENTS] [--repeat 3]
        [--workdir DIR]

In the throwaway PostgreSQL that ``DATABASE_URL`` names (it must hold no case events),
migrates, loads the reference data and writes EVENTS (default 1,000,000) synthetic stage
events in a few ``INSERT ... SELECT generate_series`` statements, not row by row: one event
per stage a referral reached (3 to 7 stages, 5 on average), so 200,000 referrals from
170,000 people (some referred twice) to 120 organisations with two services each, plus one
note per two referrals (which the snapshot must skip). One person in ten has no area, so their
events take the service's. Then times, in the same run:

* the baseline: ``COPY (SELECT ...) TO STDOUT`` of the same joined columns the snapshot reads,
  every byte fetched by the client;
* ``snapshot_write`` into an empty directory (a first run: every event).

Each of --repeat rounds (default 3) times the baseline and then the snapshot; prints the
medians, events per second (goal: at least 100,000) and the snapshot's rate as a share of
COPY's (goal: at least 0.5), each beside its goal. The snapshot goes to a temporary folder
(--workdir), never into the checkout.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

ORGANISATIONS = 120
SERVICES_PER_ORGANISATION = 2
EVENTS_PER_REFERRAL = 5  # 3 to 7 stages each
PEOPLE_PER_REFERRAL = 0.85

# Rough shares, in percent, of the people referred; the rest spread over the other groups.
ETHNIC_WEIGHTS = {
    "white_english_welsh_scottish_northern_irish_or_british": 55,
    "asian_pakistani": 6,
    "asian_indian": 5,
    "black_african": 5,
    "black_caribbean": 3,
    "asian_bangladeshi": 2,
    "mixed_white_and_black_caribbean": 2,
    "white_other": 5,
    "not_asked": 6,
    "prefer_not_to_say": 2,
}

STAGES = ["referred", "contacted", "assessed", "offered", "accepted", "started", "closed"]

# The columns the snapshot reads (snapshot_write._EVENT_FIELDS), joined the same way.
BASELINE_QUERY = """
COPY (
  SELECT e.id, e.stage, e.occurred_at, e.referral_id, r.person_id, r.organisation_id, o.kind,
         r.service_id, s.is_specialist, p.district_id, d.police_force_area_id,
         p.police_force_area_id, p.ethnic_group, p.age_band, p.sex, p.sexual_orientation,
         p.religion, p.disabilities, r.harm_types, r.hate_strands, r.channel, r.coped_better
  FROM casework_caseevent e
  JOIN casework_referral r ON r.id = e.referral_id
  JOIN casework_person p ON p.id = r.person_id
  JOIN accounts_organisation o ON o.id = r.organisation_id
  LEFT JOIN directory_service s ON s.id = r.service_id
  LEFT JOIN places_localauthoritydistrict d ON d.code = p.district_id
  WHERE e.kind = 'stage'
  ORDER BY e.id
) TO STDOUT
"""


def _weighted(codes: list[str], weights: dict[str, int]) -> list[str]:
    """A list of 100 codes in which each appears about as often as its weight says."""
    chosen = [code for code, weight in weights.items() for _ in range(weight) if code in codes]
    others = [code for code in codes if code not in weights]
    index = 0
    while len(chosen) < 100:
        chosen.append(others[index % len(others)])
        index += 1
    return chosen[:100]


def generate(events: int) -> int:
    """Write the organisations, services, people, referrals and events; return the stage events."""
    from django.db import connection, transaction

    from bridgeway.equality.vocabulary import vocabulary

    referrals = events // EVENTS_PER_REFERRAL
    people = max(1, int(referrals * PEOPLE_PER_REFERRAL))
    ethnic = _weighted(
        [*vocabulary("ethnic_groups").ordered_codes(), "not_asked", "prefer_not_to_say"],
        ETHNIC_WEIGHTS,
    )
    parameters = {
        "organisations": ORGANISATIONS,
        "services": SERVICES_PER_ORGANISATION,
        "people": people,
        "referrals": referrals,
        "ethnic": ethnic,
        "ages": vocabulary("age_bands").ordered_codes(),
        "sexes": vocabulary("sexes").ordered_codes(),
        "orientations": vocabulary("sexual_orientations").ordered_codes(),
        "religions": vocabulary("religions").ordered_codes(),
        "disabilities": vocabulary("disabilities").ordered_codes(),
        "harms": vocabulary("harm_types").ordered_codes(),
        "strands": vocabulary("hate_strands").ordered_codes(),
        "channels": vocabulary("referral_channels").ordered_codes(),
        "stages": STAGES,
    }
    statements = [
        # Organisations: a mix of kinds, specialist ones a quarter.
        """
        INSERT INTO accounts_organisation
          (created_at, updated_at, id, name, slug, kind, independence, website, is_synthetic)
        SELECT now(), now(), md5('organisation' || i)::uuid, 'Synthetic organisation ' || i,
               'bench-organisation-' || i,
               (ARRAY['specialist', 'universal', 'hub', 'reporting_centre'])[1 + i %% 4],
               'independent', '', true
        FROM generate_series(1, %(organisations)s) AS i
        """,
        """
        INSERT INTO directory_service
          (created_at, updated_at, id, name, description, url, email, phone, status,
           independence, is_specialist, accepts_out_of_area, self_referral,
           third_party_reporting, lived_experience, worker_gender_choice, trauma_informed,
           is_national, is_synthetic, organisation_id, area_not_known, confidential_address,
           extra, formats, restorative_justice, content_hash, stamp)
        SELECT now(), now(), md5('service' || o || '-' || k)::uuid,
               'Synthetic service ' || o || '-' || k, '', '', '', '', 'active', 'independent',
               o %% 4 = 1, k = 2, true, false, false, false, false, false, true,
               md5('organisation' || o)::uuid, false, '', '{}'::jsonb, '[]'::jsonb, false,
               '', 0
        FROM generate_series(1, %(organisations)s) AS o,
             generate_series(1, %(services)s) AS k
        """,
        # Each service covers one district.
        """
        WITH lads AS (SELECT array_agg(code ORDER BY code) AS codes
                      FROM places_localauthoritydistrict)
        INSERT INTO directory_service_districts (service_id, localauthoritydistrict_id)
        SELECT md5('service' || o || '-' || k)::uuid,
               lads.codes[1 + (o * 7 + k) %% cardinality(lads.codes)]
        FROM lads, generate_series(1, %(organisations)s) AS o,
             generate_series(1, %(services)s) AS k
        """,
        # People: one in ten with no area; characteristics spread over the vocabulary.
        """
        WITH lads AS (SELECT array_agg(code ORDER BY code) AS codes
                      FROM places_localauthoritydistrict)
        INSERT INTO casework_person
          (created_at, updated_at, id, name, email, phone, postcode, ethnic_group,
           ethnic_group_description, age_band, sex, sexual_orientation, religion, disabilities,
           disability_status, language, is_synthetic, district_id, organisation_id,
           police_force_area_id, date_of_birth)
        SELECT now(), now(), md5('person' || i)::uuid, '', '', '', '',
               (%(ethnic)s::text[])[1 + (i * 37) %% 100],
               '', (%(ages)s::text[])[1 + i %% cardinality(%(ages)s::text[])],
               (%(sexes)s::text[])[1 + i %% cardinality(%(sexes)s::text[])],
               (%(orientations)s::text[])[1 + (i / 3) %% cardinality(%(orientations)s::text[])],
               (%(religions)s::text[])[1 + (i / 7) %% cardinality(%(religions)s::text[])],
               CASE WHEN i %% 6 = 0
                    THEN jsonb_build_array((%(disabilities)s::text[])[
                         1 + (i / 6) %% cardinality(%(disabilities)s::text[])])
                    ELSE '[]'::jsonb END,
               CASE WHEN i %% 6 = 0 THEN 'recorded' ELSE 'not_asked' END, 'eng', true,
               CASE WHEN i %% 10 = 0 THEN NULL
                    ELSE lads.codes[1 + (i * 13) %% cardinality(lads.codes)] END,
               md5('organisation' || (1 + i %% %(organisations)s))::uuid, NULL, ''
        FROM lads, generate_series(1, %(people)s) AS i
        """,
        """
        INSERT INTO casework_referral
          (created_at, updated_at, id, reference, kind, channel, harm_types, hate_strands,
           narrative, stage, coped_better, received_at, is_synthetic, organisation_id,
           person_id, service_id, decline_reason, police_reference, referred_by)
        SELECT now(), now(), md5('referral' || j)::uuid, 'BW-' || j, 'referral',
               (%(channels)s::text[])[1 + j %% cardinality(%(channels)s::text[])],
               jsonb_build_array((%(harms)s::text[])[1 + j %% cardinality(%(harms)s::text[])]),
               CASE WHEN j %% 4 = 0
                    THEN jsonb_build_array((%(strands)s::text[])[
                         1 + (j / 4) %% cardinality(%(strands)s::text[])])
                    ELSE '[]'::jsonb END,
               '', (%(stages)s::text[])[3 + j %% 5],
               CASE WHEN j %% 5 = 4 THEN (j %% 3 <> 0) END,
               timestamptz '2024-04-01' + (j %% 730) * interval '1 day', true,
               md5('organisation' || (1 + j %% %(organisations)s))::uuid,
               md5('person' || (1 + j %% %(people)s))::uuid,
               CASE WHEN j %% 20 = 0 THEN NULL
                    ELSE md5('service' || (1 + j %% %(organisations)s) || '-'
                             || (1 + (j / 7) %% %(services)s))::uuid END,
               '', '', ''
        FROM generate_series(1, %(referrals)s) AS j
        """,
        # One stage event per stage reached (3 to 7), a day or two apart, in time order.
        """
        INSERT INTO casework_caseevent (kind, stage, text, occurred_at, referral_id)
        SELECT 'stage', (%(stages)s::text[])[k],  '',
               timestamptz '2024-04-01' + (j %% 730) * interval '1 day'
                 + (k - 1) * interval '36 hours' + (j %% 1440) * interval '1 minute',
               md5('referral' || j)::uuid
        FROM generate_series(1, %(referrals)s) AS j,
             generate_series(1, 7) AS k
        WHERE k <= 3 + j %% 5
        ORDER BY 4, j
        """,
        """
        INSERT INTO casework_caseevent (kind, stage, text, occurred_at, referral_id)
        SELECT 'note', '', '', timestamptz '2024-04-02' + (j %% 730) * interval '1 day',
               md5('referral' || j)::uuid
        FROM generate_series(2, %(referrals)s, 2) AS j
        """,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in statements:
            # Every statement takes parameters, so its modulo signs are written %%.
            cursor.execute(statement, parameters)
        cursor.execute("SELECT count(*) FROM casework_caseevent WHERE kind = 'stage'")
        row = cursor.fetchone()
        assert row is not None
        stage_events = int(row[0])
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return stage_events


def baseline() -> tuple[float, int]:
    """Seconds to COPY the joined columns to this process, and the bytes received."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    assert raw is not None
    started = time.perf_counter()
    received = 0
    with raw.cursor() as cursor, cursor.copy(BASELINE_QUERY) as copy:
        for block in copy:
            received += len(block)
    return time.perf_counter() - started, received


def snapshot(directory: Path) -> tuple[float, int]:
    """Seconds for a first ``snapshot_write`` into ``directory``, and the events it wrote."""
    from bridgeway.insight.snapshot_write import snapshot_write

    started = time.perf_counter()
    result = snapshot_write(out_dir=directory)
    return time.perf_counter() - started, result.events_written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", nargs="?", type=int, default=1_000_000)
    parser.add_argument(
        "--repeat", type=int, default=3, help="rounds, each baseline then snapshot (median)"
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="where the snapshot is written, in a temporary folder (default: the system's "
        "temporary directory; never the checkout's var/)",
    )
    arguments = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        parser.error("run under scripts/with-postgres: DATABASE_URL must name a PostgreSQL")

    # The bench writes its made-up events as the role that owns the tables (the site's own
    # role may only read and write rows, and cannot migrate).
    owner = os.environ.pop("DATABASE_OWNER_URL", "")
    if owner:
        os.environ["DATABASE_URL"] = owner

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
    django.setup()
    from django.core.management import call_command

    from bridgeway.casework.models import CaseEvent

    call_command("migrate", verbosity=0)
    call_command("load_reference_data", verbosity=0)
    if CaseEvent.objects.exists():
        parser.error("the database already holds case events; use a throwaway one")

    started = time.perf_counter()
    stage_events = generate(arguments.events)
    print(f"generated {stage_events:,} stage events in {time.perf_counter() - started:.1f} s")

    # Each round times the baseline and the snapshot back to back, so both see the same load
    # on a shared machine; the figures are the medians of the rounds, not the best.
    copy_times: list[float] = []
    snapshot_times: list[float] = []
    received = 0
    for _ in range(arguments.repeat):
        seconds, received = baseline()
        copy_times.append(seconds)
        with tempfile.TemporaryDirectory(dir=arguments.workdir) as folder:
            seconds, written = snapshot(Path(folder))
        if written != stage_events:
            raise SystemExit(f"the snapshot wrote {written:,} events, not {stage_events:,}")
        snapshot_times.append(seconds)
    copy_seconds = statistics.median(copy_times)
    ours = statistics.median(snapshot_times)
    copy_rate, rate = stage_events / copy_seconds, stage_events / ours
    rounds = f"median of {arguments.repeat}"
    print(
        f"baseline COPY:  {copy_seconds:6.2f} s  {copy_rate:>10,.0f} events/s"
        f"  ({received / 1e6:,.0f} MB; {rounds}: {_listed(copy_times)})"
    )
    print(
        f"snapshot_write: {ours:6.2f} s  {rate:>10,.0f} events/s  ({rounds}: {_listed(snapshot_times)})"
    )
    print(
        f"rate snapshot/COPY: {rate / copy_rate:.2f} "
        f"(goal >= 0.50: {'met' if rate / copy_rate >= 0.5 else 'NOT met'})"
    )
    print(f"goal at least 100,000 events/s: {'met' if rate >= 100_000 else 'NOT met'}")


def _listed(times: list[float]) -> str:
    return ", ".join(f"{t:.2f}" for t in times)


if __name__ == "__main__":
    main()
