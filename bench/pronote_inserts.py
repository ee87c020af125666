#!/usr/bin/env python3
"""CPU time of the PRONOTE importer's row inserts, measured in-process.

    .venv/bin/python bench/pronote_inserts.py postgres://socle:socle@127.0.0.1:5432/socle_x \
        [--rows 200000] [--repeat 3]

Writes ``--rows`` rows of an import (``ImportRow``, as ``start_import`` stores a file's records)
and as many identities (``PronoteIdentity``, as a step's plan writes them) with the importer's
own ``insert_rows``, each batch in a transaction rolled back afterwards, and prints the CPU time
of this process (``time.process_time()``: the client's share, not the server's, and not the
wall clock, which a shared machine's load skews) per batch, the best of ``--repeat``. The
database is migrated first; it should be a scratch one (people are added to it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

from django_setup import setup_django


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("database_url")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    setup_django(args.database_url, Path(tempfile.mkdtemp(prefix="pronote-inserts-")))

    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from socle.directory.models import Establishment, Person
    from socle.pronote.importer import plan, session
    from socle.pronote.models import ImportSession, PronoteIdentity

    school, _ = Establishment.objects.get_or_create(uai="0999999F", defaults={"name": "Bench"})
    bench_people = Person.objects.filter(login__startswith="bench.").values_list("pk", flat=True)
    people = list(bench_people[: args.rows])
    if len(people) < args.rows:
        Person.objects.bulk_create(
            Person(login=f"bench.{n}", last_name="BENCH", uid=f"bench{n:08d}x")
            for n in range(len(people), args.rows)
        )
        people = list(bench_people[: args.rows])
    birth = dt.date(2011, 5, 4)
    now = dt.datetime.now(dt.UTC)

    def import_rows(session_id: int) -> object:
        return (
            (session_id, "eleve", i, f"ligne {i}", f"P{i}", "DUPONT", "Léa", birth, "75001",
             "6A", "", [], "pending", None, "", "", [], [], "", "", [])
            for i in range(args.rows)
        )  # fmt: skip

    def identities() -> object:
        return (
            (pk, school.pk, f"P{i}", "eleve", "cas_id", None, now) for i, pk in enumerate(people)
        )

    best: dict[str, float] = {}
    for _ in range(args.repeat):
        with transaction.atomic():
            sid = ImportSession.objects.create(establishment=school, mode="complet").pk
            started = time.process_time()
            session.insert_rows(session.ImportRow, import_rows(sid), session.ROW_FIELDS)
            spent = time.process_time() - started
            best["ImportRow"] = min(best.get("ImportRow", spent), spent)
            started = time.process_time()
            plan.insert_rows(
                PronoteIdentity,
                identities(),
                ("person_id", "establishment_id", "pronote_id", "category", "method",
                 "source_id", "imported_at"),
            )  # fmt: skip
            spent = time.process_time() - started
            best["PronoteIdentity"] = min(best.get("PronoteIdentity", spent), spent)
            transaction.set_rollback(True)
    print(f"{connection.vendor}, {args.rows} rows, CPU seconds of this process", end=" ")
    print(f"(best of {args.repeat}):")
    for name, seconds in best.items():
        print(f"  {name}: {seconds:.2f} s ({seconds / args.rows * 1e6:.1f} µs a row)")


if __name__ == "__main__":
    main()
