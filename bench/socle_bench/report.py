"""Markdown tables and PNG charts from one benchmark run (docs/benchmarks/)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from socle_bench.common import BENCH, MAIN_PYTHON, REPO, log
from socle_bench.hashrate import ROUNDS as HASH_ROUNDS
from socle_bench.hashrate import SECONDS as HASH_SECONDS

SCENARIOS = {
    "hop": "SSO hop (`/cas/login?service=` with a session → 302 + ticket)",
    "validate": "`serviceValidate` (CAS 2)",
    "p3": "`p3/serviceValidate` with attributes (CAS 3)",
    "saml": "`samlValidate` (SAML 1.1)",
    "login": "Full password login (GET form + POST → 302 + ticket)",
    "mix": '"Monday 8:00" user (1 login, 3 SSO hops, 3 validations)',
}
SOCLE_KEYS = ("socle-sqlite", "socle-pg-redis")
PEER_KEYS = ("django-cas-server", "django-mama-cas")
FAST_SCENARIOS = ("hop", "validate", "p3", "saml")
TARGET_RATIO = 3.0
TARGET_CPU_MS = 2.0
TARGET_LOGIN_SHARE = 0.8
EXTRA_SCRIPTS = ("aaf.py", "pronote_matching.py")


def _index(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["server"], r["scenario"]): r for r in data["results"]}


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}×" if b else "—"


def scenario_table(data: dict[str, Any], scenario: str) -> list[str]:
    index = _index(data)
    servers = [key for key in data["servers"] if (key, scenario) in index]
    peers = [p for p in PEER_KEYS if (p, scenario) in index]
    header = [
        "server",
        "ops/s",
        "server CPU ms/op",
        "DB CPU ms/op",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "socket errors",
        "× ceiling",
    ] + [f"× {data['servers'][p]}" for p in peers]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    ceiling = index.get(("ceiling", scenario))
    for key in servers:
        row = index[(key, scenario)]
        cells = [
            data["servers"][key],
            f"{row['ops_per_s']:.1f}",
            f"{row['server_cpu_ms_per_op']:.2f}",
            f"{row['db_cpu_ms_per_op']:.2f}" if row["db_cpu_ms_per_op"] else "—",
            f"{row['p50_ms']:.1f}",
            f"{row['p95_ms']:.1f}",
            f"{row['p99_ms']:.1f}",
            str(row["errors"]),
            str(row["socket_errors"]),
            _ratio(row["ops_per_s"], ceiling["ops_per_s"]) if ceiling else "—",
        ]
        for peer in peers:
            cells.append(
                _ratio(row["ops_per_s"], index[(peer, scenario)]["ops_per_s"])
                if key in SOCLE_KEYS
                else ""
            )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def targets(data: dict[str, Any]) -> list[dict[str, Any]]:
    index = _index(data)
    checks: list[dict[str, Any]] = []
    machine_limit = data["hash_limits"]["machine"]
    for key in SOCLE_KEYS:
        if (key, "hop") not in index:
            continue
        label = data["servers"][key]
        for scenario in FAST_SCENARIOS:
            row = index.get((key, scenario))
            if row is None:
                continue
            peer_rates = [
                index[(p, scenario)]["ops_per_s"] for p in PEER_KEYS if (p, scenario) in index
            ]
            fastest = max(peer_rates) if peer_rates else 0.0
            ratio = row["ops_per_s"] / fastest if fastest else 0.0
            checks.append(
                {
                    "server": label,
                    "target": f"{scenario}: ≥ {TARGET_RATIO:g}× the faster peer",
                    "measured": f"{ratio:.2f}×",
                    "met": ratio >= TARGET_RATIO,
                }
            )
            cpu = row["server_cpu_ms_per_op"] + row["db_cpu_ms_per_op"]
            checks.append(
                {
                    "server": label,
                    "target": f"{scenario}: ≤ {TARGET_CPU_MS:g} ms CPU/op",
                    "measured": (
                        f"{row['server_cpu_ms_per_op']:.2f} ms "
                        f"(+ {row['db_cpu_ms_per_op']:.2f} ms database) = {cpu:.2f} ms"
                    ),
                    "met": row["server_cpu_ms_per_op"] <= TARGET_CPU_MS,
                }
            )
        login = index.get((key, "login"))
        hash_ceiling = index.get(("ceiling-hash", "login"))
        if login and hash_ceiling:
            checks.append(
                _login_check(
                    label,
                    login,
                    "the hash ceiling (one hash per login through the same harness: "
                    f"{hash_ceiling['ops_per_s']:.1f}/s)",
                    hash_ceiling["ops_per_s"],
                )
            )
        beside = data.get("hash_beside_logins") or []
        if login and beside:
            checks.append(
                _login_check(
                    label,
                    login,
                    "the hash limit (raw hashing with every core, measured between the login "
                    f"runs, best of {len(beside)}: {max(beside):.1f}/s)",
                    max(beside),
                )
            )
        if login:
            checks.append(
                _login_check(
                    label,
                    login,
                    f"the hash limit measured at the start of the run ({machine_limit:.1f}/s, "
                    f"best of {HASH_ROUNDS} × {HASH_SECONDS:g} s)",
                    machine_limit,
                )
            )
            ms_per_hash = data["hash_limits"]["ms_per_hash"]
            per_login = login["server_cpu_ms_per_op"]
            efficiency = ms_per_hash / per_login if per_login else 0.0
            checks.append(
                {
                    "server": label,
                    "target": "information: one hash / server CPU of a login (how close each "
                    "core of the server gets to the hash limit)",
                    "measured": f"{ms_per_hash:.1f} / {per_login:.1f} ms = {efficiency:.0%}",
                    "met": None,
                }
            )
        errors = sum(index[(key, s)]["errors"] for s in SCENARIOS if (key, s) in index)
        checks.append(
            {"server": label, "target": "zero errors", "measured": str(errors), "met": errors == 0}
        )
    return checks


def _login_check(
    label: str, login: dict[str, Any], limit_text: str, limit: float
) -> dict[str, Any]:
    """The target "logins ≥ 80 % of ``limit``" for one server's best login round."""
    share = login["ops_per_s"] / limit if limit else 0.0
    return {
        "server": label,
        "target": f"logins ≥ {TARGET_LOGIN_SHARE:.0%} of {limit_text}",
        "measured": f"{login['ops_per_s']:.1f}/s = {share:.0%}",
        "met": share >= TARGET_LOGIN_SHARE,
    }


