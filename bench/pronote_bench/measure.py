"""The measured phase: PRONOTE's files imported end to end, with time, CPU and peak memory.

Runs in its own process, after ``django.setup()``: Django and Socle are imported inside the
function.
"""

from __future__ import annotations

import os
import resource
import time
from pathlib import Path


def import_files(files: list[tuple[str, str]]) -> dict[str, object]:
    from socle.directory.models import Establishment
    from socle.pronote.importer.csv_report import report_csv
    from socle.pronote.importer.session import load_file, start_import
    from socle.pronote.importer.steps import run_automatic
    from socle.pronote.models import ImportRow

    rows = recognised = 0
    started = time.perf_counter()
    cpu_started = time.process_time()
    for uai, path in files:
        establishment = Establishment.objects.get(uai=uai)
        parsed = load_file(Path(path).read_bytes(), Path(path).name, uai)
        session = run_automatic(
            start_import(parsed, establishment, "complet", source_name=Path(path).name)
        )
        report_csv(session)
        rows += len(parsed.records)
        recognised += ImportRow.objects.filter(session=session, status="recognised").count()
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "cpu": time.process_time() - cpu_started,
        "rows": rows,
        "recognised": recognised,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "load": os.getloadavg()[0],
    }
