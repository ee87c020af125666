"""Where Socle's CPU goes on the fast paths: ``python -m socle_bench.profile [--redis URL]``.

Runs each scenario in-process through Django's test client on a fresh SQLite database (or
PostgreSQL + Redis with ``--database-url``/``--redis``), measures CPU ms per operation without a
profiler, counts the SQL queries of one operation, then profiles N operations and lists the
functions of Socle that account for the most cumulative time. Writes docs/benchmarks/profile.md.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

from socle_bench.common import BENCH_LOGIN, BENCH_PASSWORD, DOCS, SAML, SECRET_KEY, SERVICE_URL
from socle_bench.servers import SOCLE_SETUP


def configure(database_url: str, redis_url: str) -> None:
    data_dir = tempfile.mkdtemp(prefix="socle-profile-")
    os.environ.update(
        {
            "SOCLE_SECRET_KEY": SECRET_KEY,
            "SOCLE_DATA_DIR": data_dir,
            "SOCLE_DATABASE_URL": database_url or f"sqlite:///{data_dir}/profile.sqlite3",
            "SOCLE_REDIS_URL": redis_url,
            "SOCLE_ALLOWED_HOSTS": "testserver,127.0.0.1",
            "SOCLE_CAS_ST_LIFETIME": "300",
            "SOCLE_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "socle.settings",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    from socle.core.server import release_hash_memory

    release_hash_memory()  # as `socle serve` does: hashes without page faults

    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    if redis_url:
        from socle.core.redis import get_client

        get_client().flushdb()
    exec(SOCLE_SETUP, {})  # noqa: S102 - our own setup code


def scenarios(count: int) -> dict[str, Callable[[int], object]]:
    from django.test import Client

    browser = Client()
    answer = browser.post(
        f"/cas/login?service={SERVICE_URL}",
        {"username": BENCH_LOGIN, "password": BENCH_PASSWORD, "service": SERVICE_URL},
    )
    assert answer.status_code == 302, answer.content[:300]

    def hop(_: int) -> str:
        answer = browser.get("/cas/login", {"service": SERVICE_URL})
        assert answer.status_code == 302
        return answer["Location"].split("ticket=", 1)[1]

    validator = Client()
    pools: dict[str, list[str]] = {}

    def ticket(kind: str, i: int) -> str:
        if kind not in pools:
            pools[kind] = [hop(0) for _ in range(2 * count + 1)]
        return pools[kind][i]

    def validate(i: int) -> object:
        t = ticket("validate", i)
        return validator.get("/cas/serviceValidate", {"service": SERVICE_URL, "ticket": t})

    def p3(i: int) -> object:
        t = ticket("p3", i)
        return validator.get("/cas/p3/serviceValidate", {"service": SERVICE_URL, "ticket": t})

    def saml(i: int) -> object:
        t = ticket("saml", i)
        return validator.post(
            f"/cas/samlValidate?TARGET={SERVICE_URL}",
            SAML.format(ticket=t),
            content_type="text/xml",
        )

    newcomer = Client(enforce_csrf_checks=True)  # one handler: a Client per login would load
    # the middleware (and WhiteNoise's file scan) again each time, which gunicorn never does

    def login(_: int) -> object:
        """A whole password login as a browser does it: the form, then the POST."""
        fresh = newcomer
        fresh.cookies.clear()
        page = fresh.get("/cas/login", {"service": SERVICE_URL})
        token = page.cookies["socle_csrftoken"].value
        answer = fresh.post(  # urlencoded, as browsers and wrk send it (not multipart)
            f"/cas/login?service={SERVICE_URL}",
            urlencode(
                {
                    "username": BENCH_LOGIN,
                    "password": BENCH_PASSWORD,
                    "service": SERVICE_URL,
                    "csrfmiddlewaretoken": token,
                }
            ),
            content_type="application/x-www-form-urlencoded",
        )
        assert answer.status_code == 302, answer.content[:300]
        return answer

    return {"hop": hop, "validate": validate, "p3": p3, "saml": saml, "login": login}


def hash_ms(count: int = 20) -> float:
    """CPU ms of one password check alone (the physical limit of a login)."""
    from socle.directory.models import Person

    person = Person.objects.get(login=BENCH_LOGIN)
    started = time.process_time()
    for _ in range(count):
        assert person.check_password(BENCH_PASSWORD)
    return (time.process_time() - started) * 1000 / count


def measure(name: str, run: Callable[[int], object], count: int) -> dict[str, object]:
    """Operations 0…count-1 timed, operation count's SQL captured, count+1…2·count profiled."""
    from django.db import connection

    run(2 * count)  # warm-up (and fills the ticket pool)
    started = time.process_time()
    for i in range(count):
        run(i)
    cpu_ms = (time.process_time() - started) * 1000 / count
    captured: list[str] = []

    def record(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        captured.append(" ".join(str(sql).split())[:200])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        run(count)
    profiler = cProfile.Profile()
    profiler.enable()
    for i in range(count + 1, 2 * count):
        run(i)
    profiler.disable()
    stats = pstats.Stats(profiler)
    profiled_total = max(1e-9, stats.total_tt)  # type: ignore[attr-defined]
    rows = []
    for (filename, line, function), entry in stats.stats.items():  # type: ignore[attr-defined]
        if "/socle/" in filename and "/socle_bench/" not in filename:
            rows.append((entry[3], f"{filename.split('/src/', 1)[-1]}:{line} {function}"))
    rows.sort(reverse=True)
    return {
        "name": name,
        "cpu_ms": round(cpu_ms, 2),
        "queries": captured,
        "hot": [(round(c / profiled_total * 100, 1), where) for c, where in rows[:14]],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m socle_bench.profile")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--redis", default="")
    parser.add_argument("--output", default=str(DOCS / "profile.md"))
    args = parser.parse_args(argv)
    configure(args.database_url, args.redis)
    runs = scenarios(args.count)
    results = [
        measure(name, run, args.count if name != "login" else max(10, args.count // 10))
        for name, run in runs.items()
    ]
    password_check = hash_ms()
    from socle_bench.wsgi_calls import measure_wsgi

    through_wsgi = measure_wsgi(count=max(300, args.count))
    engine = "PostgreSQL + Redis" if args.redis else "SQLite"
    lines = [
        "# Where Socle's CPU goes (fast paths)",
        "",
        f"`PYTHONPATH=bench .venv/bin/python -m socle_bench.profile` — {engine}, "
        f"{args.count} operations per scenario in-process (Django test client: no gunicorn, no "
        "network), CPU time measured without the profiler, then one cProfile pass. Share = "
        "cumulative time of the function over all profiled time (nested functions overlap).",
        f"The password check alone costs {password_check:.1f} ms of CPU: what a login costs "
        "beyond it is Socle's.",
        "",
        "The test client goes through Django's handler with the full middleware chain. Called "
        "as gunicorn calls it, through `socle.wsgi.application` (the WSGI fast paths of "
        "`socle.cas.fastpath` and `socle.cas.fasthop`; best of three runs, no profiler), "
        "the fast paths cost: "
        + ", ".join(f"{name} {ms:.2f} ms" for name, ms in through_wsgi.items())
        + " of CPU per operation.",
        "",
    ]
    for result in results:
        lines += [
            f"## {result['name']}: {result['cpu_ms']} ms CPU/op, "
            f"{len(result['queries'])} SQL queries/op",  # type: ignore[arg-type]
            "",
            "| share | function |",
            "|---|---|",
        ]
        lines += [f"| {share}% | `{where}` |" for share, where in result["hot"]]  # type: ignore[union-attr]
        lines += ["", "SQL of one operation:", "", "```sql"]
        lines += list(result["queries"])  # type: ignore[arg-type]
        lines += ["```", ""]
    Path(args.output).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
