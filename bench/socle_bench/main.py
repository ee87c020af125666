"""``make bench`` / ``make soak``: every server side by side, one run, results under docs/.

Usage (bench/run sets the environment up): ``python -m socle_bench [--quick] [--only KEY,…]
[--soak MINUTES]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import signal
import sys
import time
from pathlib import Path

from socle_bench import browser, hashrate, report, soak
from socle_bench.common import DOCS, WORK, free_port, log
from socle_bench.peers import PEERS
from socle_bench.servers import (
    Server,
    ceiling_server,
    hash_ceiling_server,
    peer_server,
    socle_pg_redis,
    socle_sqlite,
)
from socle_bench.wrkrun import Measure, run_wrk

SESSIONS = 16
SINGLE_URL_CONNECTIONS = 16
LOGIN_CONNECTIONS = 8
MIX_CONNECTIONS = 8
VALIDATIONS = ("validate", "p3", "saml")
ROUNDS = 2  # each scenario is measured this many times on every server; the best rate is kept


def build_servers(only: set[str] | None) -> list[Server]:
    database_url = os.environ.get("SOCLE_BENCH_DATABASE_URL", "")
    redis_url = os.environ.get("SOCLE_BENCH_REDIS_URL", "")
    servers = [socle_sqlite()]
    if database_url and redis_url:
        servers.append(socle_pg_redis(database_url, redis_url))
    else:
        log("PostgreSQL/Redis absents : Socle (PostgreSQL + Redis) n'est pas mesuré")
    servers += [peer_server(peer) for peer in PEERS]
    servers.append(ceiling_server())
    servers.append(hash_ceiling_server())
    if only:
        servers = [s for s in servers if s.key in only]
    return servers


def open_sessions(server: Server, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    if server.session_cookie_fallback:
        cookies = [server.session_cookie_fallback]
    else:
        cookies = [browser.login(server.base_url)[0] for _ in range(SESSIONS)]
    (directory / "sessions.txt").write_text("\n".join(cookies) + "\n")


def _keep(measures: list[Measure], server: Server, measure: Measure) -> None:
    log(
        f"  {server.key:<20} {measure.scenario:<9} {measure.ops_per_s:>8.1f} op/s  "
        f"{measure.server_cpu_ms_per_op:>7.2f} ms CPU/op  p99 {measure.p99_ms:>7.1f} ms  "
        f"erreurs {measure.errors}"
        + (f"  ({measure.first_failure[:120]})" if measure.first_failure else "")
    )
    measures.append(measure)


def _start(server: Server) -> Path:
    directory = WORK / server.key / "wrk"
    for stale in directory.glob("tickets-*.txt"):
        stale.unlink()
    log(f"== {server.label}")
    server.prepare()
    server.start(free_port())
    open_sessions(server, directory)
    run_wrk(server, "hop", directory=directory, connections=8, duration=2)  # warm-up
    return directory


def _wanted(server: Server, scenario: str) -> bool:
    return not server.scenarios or scenario in server.scenarios


def best_of(rounds: list[Measure]) -> Measure:
    """The fastest of several measures of one server and scenario, with every round's failures.

    Other work on a shared machine only slows a server down, so the best rate is the steadiest
    estimate of what it can do; the same rule applies to every server. No failure is hidden:
    wrong answers, timeouts and socket errors are summed over all rounds."""
    best = max(rounds, key=lambda m: m.ops_per_s)
    return dataclasses.replace(
        best,
        failed=sum(m.failed for m in rounds),
        timeouts=sum(m.timeouts for m in rounds),
        socket_errors=sum(m.socket_errors for m in rounds),
        first_failure=next((m.first_failure for m in rounds if m.first_failure), ""),
    )


def bench_servers(
    servers: list[Server], duration: float, rounds: int = ROUNDS, *, hash_processes: int = 0
) -> tuple[list[Measure], list[float]]:
    """Every server started, then each scenario run on one server after the other, ``rounds``
    times over, keeping each server's best round (:func:`best_of`).

    Interleaved rather than server after server: the measures of one scenario are taken within
    a minute or two of each other, so that a slow spell of this shared machine (other tenants,
    a noisy neighbour) weighs on all servers alike instead of on whichever ran then.

    The raw hash rate joins the login rounds the same way (``hash_processes`` processes hashing
    for ``duration`` seconds before each round's servers): the logins are then compared with
    a limit measured in the same minutes, over windows of the same length, best kept alike.
    Returns the measures and those raw rates (hashes/s)."""
    beside: list[float] = []
    measures: list[Measure] = []
    directories: dict[str, Path] = {}
    connections = {"login": LOGIN_CONNECTIONS, "mix": MIX_CONNECTIONS}
    try:
        for server in servers:
            directories[server.key] = _start(server)
        for scenario in ("hop", *VALIDATIONS, "login", "mix"):
            log(f"-- {scenario}")
            taken: dict[str, list[Measure]] = {}
            for _ in range(rounds):
                if scenario == "login" and hash_processes:
                    beside.append(hashrate.measure_once(hash_processes, duration))
                    log(f"  hachage brut ({hash_processes} processus) {beside[-1]:.1f}/s")
                for server in servers:
                    if not _wanted(server, scenario):
                        continue
                    directory = directories[server.key]
                    if scenario in VALIDATIONS:
                        run_wrk(
                            server,
                            "mint",
                            directory=directory,
                            connections=SINGLE_URL_CONNECTIONS,
                            duration=duration * 1.5,  # tickets must outlast the validation run
                        )
                    measure = run_wrk(
                        server,
                        scenario,
                        directory=directory,
                        connections=connections.get(scenario, SINGLE_URL_CONNECTIONS),
                        duration=duration,
                    )
                    _keep(taken.setdefault(server.key, []), server, measure)
            measures += [best_of(kept) for kept in taken.values()]
    finally:
        for server in servers:
            server.stop()
    return measures, beside


def machine_info() -> dict[str, object]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/run")
    parser.add_argument("--quick", action="store_true", help="measures of 2 s instead of 5 s")
    parser.add_argument("--only", default="", help="server keys, comma-separated")
    parser.add_argument(
        "--soak",
        type=float,
        nargs="?",
        const=30.0,
        default=0,
        help="soak test of N minutes (30 by default) instead of the benchmark",
    )
    parser.add_argument("--output", default=str(DOCS), help="where the report goes")
    parser.add_argument(
        "--skip-extra", action="store_true", help="without bench/aaf.py and pronote_matching.py"
    )
    args = parser.parse_args(argv)
    # The servers run in sessions of their own (a Ctrl-C in the terminal does not reach them):
    # a SIGTERM, like a Ctrl-C, unwinds through the ``finally`` blocks that stop them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    output = Path(args.output)
    output.mkdir(parents=True, exist_ok=True)
    WORK.mkdir(parents=True, exist_ok=True)
    only = {k.strip() for k in args.only.split(",") if k.strip()} or None

    if args.soak:
        # 30 minutes of the production configuration (SQLite when PostgreSQL/Redis are absent).
        candidates = [x for x in build_servers(only) if x.key.startswith("socle")]
        chosen = [x for x in candidates if only or x.key == "socle-pg-redis"] or candidates[:1]
        return soak.main(chosen, args.soak, output)

    # Two rounds of 5 s per measure (best kept) take as long as one of 10 s.
    duration = 2.0 if args.quick else 5.0
    started = time.time()
    info = machine_info()
    log(f"machine : {info}")
    log("limite physique : hachages Argon2id par seconde…")
    limits = hashrate.hash_limits(int(info["cores"]))  # type: ignore[arg-type]
    log(f"  {limits}")
    servers = build_servers(only)
    results: list[dict[str, object]] = []
    versions: dict[str, str] = {}
    for server in servers:
        versions[server.key] = server.versions()
    measures, beside = bench_servers(servers, duration, hash_processes=int(limits["cores"]))
    results += [m.as_dict() for m in measures]
    extra = {} if args.skip_extra else report.run_extra_benchmarks()
    data = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "duration_s": duration,
        "rounds": ROUNDS,
        "machine": info,
        "hash_limits": limits,
        "hash_beside_logins": beside,  # raw hashes/s with every core, one per login round
        "servers": {s.key: s.label for s in servers},
        "versions": versions,
        "connections": {
            "single_url": SINGLE_URL_CONNECTIONS,
            "login": LOGIN_CONNECTIONS,
            "mix": MIX_CONNECTIONS,
            "sessions": SESSIONS,
        },
        "results": results,
        "extra": extra,
        "wall_s": round(time.time() - started, 1),
    }
    (output / "results.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    report.write(data, output)
    log(f"rapport : {output / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
