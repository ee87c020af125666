"""The guard both full imports share, the AAF's full files (``aaf/finalize.py``) and a CSV
``--complet`` file (``csv_full.py``): absences that would remove more than :data:`LARGE_SHARE`
% of a kind's accounts in one establishment, and more than :data:`LARGE_MIN`
of them, most likely mean a file cut short or the wrong file (a last part cannot be told
missing from the file names), so nothing is removed without ``--force``. September's leavers
(a collège's 3e, a lycée's terminale) stay well under half (docs/aaf.md, docs/directory.md)."""

from __future__ import annotations

LARGE_MIN = 10
LARGE_SHARE = 50


def too_many_absent(absent: int, total: int) -> bool:
    """Whether ``absent`` of ``total`` accounts of one kind is a large share (see above)."""
    return absent > LARGE_MIN and absent * 100 > LARGE_SHARE * total
