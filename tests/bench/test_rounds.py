"""The benchmark keeps each server's best round without hiding any failure (bench/socle_bench)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from socle_bench.main import best_of  # noqa: E402
from socle_bench.wrkrun import Measure  # noqa: E402


def make_measure(
    ops_per_s: float, *, failed: int = 0, sockets: int = 0, first: str = ""
) -> Measure:
    return Measure(
        server="socle-pg-redis",
        scenario="hop",
        connections=16,
        ops=int(ops_per_s * 5),
        ok=int(ops_per_s * 5) - failed,
        failed=failed,
        requests=int(ops_per_s * 5),
        elapsed_s=5.0,
        ops_per_s=ops_per_s,
        server_cpu_ms_per_op=1.0,
        db_cpu_ms_per_op=0.1,
        wrk_cpu_ms_per_op=0.1,
        server_cpu_share=1.5,
        p50_ms=5.0,
        p95_ms=20.0,
        p99_ms=40.0,
        max_ms=80.0,
        socket_errors=sockets,
        timeouts=0,
        first_failure=first,
    )


def test_it_keeps_the_fastest_round() -> None:
    kept = best_of([make_measure(900.0), make_measure(1300.0), make_measure(1100.0)])

    assert kept.ops_per_s == 1300.0


def test_it_sums_the_failures_of_every_round() -> None:
    slow_and_failing = make_measure(800.0, failed=3, sockets=1, first="hop: 500")
    kept = best_of([slow_and_failing, make_measure(1300.0, sockets=2)])

    assert kept.ops_per_s == 1300.0
    assert kept.errors == 3
    assert kept.socket_errors == 3
    assert kept.first_failure == "hop: 500"


def _login_data(beside: list[float]) -> dict[str, object]:
    from dataclasses import replace

    rows = [
        make_measure(1300.0).as_dict(),
        replace(make_measure(70.0), scenario="login").as_dict(),
        replace(make_measure(80.0), server="ceiling-hash", scenario="login").as_dict(),
    ]
    return {
        "servers": {"socle-pg-redis": "Socle (PostgreSQL + Redis)", "ceiling-hash": "ceiling"},
        "results": rows,
        "hash_limits": {"per_core": 50.0, "machine": 95.0, "cores": 2, "ms_per_hash": 20.0},
        "hash_beside_logins": beside,
    }


def test_it_compares_logins_with_the_raw_limit_measured_beside_them() -> None:
    from socle_bench.report import targets

    checks = {c["target"]: c for c in targets(_login_data([84.0, 86.0]))}
    beside = next(c for t, c in checks.items() if "between the login runs" in t)
    start = next(c for t, c in checks.items() if "at the start of the run" in t)

    assert "best of 2: 86.0/s" in beside["target"]
    assert beside["measured"] == "70.0/s = 81%" and beside["met"] is True
    assert start["measured"] == "70.0/s = 74%" and start["met"] is False  # still reported


def test_it_reports_the_start_of_run_limit_alone_for_older_results() -> None:
    from socle_bench.report import targets

    found = [c["target"] for c in targets(_login_data([]))]

    assert not any("between the login runs" in t for t in found)
    assert any("at the start of the run" in t for t in found)
