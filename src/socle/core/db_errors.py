"""Database errors that come from the server's state or from another writer, not from a bug,
told in the active language: the commands (``socle.core.commands``) and the import pages say
them in one sentence instead of a traceback or the 500 page.

Two families, because what the person can do differs:

- :func:`write_refused_reason`: the database refuses to write — its disk full (SQLite's
  « database or disk is full », PostgreSQL's « could not extend file … No space left on
  device »), a SQLite file or folder read-only, a PostgreSQL standby (« cannot execute … in a
  read-only transaction » after a failover, or a server set read-only), a SQLite database held
  by another writer past the wait. Nothing changes until someone mends the server (or the
  failover completes, or the other writer finishes).
- :func:`interrupted_reason`: the operation was cut short — the connection to PostgreSQL lost
  (server restarted, network cut, the backend terminated), a statement or lock timeout, a
  deadlock or serialization failure with a concurrent transaction. Trying again usually works.

PostgreSQL's errors are recognised by their SQLSTATE (psycopg's ``sqlstate``, on the driver's
exception Django wraps) where they have one, by their text otherwise (a lost connection has no
SQLSTATE; SQLite has none at all). In every case the transaction was rolled back.
"""

from __future__ import annotations

from django.db import DatabaseError
from django.utils.translation import gettext as _

# SQLSTATE classes and codes (PostgreSQL's appendix A).
_LOST_CLASS = "08"  # connection exception
_LOST_CODES = {"57P01", "57P02", "57P03"}  # admin / crash shutdown, cannot connect now
_TIMEOUT_CODES = {"57014", "55P03", "25P03"}  # statement cancelled, lock timeout, idle timeout
_CONFLICT_CODES = {"40001", "40P01"}  # serialization failure, deadlock
_READ_ONLY_CODE = "25006"  # read_only_sql_transaction: a standby, or a read-only transaction

_LOST_TEXTS = (
    "server closed the connection",
    "connection already closed",
    "the connection is closed",
    "connection is lost",
    "terminating connection",
    "ssl connection has been closed",
    "ssl syscall error",
    "consuming input failed",
    "connection to server",
)
_TIMEOUT_TEXTS = ("statement timeout", "lock timeout", "canceling statement", "idle-in-transaction")
_CONFLICT_TEXTS = ("deadlock detected", "could not serialize access")


def _sqlstate(exc: DatabaseError) -> str:
    """psycopg's SQLSTATE of the driver's error Django wrapped (``""`` when there is none)."""
    for error in (exc, exc.__cause__):
        code = getattr(error, "sqlstate", None)
        if isinstance(code, str):
            return code
    return ""


def write_refused_reason(exc: DatabaseError) -> str | None:
    """Why the database refused a write, in the active language, when it is the server's state
    rather than a bug (its disk full, a read-only SQLite file or folder, a PostgreSQL standby,
    a SQLite database held by another writer past the wait). ``None`` otherwise."""
    lowered = str(exc).lower()
    if any(full in lowered for full in ("disk is full", "no space left", "could not extend file")):
        return _("plus de place sur le disque")
    if _sqlstate(exc) == _READ_ONLY_CODE or "read-only transaction" in lowered:
        # PostgreSQL's « cannot execute INSERT in a read-only transaction »: the node reaches a
        # standby (a failover under way, or an address that still names the former primary),
        # or a server or role set read-only (default_transaction_read_only) — not file rights.
        return _("base en lecture seule : serveur PostgreSQL de secours ou basculement en cours ?")
    if "readonly database" in lowered or "read-only" in lowered:
        return _("base en lecture seule (droits du fichier de la base ou de son dossier ?)")
    if "database is locked" in lowered:
        return _(
            "base occupée trop longtemps par un autre processus (un autre import, ou le serveur "
            "sous forte charge)"
        )
    return None


def interrupted_reason(exc: DatabaseError) -> str | None:
    """Why the database cut the operation short, in the active language, when trying again
    later may work: the connection lost, a timeout, a conflict with a concurrent transaction.
    ``None`` otherwise (see :func:`write_refused_reason` for the server's state)."""
    code = _sqlstate(exc)
    lowered = str(exc).lower()
    if code in _CONFLICT_CODES or any(text in lowered for text in _CONFLICT_TEXTS):
        return _(
            "conflit avec une autre écriture au même moment (un autre import, ou un autre "
            "administrateur)"
        )
    if code in _TIMEOUT_CODES or any(text in lowered for text in _TIMEOUT_TEXTS):
        return _("délai dépassé sur le serveur de base de données (serveur surchargé ?)")
    if (
        code.startswith(_LOST_CLASS)
        or code in _LOST_CODES
        or any(text in lowered for text in _LOST_TEXTS)
    ):
        return _("connexion au serveur de base de données perdue (serveur redémarré ou réseau ?)")
    return None
