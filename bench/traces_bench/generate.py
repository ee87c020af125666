"""A region's directory and a year of traces, written in bulk (not timed).

Runs in its own process, after ``django.setup()``. People and memberships go through
``bulk_create``; the traces through one ``INSERT … SELECT`` over a generated series (PostgreSQL's
``generate_series``, a recursive CTE on SQLite) joined to a helper table of the people, so that
five million rows take a minute, not an hour. Every value derives from the row's number: two
runs of the same sizes write the same rows.
"""

from __future__ import annotations

import importlib
import sys
import time

PROFILES = ["National_ELV"] * 8 + ["National_TUT"] * 10 + ["National_ENS"] + ["National_ETA"]
# One trace in twenty of each kind (n %% 20): 30 % logins, 10 % logouts, 25 % tickets issued,
# 25 % validated, 5 % failed logins, 5 % access refused. A ticket's UAI is the person's school
# for a school's own service (PRONOTE, the CDI), empty for the ENT-wide ones.
EVENT_SQL = """CASE
  WHEN g %% 20 < 6 THEN 'login' WHEN g %% 20 < 8 THEN 'logout'
  WHEN g %% 20 < 13 THEN 'ticket_issued' WHEN g %% 20 < 18 THEN 'ticket_validated'
  WHEN g %% 20 = 18 THEN 'login_failed' ELSE 'access_denied' END"""
TICKET = "(g %% 20 >= 8 AND g %% 20 < 18)"
SERVICE_SQL = f"""CASE WHEN {TICKET} OR g %% 20 = 19 THEN
  CASE (g / 20) %% 4 WHEN 0 THEN 'pronote' WHEN 1 THEN 'moodle' WHEN 2 THEN 'mediacentre'
  ELSE 'cdi' END ELSE '' END"""
OWN_SERVICE = f"(({TICKET} OR g %% 20 = 19) AND (g / 20) %% 4 IN (0, 3))"
SERVICES = [("pronote", True), ("moodle", False), ("mediacentre", False), ("cdi", True)]


def school_sizes(schools: int, people: int, small: int, big: int) -> list[int]:
    """The first school is the small one, the second the big one, the others share the rest."""
    rest = people - small - big
    others = schools - 2
    return [small, big] + [rest // others + (1 if i < rest % others else 0) for i in range(others)]


def uai_of(index: int) -> str:
    return f"{9900000 + index:07d}{'ABCDEFGHJKLMNPRSTUVWXYZ'[index % 23]}"


def upgrade_fill(migration: str) -> float:
    """Runs the data part (``fill``) of a migration of ``portal``, if the code measured has that
    migration; returns its seconds."""
    from django.apps import apps
    from django.db import connection

    try:
        fill = importlib.import_module(f"socle.portal.migrations.{migration}").fill
    except ModuleNotFoundError:
        return 0.0
    started = time.perf_counter()
    with connection.schema_editor() as editor:  # atomic, as a migration's
        fill(apps, editor)
    return time.perf_counter() - started


def generate(schools: int, people: int, traces: int, small: int, big: int) -> dict[str, object]:
    from django.db import connection, transaction
    from django.utils import timezone

    from socle.directory.models import Establishment, Membership, Person
    from socle.portal.models import Service

    started = time.perf_counter()
    sizes = school_sizes(schools, people, small, big)
    establishments = Establishment.objects.bulk_create(
        [Establishment(uai=uai_of(i), name=f"Établissement {i}") for i in range(schools)]
    )
    for code, own in SERVICES:
        Service.objects.create(
            code=code,
            label=code.capitalize(),
            establishment=establishments[0] if own else None,
        )
    rows: list[tuple[int, str, str]] = []  # (person index, login, uais)
    index = 0
    for school, size in enumerate(sizes):
        batch = [
            Person(login=f"p{index + i:06d}", last_name=f"NOM{index + i}", first_name="Prénom")
            for i in range(size)
        ]
        created = Person.objects.bulk_create(batch, batch_size=5000)
        memberships = []
        for i, person in enumerate(created):
            profile = PROFILES[(index + i) % len(PROFILES)]
            memberships.append(
                Membership(person=person, establishment=establishments[school], profile=profile)
            )
            uais = [establishments[school].uai]
            # One parent in ten also has a child in the next school.
            if profile == "National_TUT" and (index + i) % 10 == 0 and schools > 1:
                other = establishments[(school + 1) % schools]
                memberships.append(Membership(person=person, establishment=other, profile=profile))
                uais.append(other.uai)
            rows.append((person.pk, person.login, " ".join(sorted(uais)), uais[0]))
        Membership.objects.bulk_create(memberships, batch_size=5000)
        index += size
    admins = {}
    for school in (0, 1):
        admin = Person.objects.create(login=f"admin{school}", last_name="ADMIN", first_name="A")
        Membership.objects.create(
            person=admin,
            establishment=establishments[school],
            profile="National_DIR",
            is_admin=True,
        )
        admins[establishments[school].uai] = admin.login
    directory_seconds = time.perf_counter() - started

    started = time.perf_counter()
    vendor = connection.vendor
    now = timezone.now().timestamp()
    step = 365 * 86400 / traces  # a year of retention, the oldest first (ids follow time)
    if vendor == "postgresql":
        series = "generate_series(1, %s) AS s(g)"
        at = f"to_timestamp({now} - (%s - g) * {step})"
        prefix = ""
    else:
        series = "s"
        at = f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {now} - (%s - g) * {step}, 'unixepoch')"
        prefix = "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %s) "
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_people (idx integer PRIMARY KEY, person_id bigint, "
            "login varchar(64), uais text, uai varchar(8))"
        )
        cursor.executemany(
            "INSERT INTO bench_people VALUES (%s, %s, %s, %s, %s)",
            [(i, *row) for i, row in enumerate(rows)],
        )
        count = len(rows)
        # Fixed expressions and integers of this script: no value from outside.
        sql = (
            "INSERT INTO portal_trace (at, event, outcome, person_id, actor_login, service_code,"  # noqa: S608
            " uai, profile, client_ip, detail, member_uais) "
            f"{prefix}SELECT {at}, {EVENT_SQL},"
            " CASE WHEN g %% 20 >= 18 THEN 'refused' ELSE 'ok' END,"
            " p.person_id, p.login, "
            f"{SERVICE_SQL},"
            f" CASE WHEN {OWN_SERVICE} THEN p.uai ELSE '' END, '', NULL, '',"
            f" CASE WHEN {OWN_SERVICE} THEN '' ELSE p.uais END"
            f" FROM {series} JOIN bench_people p ON p.idx = (g * 2654435761) %% {count}"
        )
        params = [traces, traces]
        cursor.execute(sql, params)
        cursor.execute("DROP TABLE bench_people")
    traces_seconds = time.perf_counter() - started
    # The rows of TraceScope, then their profiles, as the upgrade's migrations portal 0009 and
    # 0010 write them from the traces stored (when the code measured has them).
    scope_seconds = upgrade_fill("0009_trace_scope")
    profile_seconds = upgrade_fill("0010_tracescope_profile")
    print(
        f"{connection.vendor}: TraceScope filled in {scope_seconds:.1f} s, "
        f"its profiles in {profile_seconds:.1f} s",
        file=sys.stderr,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "people": people,
        "schools": schools,
        "traces": traces,
        "small": establishments[0].uai,
        "big": establishments[1].uai,
        "admins": admins,
        "directory_seconds": directory_seconds,
        "traces_seconds": traces_seconds,
        "scope_seconds": scope_seconds,
        "profile_seconds": profile_seconds,
    }