def charts(data: dict[str, Any], output: Path) -> list[str]:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib absent : pas de graphiques (pip install -r bench/requirements.txt)")
        return []
    index = _index(data)
    servers = list(data["servers"])
    scenarios = [s for s in SCENARIOS if any((k, s) in index for k in servers)]
    written = []
    for metric, title, name in (
        ("ops_per_s", "Operations per second (higher is better, log scale)", "throughput.png"),
        (
            "server_cpu_ms_per_op",
            "Server CPU ms per operation (lower is better, log scale)",
            "cpu.png",
        ),
    ):
        figure, axis = plt.subplots(figsize=(11, 5))
        width = 0.8 / max(1, len(servers))
        for i, key in enumerate(servers):
            values = [index[(key, s)][metric] if (key, s) in index else 0 for s in scenarios]
            positions = [j + i * width for j in range(len(scenarios))]
            axis.bar(positions, values, width, label=data["servers"][key])
        axis.set_xticks([j + width * (len(servers) - 1) / 2 for j in range(len(scenarios))])
        axis.set_xticklabels(scenarios)
        axis.set_yscale("log")
        axis.set_title(title)
        axis.legend(fontsize=8)
        axis.grid(axis="y", alpha=0.3)
        figure.tight_layout()
        figure.savefig(output / name, dpi=110)
        plt.close(figure)
        written.append(name)
    return written


