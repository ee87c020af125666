"""AAF import benchmark: a synthetic full export read into a fresh SQLite database.

    .venv/bin/python bench/aaf.py [--people 200000] [--strict]

Generates the export in a temporary folder (socle.directory.aaf.synthetic), imports it with the
same code as ``socle directory_import --format aaf``, reads it a second time (nothing may change),
and prints a Markdown table: seconds per phase and the peak resident memory of the process.
Target (issue 4): 200,000 people read in under 2 minutes with under 1 GB. ``--strict`` exits 1
when a target is missed.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from django_setup import setup_django

TARGET_SECONDS = 120.0
TARGET_MB = 1024.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: kilobytes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--strict", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args(argv)
    people = max(10, min(args.people, 2_000_000))

    with tempfile.TemporaryDirectory(prefix="socle-bench-aaf-") as tmp:
        workdir = Path(tmp)
        setup_django(f"sqlite:///{workdir / 'bench.sqlite3'}", workdir)
        from django.core.management import call_command

        from socle.directory.aaf.importer import import_aaf
        from socle.directory.aaf.synthetic import write_export
        from socle.directory.models import Person

        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        write_export(workdir / "export", people=people)
        generated = time.perf_counter() - start

        start, cpu = time.perf_counter(), time.process_time()
        first = import_aaf(workdir / "export")
        first_seconds = time.perf_counter() - start
        first_cpu = time.process_time() - cpu
        peak_first = _peak_mb()

        start, cpu = time.perf_counter(), time.process_time()
        second = import_aaf(workdir / "export")
        second_seconds = time.perf_counter() - start
        second_cpu = time.process_time() - cpu
        peak = _peak_mb()
        imported = Person.objects.count()

    changed = sum(c.created + c.updated + c.deactivated for c in second.by_type.values())
    errors = len(first.errors) + len(second.errors)
    ok_time = first_seconds < TARGET_SECONDS
    ok_memory = peak < TARGET_MB
    print(f"### AAF import — {people:,} people requested, {imported:,} imported\n")
    print("| phase | seconds | CPU seconds | peak RSS (MB) | target |")
    print("|---|---:|---:|---:|---|")
    print(f"| generate the export | {generated:.1f} | — | — | — |")
    print(
        f"| first import (full) | {first_seconds:.1f} | {first_cpu:.1f} | {peak_first:.0f} | "
        f"< {TARGET_SECONDS:.0f} s, < {TARGET_MB:.0f} MB: {'ok' if ok_time else 'MISSED'} |"
    )
    print(
        f"| second import (unchanged) | {second_seconds:.1f} | {second_cpu:.1f} | {peak:.0f} | "
        f"{changed} change(s): {'ok' if changed == 0 else 'NOT IDEMPOTENT'} |"
    )
    print(f"\nRecords in error: {errors}. Peak memory: {'ok' if ok_memory else 'MISSED'}.")
    load = os.getloadavg()[0]
    print(f"Load average when done: {load:.1f} on {os.cpu_count()} CPU(s) (wall time suffers from")
    print("other jobs on a shared machine; CPU seconds do not).")
    if args.strict and not (ok_time and ok_memory and changed == 0 and errors == 0):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
