"""One wrk run of one scenario against one server, with CPU accounting around it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from socle_bench.common import BENCH, BENCH_LOGIN, BENCH_PASSWORD, SERVICE_URL
from socle_bench.servers import Server

LUA = BENCH / "lua" / "cas.lua"
CSRF_VALUE = "BenchCsrfSecretBenchCsrfSecret12"  # 32 characters: a valid Django CSRF secret


@dataclass
class Measure:
    server: str
    scenario: str
    connections: int
    ops: int
    ok: int
    failed: int
    requests: int
    elapsed_s: float
    ops_per_s: float
    server_cpu_ms_per_op: float
    db_cpu_ms_per_op: float
    wrk_cpu_ms_per_op: float
    server_cpu_share: float  # cores busy on the server during the run
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    socket_errors: int
    timeouts: int
    first_failure: str

    @property
    def errors(self) -> int:
        """Wrong or missing answers (socket errors are reported apart, see the report)."""
        return self.failed + self.timeouts

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["errors"] = self.errors
        return data


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk introuvable : apt-get install -y wrk (bench/run le fait en root)")
    return found


def run_wrk(
    server: Server,
    scenario: str,
    *,
    directory: Path,
    connections: int,
    duration: float,
    limit: int = 0,
) -> Measure:
    """Runs wrk with ``connections`` threads of one connection each, for at most ``duration``."""
    env = {
        **os.environ,
        "BENCH_SCENARIO": scenario,
        "BENCH_DIR": str(directory),
        "BENCH_SERVICE": SERVICE_URL,
        "BENCH_CSRF_COOKIE": server.csrf_cookie,
        "BENCH_CSRF_VALUE": CSRF_VALUE,
        "BENCH_USERNAME": BENCH_LOGIN,
        "BENCH_PASSWORD": BENCH_PASSWORD,
        "BENCH_LIMIT": str(limit),
    }
    command = [
        wrk_binary(),
        "-t",
        str(connections),
        "-c",
        str(connections),
        "-d",
        f"{duration:.0f}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        server.base_url,
    ]
    cpu_before, db_before = server.cpu_seconds(), server.db_cpu_seconds()
    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # noqa: S603
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - started
    stdout = process.stdout.read().decode() if process.stdout else ""
    stderr = process.stderr.read().decode() if process.stderr else ""
    cpu = server.cpu_seconds() - cpu_before
    db_cpu = server.db_cpu_seconds() - db_before
    line = next((ln for ln in stdout.splitlines() if ln.startswith("BENCH_RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk {scenario} sans résultat (statut {status}) :\n{stdout}\n{stderr}")
    data = json.loads(line.removeprefix("BENCH_RESULT "))
    ops = max(1, data["ops"])
    elapsed = data["elapsed"] or wall
    wrk_cpu = usage.ru_utime + usage.ru_stime
    return Measure(
        server=server.key,
        scenario=scenario,
        connections=connections,
        ops=data["ops"],
        ok=data["ok"],
        failed=data["failed"],
        requests=data["requests"],
        elapsed_s=round(elapsed, 3),
        ops_per_s=round(data["ok"] / elapsed, 1) if elapsed > 0 else 0.0,
        server_cpu_ms_per_op=round(cpu * 1000 / ops, 3),
        db_cpu_ms_per_op=round(db_cpu * 1000 / ops, 3),
        wrk_cpu_ms_per_op=round(wrk_cpu * 1000 / ops, 3),
        server_cpu_share=round(cpu / elapsed, 2) if elapsed > 0 else 0.0,
        p50_ms=data["p50_ms"],
        p95_ms=data["p95_ms"],
        p99_ms=data["p99_ms"],
        max_ms=data["max_ms"],
        socket_errors=data["socket_errors"],
        timeouts=data["timeouts"],
        first_failure=data["first_failure"][:300],
    )
