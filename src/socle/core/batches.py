"""Splitting work into batches of bounded size (SQL ``IN`` lists, bulk writes).

``itertools.batched`` arrives with Python 3.12; Socle runs on 3.11.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Successive lists of at most ``size`` items, in order; nothing for no items."""
    if size < 1:
        raise ValueError("size must be at least 1")
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
