#!/usr/bin/env python3
"""PRONOTE identifier import benchmark: a 1,600-person school and a 200,000-person region.

    .venv/bin/python bench/pronote_matching.py [--schools 125] [--per-school 1600] [--keep DIR]

Each scenario runs in two fresh processes on a fresh SQLite database (environment variables set
before ``django.setup()``): one builds the synthetic directory and PRONOTE's files (not timed),
the other imports them end to end — read and parse the file, open the import, match and validate
the six steps automatically (``--auto-only``), build the CSV report — and reports wall-clock
seconds and the peak resident memory of that process. The result is a Markdown table.

Scenarios:
- ``school``: one collège of 1,600 people (600 pupils, ~880 responsables, teachers, staff) in a
  directory of that size, its decrypted XML file;
- ``school-envelope``: the same file inside an EXPORT_INDEX_EDUCATION envelope (RSA + AES);
- ``region``: 125 such schools (200,000 people) in one directory; the 125 files imported one
  after the other, as a region's administrators would in September.

The synthetic files are not the directory verbatim: names upper-cased, accents dropped, hyphens
turned into spaces, mothers under their birth name, some pupils without birth date, 3 % of
newcomers missing from the directory, and the homonyms random names produce.

The generation and the measured import live in ``bench/pronote_bench/``; this script runs them.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from django_setup import setup_django
from pronote_bench.generate import generate, make_envelope
from pronote_bench.measure import import_files


def child(args: argparse.Namespace) -> None:
    workdir = Path(args.workdir)
    setup_django(
        f"sqlite:///{workdir / 'bench.sqlite3'}",
        workdir,
        SOCLE_PRONOTE_MAX_FILE_SIZE=str(500 * 1024 * 1024),
    )
    if args.phase == "generate":
        info = generate(workdir, args.schools, args.per_school, args.seed)
        if args.envelope:
            uai, xml_path = info["files"][0]  # type: ignore[index]
            path, key = make_envelope(workdir, uai, xml_path)
            info["files"] = [(uai, path)]
            info["key"] = key
        (workdir / "info.json").write_text(json.dumps(info))
    else:
        info = json.loads((workdir / "info.json").read_text())
        if "key" in info:
            from django.conf import settings

            settings.SOCLE_PRONOTE_PRIVATE_KEY = info["key"]
        from socle.pronote.models import ImportSession, PronoteIdentity

        PronoteIdentity.objects.all().delete()  # a first import, even on a reused directory
        ImportSession.objects.all().delete()
        result = import_files([tuple(f) for f in info["files"]])
        result["people"] = info["people"]
        print(json.dumps(result))


def run_scenario(
    name: str,
    schools: int,
    per_school: int,
    envelope: bool,
    keep: str | None,
    seed: int,
    reuse: bool = False,
) -> dict[str, object]:
    base = Path(keep) / name if keep else Path(tempfile.mkdtemp(prefix=f"pronote-bench-{name}-"))
    base.mkdir(parents=True, exist_ok=True)
    reuse = reuse and (base / "info.json").exists() and (base / "bench.sqlite3").exists()
    if not reuse:
        for old in [*base.glob("bench.sqlite3*"), base / "info.json"]:
            old.unlink(missing_ok=True)
    common = [
        sys.executable,
        __file__,
        "--phase",
        "",
        "--workdir",
        str(base),
        "--schools",
        str(schools),
        "--per-school",
        str(per_school),
        "--seed",
        str(seed),
    ]
    if envelope:
        common.append("--envelope")
    generate_cmd = list(common)
    generate_cmd[3] = "generate"
    if not reuse:
        subprocess.run(generate_cmd, check=True)  # noqa: S603 (this very script, fixed arguments)
    import_cmd = list(common)
    import_cmd[3] = "import"
    try:
        output = subprocess.run(  # noqa: S603 (this very script, fixed arguments)
            import_cmd, check=True, capture_output=True, text=True
        ).stdout
    finally:
        if not keep:  # a region's database and files weigh hundreds of MB: /tmp is not a bin
            shutil.rmtree(base, ignore_errors=True)
    result = json.loads(output.strip().splitlines()[-1])
    result["name"] = name
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phase", default="", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--envelope", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--schools", type=int, default=125, help="schools of the region")
    parser.add_argument("--per-school", type=int, default=1600)
    parser.add_argument("--seed", type=int, default=2011)
    parser.add_argument("--only", default="school,school-envelope,region")
    parser.add_argument("--keep", help="keep databases and files in this directory")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="with --keep: reuse the directory and files generated earlier",
    )
    args = parser.parse_args()
    if args.phase:
        child(args)
        return
    scenarios = {
        "school": (1, args.per_school, False, 1.0),
        "school-envelope": (1, args.per_school, True, 1.0),
        "region": (args.schools, args.per_school, False, 60.0),
    }
    print(
        "| scenario | people in directory | rows imported | recognised | seconds | CPU s "
        "| target | peak RSS (MB) | load avg |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in args.only.split(","):
        schools, per_school, envelope, target = scenarios[name]
        r = run_scenario(name, schools, per_school, envelope, args.keep, args.seed, args.reuse)
        share = 100 * int(r["recognised"]) / max(1, int(r["rows"]))
        verdict = "✓" if float(r["seconds"]) < target else "✗"
        print(
            f"| {name} | {r['people']:,} | {r['rows']:,} | {share:.1f} % | "
            f"{float(r['seconds']):.2f} | {float(r['cpu']):.2f} | < {target:g} s {verdict} | "
            f"{float(r['peak_mb']):.0f} | {float(r['load']):.1f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
