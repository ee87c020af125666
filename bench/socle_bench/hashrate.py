"""The physical limit of logins: raw Argon2id hashes per second, per core and for the machine."""

from __future__ import annotations

import multiprocessing
import os
import time

from socle_bench.common import ARGON2


def _hash_loop(seconds: float, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    from argon2.low_level import Type, hash_secret

    count = 0
    salt = os.urandom(16)
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        hash_secret(b"correct horse battery staple", salt, hash_len=32, type=Type.ID, **ARGON2)
        count += 1
    queue.put(count / seconds)


def measure(processes: int, seconds: float = 4.0) -> float:
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


def hash_limits(cores: int) -> dict[str, float]:
    one = measure(1)
    alln = measure(cores)
    return {
        "per_core": one,
        "machine": alln,
        "cores": cores,
        "ms_per_hash": round(1000 / one, 2) if one else 0.0,
    }