def run_extra_benchmarks() -> dict[str, str]:
    """Runs bench/aaf.py and bench/pronote_matching.py when present; keeps their Markdown."""
    found: dict[str, str] = {}
    for script in EXTRA_SCRIPTS:
        path = BENCH / script
        if not path.exists():
            continue
        log(f"{script}…")
        result = subprocess.run(  # noqa: S603 - our own scripts
            [str(MAIN_PYTHON), str(path)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        text = result.stdout.strip()
        if result.returncode != 0:
            text += f"\n\n(exit status {result.returncode})\n\n```\n{result.stderr[-2000:]}\n```"
        found[script] = text
    return found


def _beside_logins(data: dict[str, Any]) -> list[str]:
    beside = data.get("hash_beside_logins") or []
    if not beside:
        return []
    rates = ", ".join(f"{rate:.1f}" for rate in beside)
    return [
        f"The same raw hashing with every core also runs between the login runs, one window of "
        f"{data['duration_s']:g} s before each round's servers ({rates}/s; best "
        f"{max(beside):.1f}/s): the login target compares each server's best login round with "
        "the best of these, taken in the same minutes over windows of the same length. This "
        "shared machine's hashing speed changes from minute to minute, and the measure at the "
        "start of the run uses shorter windows, which catch fast spells more often.",
        "",
    ]


def write(data: dict[str, Any], output: Path) -> None:
    images = charts(data, output)
    limits = data["hash_limits"]
    machine = data["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Run of {data['date']} by `make bench` (`bench/run`), {data.get('rounds', 1)} rounds of "
        f"{data['duration_s']:g} s per server and scenario (the best round is kept; errors are "
        f"summed over all rounds), on {machine['cores']} cores ({machine['cpu']}), "
        "load average at start "
        f"{machine['load_average_at_start']}. Raw numbers: [results.json](results.json).",
        "",
        "Every server runs under gunicorn with the same settings (those of `socle serve`: "
        "2 `gthread` workers × 8 threads, preloaded) on 127.0.0.1, and is driven by wrk "
        f"({data['connections']['single_url']} connections for single URLs, "
        f"{data['connections']['login']} for logins, {data['connections']['mix']} for the mix), "
        "one Lua script for all (`bench/lua/cas.lua`) that checks every answer (a 302 with a "
        "ticket, `authenticationSuccess`, `samlp:Success`). All servers are started first, then "
        "each scenario is measured on one server after the other, so that the figures of one "
        "table are taken within minutes of each other. Validation runs use tickets minted "
        "just before by SSO hops on the same server. Peers and Socle hash passwords with the same "
        f"Argon2id parameters (19 MiB, t=2, p=1); all SQLite databases use WAL. "
        "Server CPU is read from `/proc/<pid>/stat` of the gunicorn master and workers before "
        "and after each run; \"DB CPU\" is PostgreSQL's and Redis's processes over the same run "
        '(other work on the machine may add to it). "errors" counts wrong answers and '
        'timeouts; "socket errors" are connections closed under wrk, typically one per '
        "login run for every server including the ceiling (a keep-alive connection closed as "
        "wrk stops).",
        "",
        "What the numbers mean, the hot spots and what to change: [analysis.md](analysis.md) "
        "(written by hand; [profile.md](profile.md) and [profile-pg-redis.md](profile-pg-redis.md)"
        " from `python -m socle_bench.profile`). Memory over 30 minutes: [soak.md](soak.md).",
        "",
        "## Password-hash limit",
        "",
        f"Raw Argon2id (19 MiB, t=2, p=1): **{limits['per_core']:.1f} hashes/s on one core** "
        f"({limits['ms_per_hash']:.1f} ms each), **{limits['machine']:.1f}/s with "
        f"{limits['cores']} processes** on this machine (best of {HASH_ROUNDS} measures, malloc "
        "tuned as `socle serve` does). A login costs one hash: this is the physical limit of "
        "logins per second.",
        "",
        *_beside_logins(data),
        "During a login run the same cores also run wrk, and PostgreSQL and Redis where used. "
        "The *hash ceiling* (in the login table) measures what the machine allows then: the "
        "ceiling's bare Django views under the same gunicorn settings, driven by the same wrk "
        "script, with one Argon2id check per login and nothing else (no admission control, no "
        "session, no ticket). Both references are in the targets.",
        "",
    ]
    for scenario, title in SCENARIOS.items():
        if not any(r["scenario"] == scenario for r in data["results"]):
            continue
        lines += [f"## {title}", "", *scenario_table(data, scenario), ""]
    checks = targets(data)
    if checks:
        lines += ["## Targets", "", "| server | target | measured | met |", "|---|---|---|---|"]
        lines += [
            f"| {c['server']} | {c['target']} | {c['measured']} | "
            f"{'—' if c['met'] is None else 'yes' if c['met'] else '**no**'} |"
            for c in checks
        ]
        lines.append("")
    failures = [r for r in data["results"] if r["first_failure"]]
    if failures:
        lines += ["## First failure of each run with errors", ""]
        lines += [
            f"- {data['servers'][r['server']]} / {r['scenario']}: `{r['first_failure'][:200]}`"
            for r in failures
        ]
        lines.append("")
    if images:
        lines += ["## Charts", ""] + [f"![{name}]({name})" for name in images] + [""]
    for script, text in data.get("extra", {}).items():
        lines += [f"## `bench/{script}`", "", text, ""]
    lines += (
        ["## Versions", ""]
        + [f"- {data['servers'][k]}: {v}" for k, v in data["versions"].items()]
        + [""]
    )
    (output / "README.md").write_text("\n".join(lines))
