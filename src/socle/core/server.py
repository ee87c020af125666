"""``socle serve``: prepares the node, then runs gunicorn in this process.

Production settings, measured in docs/benchmarks/ (see docs/deployment.md):

- ``gthread`` workers, one per core by default, 8 threads each. Threads matter for surges: a
  thread waiting for a password-hash slot, for PostgreSQL or for Redis leaves the others serving
  SSO hops and validations; the Argon2 hash itself runs in C without the GIL.
- The application is loaded once in the master (``preload_app``) and forked: faster start, shared
  memory. Database and Redis connections are closed before forking.
- Timeouts: a worker silent for ``SOCLE_SERVE_TIMEOUT`` seconds is restarted; on SIGTERM, the
  master stops listening and the workers finish their requests in flight for up to
  ``SOCLE_SERVE_GRACEFUL_TIMEOUT`` seconds (20), then exit; a worker still busy then is killed.
  The master says which happened (:func:`_arbiter_class`) and exits 0. SIGINT (Ctrl-C) and
  SIGQUIT stop at once, requests cut short. Idle keep-alive connections are closed after
  ``SOCLE_SERVE_KEEPALIVE`` seconds.
- Access log off by default; when on, it never contains query strings (tickets travel in them).
"""

from __future__ import annotations

import ctypes
import fcntl
import gc
import hashlib
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections

from socle.core import metrics
from socle.core.admission_policy import cpu_count
from socle.core.commands import pending_migrations

logger = logging.getLogger("socle.core")

