"""``make soak``: Socle under a steady "Monday 8:00" load for N minutes; memory must stay flat."""

from __future__ import annotations

import json
import time
from pathlib import Path

from socle_bench.common import WORK, free_port, log
from socle_bench.servers import Server
from socle_bench.wrkrun import run_wrk

CYCLE_SECONDS = 20
MAX_GROWTH = 0.10  # after warm-up, the last samples may exceed the first ones by at most 10 %


def soak_server(server: Server, minutes: float) -> dict[str, object]:
    from socle_bench.main import open_sessions

    directory = WORK / server.key / "soak"
    server.prepare()
    server.start(free_port())
    samples: list[dict[str, float]] = []
    errors = 0
    ops = 0
    failures: list[str] = []
    try:
        open_sessions(server, directory)
        started = time.monotonic()
        deadline = started + minutes * 60
        cycle = 0
        while time.monotonic() < deadline:
            scenario = ("mix", "hop", "mint", "validate")[cycle % 4]
            measure = run_wrk(
                server, scenario, directory=directory, connections=8, duration=CYCLE_SECONDS
            )
            if scenario != "mint":
                errors += measure.errors
                if measure.errors and measure.first_failure:
                    failures.append(f"{scenario}: {measure.first_failure[:200]}")
            ops += measure.ok
            cycle += 1
            samples.append(
                {
                    "minute": round((time.monotonic() - started) / 60, 2),
                    "rss_mib": round(server.rss_kib() / 1024, 1),
                    "ops": ops,
                }
            )
            log(f"  soak {server.key} {samples[-1]} erreurs {errors}")
    finally:
        server.stop()
    third = max(1, len(samples) // 3)
    first = sum(s["rss_mib"] for s in samples[third : 2 * third]) / max(1, third)
    last = sum(s["rss_mib"] for s in samples[-third:]) / third
    growth = (last - first) / first if first else 0.0
    return {
        "server": server.label,
        "samples": samples,
        "errors": errors,
        "ops": ops,
        "growth": round(growth, 4),
        "flat": growth <= MAX_GROWTH,
    }


def main(servers: list[Server], minutes: float, output: Path) -> int:
    results = [soak_server(server, minutes) for server in servers]
    (output / "soak.json").write_text(json.dumps(results, indent=2) + "\n")
    lines = [
        "# Soak test",
        "",
        f"`make soak`: {minutes:g} minutes per server, cycles of "
        f"{CYCLE_SECONDS} s (mix, SSO hops, ticket minting, validations) with 8 connections; "
        "resident memory of the gunicorn master and workers after each cycle.",
        "",
        "| server | operations | errors | memory growth (middle third → last third) | flat |",
        "|---|---|---|---|---|",
    ]
    for result in results:
        lines.append(
            f"| {result['server']} | {result['ops']} | {result['errors']} | "
            f"{float(result['growth']):+.1%} | {'yes' if result['flat'] else '**no**'} |"
        )
    for result in results:
        for failure in result.get("failures", []):  # type: ignore[union-attr]
            lines.append(f"\n- first failure of a cycle ({result['server']}): `{failure}`")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        figure, axis = plt.subplots(figsize=(9, 4))
        for result in results:
            samples = result["samples"]
            axis.plot(
                [s["minute"] for s in samples],
                [s["rss_mib"] for s in samples],  # type: ignore[union-attr]
                label=str(result["server"]),
            )
        axis.set_xlabel("minutes")
        axis.set_ylabel("RSS of all server processes (MiB)")
        axis.set_ylim(bottom=0)
        axis.legend()
        axis.grid(alpha=0.3)
        figure.tight_layout()
        figure.savefig(output / "soak.png", dpi=110)
        lines += ["", "![soak.png](soak.png)"]
    except ImportError:
        pass
    (output / "soak.md").write_text("\n".join(lines) + "\n")
    return 0 if all(r["flat"] and r["errors"] == 0 for r in results) else 1
