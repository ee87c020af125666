"""The physical limit of logins: raw Argon2id hashes per second, per core and for the machine.

Each hashing process first tunes malloc as ``socle serve`` does (``release_hash_memory``), so
that the limit is measured under the servers' own conditions. The best of :data:`ROUNDS` short
measures is kept: on a shared machine other work only slows hashing down, and a single measure
swung from 22 to 37 ms a hash between two runs of the same day.
"""

from __future__ import annotations

import multiprocessing
import os
import time

from socle_bench.common import ARGON2

ROUNDS = 3
SECONDS = 3.0  # each measure of hash_limits


def _hash_loop(seconds: float, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from argon2.low_level import Type, hash_secret

    from socle.core.server import release_hash_memory

    release_hash_memory()

    count = 0
    salt = os.urandom(16)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        hash_secret(b"correct horse battery staple", salt, hash_len=32, type=Type.ID, **ARGON2)
        count += 1
    queue.put(count / seconds)


def measure_once(processes: int, seconds: float) -> float:
    """Hashes per second with ``processes`` processes hashing at once (all together)."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    workers = [context.Process(target=_hash_loop, args=(seconds, queue)) for _ in range(processes)]
    for worker in workers:
        worker.start()
    rates = [queue.get(timeout=seconds * 4) for _ in workers]
    for worker in workers:
        worker.join()
    return round(sum(rates), 1)


def measure(processes: int, seconds: float = SECONDS) -> float:
    """The best of :data:`ROUNDS` measures with ``processes`` processes hashing at once."""
    return max(measure_once(processes, seconds) for _ in range(ROUNDS))


def hash_limits(cores: int) -> dict[str, float]:
    one = measure(1)
    alln = measure(cores)
    return {
        "per_core": one,
        "machine": alln,
        "cores": cores,
        "ms_per_hash": round(1000 / one, 2) if one else 0.0,
    }