ACCESS_LOG_FORMAT = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
MIGRATION_LOCK_ID = 0x50C1E  # PostgreSQL advisory lock shared by every Socle node


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 0  # 0: one per core
    threads: int = 8
    timeout: int = 30
    keepalive: int = 5
    access_log: bool = False
    graceful_timeout: int = 20

    @classmethod
    def from_settings(cls, **overrides: Any) -> ServeOptions:
        values: dict[str, Any] = {
            "workers": settings.SOCLE_SERVE_WORKERS,
            "threads": settings.SOCLE_SERVE_THREADS,
            "timeout": settings.SOCLE_SERVE_TIMEOUT,
            "keepalive": settings.SOCLE_SERVE_KEEPALIVE,
            "access_log": settings.SOCLE_SERVE_ACCESS_LOG,
            "graceful_timeout": settings.SOCLE_SERVE_GRACEFUL_TIMEOUT,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    @property
    def effective_workers(self) -> int:
        return self.workers or cpu_count()


def gunicorn_options(options: ServeOptions) -> dict[str, Any]:
    """The gunicorn settings for ``options`` (names as in gunicorn's configuration file)."""
    host = f"[{options.host}]" if ":" in options.host else options.host
    config: dict[str, Any] = {
        "bind": [f"{host}:{options.port}"],
        "workers": options.effective_workers,
        "worker_class": "gthread" if options.threads > 1 else "sync",
        "threads": options.threads,
        "timeout": options.timeout,
        "graceful_timeout": options.graceful_timeout,
        "keepalive": options.keepalive,
        "backlog": 2048,
        # gunicorn's largest request line (its default, 4,094, answers a raw English « URI Too
        # Long » to a login whose service address carries a long query string); nginx's default
        # buffers take 8 KB lines as well.
        "limit_request_line": 8190,
        "preload_app": True,
        "proc_name": "socle",
        "errorlog": "-",
        "loglevel": "info",
        "accesslog": "-" if options.access_log else None,
        "access_log_format": ACCESS_LOG_FORMAT,
        "logger_class": "socle.core.access_log.Logger",  # no activation token in a path
        # Several nodes may share a machine: no control socket in $HOME to fight over.
        "control_socket_disable": True,
    }
    shm = "/dev/shm"  # noqa: S108 - gunicorn's heartbeat files, not data
    if Path(shm).is_dir():  # heartbeat files in memory: no disk stall kills a worker
        config["worker_tmp_dir"] = shm
    return config


def _say_waiting() -> None:
    # The lock is held while a node checks for migrations too, even with nothing to apply.
    logger.warning(
        "Waiting for the migration lock: another node or command holds it (checking or "
        "applying migrations)"
    )


@contextmanager
def migration_lock() -> Iterator[None]:
    """One node at a time applies migrations (advisory lock on PostgreSQL, flock otherwise)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [MIGRATION_LOCK_ID])
            if not cursor.fetchone()[0]:
                _say_waiting()
                cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK_ID])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK_ID])
        return
    # The database's folder missing (SOCLE_DATA_DIR misspelt, or not created): the connection
    # fails as « socle migrate »'s does, naming it, instead of the mkdir below creating
    # SOCLE_DATA_DIR and SQLite an empty database that the node then served.
    connection.ensure_connection()
    name = str(settings.DATABASES["default"].get("NAME") or "socle")
    lock_path = Path(settings.SOCLE_DATA_DIR) / (
        ".migrate-" + hashlib.sha256(name.encode()).hexdigest()[:12] + ".lock"
    )
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _say_waiting()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _static_fingerprint() -> str:
    """A digest of every static file the finders see (path, size, modification time)."""
    from django.contrib.staticfiles.finders import get_finders

    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def collect_static_if_needed(verbosity: int = 0) -> bool:
    """Runs ``collectstatic`` when the static files changed since the last run. A folder that
    cannot be written (``SOCLE_DATA_DIR`` owned by root, or missing under a missing parent) stops
    the start with one sentence naming the variable, where it gave ``collectstatic``'s traceback
    at every start (systemd's restart every 5 s included)."""
    stamp = Path(settings.STATIC_ROOT) / ".socle-static-stamp"
    fingerprint = _static_fingerprint()
    try:
        if stamp.exists() and stamp.read_text(encoding="ascii").strip() == fingerprint:
            return False
        call_command("collectstatic", interactive=False, verbosity=verbosity)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(fingerprint, encoding="ascii")
    except OSError as exc:
        from django.core.management.base import CommandError
        from django.utils.translation import gettext as _

        from socle.core.plain_errors import os_error

        raise CommandError(
            _(
                "SOCLE_DATA_DIR : écriture des fichiers statiques dans %(folder)s impossible "
                "(%(error)s, %(path)s). Donnez à SOCLE_DATA_DIR un dossier où l'utilisateur de "
                "Socle peut écrire (chown), ou démarrez avec --no-prepare après « socle migrate » "
                "(WhiteNoise sert alors les fichiers de l'installation)."
            )
            % {"folder": settings.STATIC_ROOT, "error": os_error(exc), "path": exc.filename}
        ) from None
    return True


def prepare_node(verbosity: int = 0) -> None:
    """Migrations (one node at a time), the database cache table, static files.

    The node's log tells an upgrade's migrations (how many, then how long they took) and the
    wait of the other nodes on the lock: a start that migrates a large trace table for minutes
    is otherwise a silent node that an operator may stop halfway (docs/deployment.md)."""
    with migration_lock():
        pending = pending_migrations()
        if pending:
            logger.warning(
                "Applying %d migration(s) before serving (this may take a while on a large "
                "database: do not stop the node)",
                pending,
            )
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=verbosity)
        if pending:
            logger.warning("%d migration(s) applied in %.1f s", pending, time.monotonic() - started)
        call_command("createcachetable", verbosity=verbosity)
    collect_static_if_needed(verbosity)


# glibc mallopt parameters
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8
MMAP_BELOW = 32 * 1024 * 1024  # blocks below this come from the heap (glibc's maximum)
KEEP_FREE = 64 * 1024 * 1024  # free heap kept for the next hashes


def release_hash_memory() -> bool:
    """Keeps the memory of password hashes bounded without paying for it at every login.

    An Argon2id hash allocates 19 MiB. With its defaults glibc gives each thread that hashes an
    arena of its own and keeps the block there: with 8 threads a worker grows by 8 × 19 MiB and
    never shrinks (measured: 12 → 165 MiB). Forcing such blocks to be mmapped (a fixed mmap
    threshold) bounds memory but makes the kernel map and zero 19 MiB at every hash: +14 ms of
    system CPU per login, +50 % (measured, docs/benchmarks/analysis.md). One arena per process
    (``M_ARENA_MAX`` = 1) does both: the threads share the block's space, reused from one hash to
    the next (at most the hashes running at once in that worker stay allocated), and no page is
    faulted again. Python's own objects do not use malloc's arenas (pymalloc), so the shared lock
    costs nothing measurable.

    The heap must also keep that space when two hashes of one worker end: glibc gives freed
    memory at the top of the heap back to the system beyond a threshold it adapts on its own
    (twice the largest block it mmapped), and a worker that ran two hashes at once then faulted
    19 MiB in again at its next login (measured: 1,330 page faults per login with 8 concurrent
    logins, against 26 with 2). Blocks under ``MMAP_BELOW`` (32 MiB) therefore always come from
    the heap, and the heap keeps up to ``KEEP_FREE`` (64 MiB) of free space. Memory stays
    bounded: the admission gate lets at most one hash per core run on the machine, so a worker's
    heap holds at most ``cores`` × 19 MiB of hash space. No effect where the C library is not glibc.
    """
    try:
        libc = ctypes.CDLL("libc.so.6")
        return all(
            libc.mallopt(parameter, value)
            for parameter, value in (
                (M_ARENA_MAX, 1),
                (M_MMAP_THRESHOLD, MMAP_BELOW),
                (M_TRIM_THRESHOLD, KEEP_FREE),
            )
        )
    except (OSError, AttributeError):
        return False


def freeze_loaded_objects() -> None:
    """Moves the objects of the preloaded application out of the garbage collector's sight.

    Modules, settings, URL patterns and templates loaded before the fork live as long as the
    workers. Without this, every full collection in a worker walks them all again, and marks
    their pages dirty, which copies the master's pages into each worker (copy-on-write).
    ``gc.freeze()`` just before the fork is what the documentation of ``gc`` advises for a parent
    that forks without ``exec``; the collection first leaves no garbage frozen.
    """
    gc.collect()
    gc.freeze()


def _child_exit(server: Any, worker: Any) -> None:
    from socle.core.metrics import worker_exited

    worker_exited(worker.pid)


def _post_fork(server: Any, worker: Any) -> None:
    from socle.core.redis import reset_client

    reset_client()
    connections.close_all()


def _arbiter_class() -> type:
    """gunicorn's master, which also says how a graceful stop (SIGTERM) went: gunicorn itself
    logs « Handling signal: term », then each worker's exit, and for a worker it had to kill
    when the graceful timeout ran out an error that blames the memory (« was sent SIGKILL!
    Perhaps out of memory? »)."""
    from gunicorn.arbiter import Arbiter

    class SocleArbiter(Arbiter):  # type: ignore[misc]
        killed = 0

        def stop(self, graceful: bool = True) -> None:
            busy = len(self.WORKERS) if graceful else 0  # SIGINT, SIGQUIT: at once, as asked
            if busy:
                self.log.info(
                    "graceful stop: the requests in flight have up to %s s to finish "
                    "(SOCLE_SERVE_GRACEFUL_TIMEOUT)",
                    self.cfg.graceful_timeout,
                )
            self.killed = 0
            super().stop(graceful)
            if busy and self.killed:
                self.log.warning(
                    "graceful stop: %s worker(s) still busy after %s s killed, their requests "
                    "cut short (SOCLE_SERVE_GRACEFUL_TIMEOUT)",
                    self.killed,
                    self.cfg.graceful_timeout,
                )
            elif busy:
                self.log.info("graceful stop: every request in flight finished")

        def kill_workers(self, sig: int) -> None:
            if sig == signal.SIGKILL:  # only at the end of stop(): the graceful timeout ran out
                self.killed += len(self.WORKERS)
            super().kill_workers(sig)

    return SocleArbiter


def run(options: ServeOptions) -> None:
    """Runs gunicorn in the foreground until SIGTERM (graceful), SIGINT or SIGQUIT (at once)."""
    from gunicorn.app.base import BaseApplication

    from socle.core.redis import reset_client
    from socle.wsgi import application

    config = gunicorn_options(options)

    class SocleApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            known = self.cfg.settings
            for key, value in config.items():
                if key in known and value is not None:
                    self.cfg.set(key, value)
            self.cfg.set("post_fork", _post_fork)
            self.cfg.set("child_exit", _child_exit)

        def load(self) -> Any:
            return application

        def run(self) -> None:  # BaseApplication.run with Socle's master
            try:
                _arbiter_class()(self).run()
            except RuntimeError as exc:
                print(f"\nError: {exc}\n", file=sys.stderr)
                sys.stderr.flush()
                sys.exit(1)

    master = os.getpid()
    values = metrics.node_directory(options.port, master) if metrics.enabled() else None
    if values is not None:  # the workers write their values where /metrics adds them up
        metrics.use_directory(values)
    connections.close_all()
    reset_client()
    release_hash_memory()  # before forking: the workers inherit the setting
    freeze_loaded_objects()
    try:
        SocleApplication().run()
    finally:  # gunicorn's workers leave through here too (SystemExit): only the master cleans up
        if values is not None and os.getpid() == master:
            shutil.rmtree(values, ignore_errors=True)
