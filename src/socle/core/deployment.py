"""Do the nodes share one database and one Redis? The deployment marker.

Two nodes on different Redis databases (``SOCLE_REDIS_URL`` ending ``/0`` on one and ``/1`` on
the other), or on different SQL databases, serve without an error anywhere: the SSO sessions
of one are unknown to the other (log in on A, B asks again), and nothing said why. So:

- each Redis database holds its own marker, :data:`REDIS_MARKER`, drawn by the first node that
  finds none (``SET NX``: written once), and each SQL database its own, in the one row of
  ``core.DeploymentMarker`` (written once too);
- each ``socle serve`` start records, beside each, the other's: the Redis database's marker
  in the row (``redis_marker``), the SQL database's in Redis (:data:`DATABASE_MARKER`), and
  first compares them with what the previous start left (:func:`record_at_start`, one warning
  line);
- ``/healthz`` (a ``"deployment"`` field) and ``socle check --database default``
  (``socle.W078``) compare what this node sees with what the latest start recorded
  (:func:`state`): a node whose Redis or database is not the one the latest start used says so.

A Redis emptied since (restarted without persistence, ``FLUSHALL``) has no marker: every
node says so until the next start records the new one. Without ``SOCLE_REDIS_URL`` sessions
live in the database, and there is nothing to compare.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

# One hash tag: one slot of a Redis Cluster, so that one MGET reads both.
REDIS_MARKER = "{socle:deployment}:redis-marker"
DATABASE_MARKER = "{socle:deployment}:database-marker"


@dataclass(frozen=True)
class DeploymentState:
    """What this node sees: ``ok``, and why not (the active language) in ``detail``."""

    ok: bool
    detail: str


# What differs (codes), said in French by :func:`message`, in English by the start line.
MISSING, OTHER_REDIS, OTHER_DATABASE = "missing", "other-redis", "other-database"
START_LINES = {
    OTHER_REDIS: (
        "This node's Redis database is not the one the previous start of a node on this SQL "
        "database used (another SOCLE_REDIS_URL, its database number included, or a Redis "
        "emptied since): SSO sessions are split between the nodes (logged in on one, unknown "
        "to the other); give every node the same SOCLE_REDIS_URL (docs/deployment.md, "
        '"Deployment marker")'
    ),
    OTHER_DATABASE: (
        "This node's Redis database was used by the previous start of a node on another SQL "
        "database: give every node the same SOCLE_DATABASE_URL (docs/deployment.md, "
        '"Deployment marker")'
    ),
}


def _redis() -> Any | None:
    if not settings.SOCLE_REDIS_URL:
        return None
    from socle.core.redis import get_client

    return get_client()


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")


def _database_row() -> Any:
    """The database's row, created with a new marker when there is none."""
    from socle.core.models import DeploymentMarker

    with transaction.atomic():
        row, _created = DeploymentMarker.objects.get_or_create(
            pk=1, defaults={"marker": secrets.token_hex(16)}
        )
    return row


def _difference(database: str, paired_redis: str, redis: str, paired_database: str) -> str:
    """What keeps the database and the Redis database from being the pair the latest start
    used: :data:`MISSING`, :data:`OTHER_REDIS`, :data:`OTHER_DATABASE`, or ""."""
    if not redis:
        return MISSING
    if paired_redis and paired_redis != redis:
        return OTHER_REDIS
    if paired_database and paired_database != database:
        return OTHER_DATABASE
    return ""


def message(difference: str) -> str:
    """A :func:`_difference` in the active language."""
    if difference == MISSING:
        return _(
            "Redis ne contient pas le marqueur du déploiement : une autre base Redis que celle "
            "des autres nœuds (SOCLE_REDIS_URL), ou un Redis vidé depuis le dernier démarrage."
        )
    if difference == OTHER_REDIS:
        return _(
            "La base Redis de ce nœud n'est pas celle qu'a utilisée le dernier démarrage d'un "
            "nœud sur cette base de données (ou elle a été vidée depuis) : les sessions SSO "
            "sont séparées entre les nœuds (connecté sur l'un, inconnu de l'autre). Donnez à "
            "tous les nœuds la même SOCLE_REDIS_URL, numéro de base compris."
        )
    return _(
        "La base Redis de ce nœud a servi au dernier démarrage d'un nœud relié à une autre "
        "base de données : donnez à tous les nœuds la même SOCLE_DATABASE_URL."
    )


def state() -> DeploymentState:
    """Whether this node's database and Redis are the pair the latest ``socle serve`` start
    recorded; nothing is written (``socle migrate`` runs the check on a database that
    ``socle copy_database`` must find empty). ``ok`` without Redis, before any start, and when
    one of them cannot be read (``/healthz``'s other checks say so)."""
    from socle.core.models import DeploymentMarker

    try:
        client = _redis()
        if client is None:
            return DeploymentState(True, _("sans Redis : rien à comparer"))
        row = DeploymentMarker.objects.filter(pk=1).first()
        if row is None:
            return DeploymentState(True, _("aucun démarrage de socle serve enregistré"))
        redis, paired_database = map(_text, client.mget(REDIS_MARKER, DATABASE_MARKER))
    except Exception:  # noqa: BLE001 - the database or Redis unreachable: their checks say it
        return DeploymentState(True, _("non vérifié (base de données ou Redis injoignable)"))
    difference = _difference(row.marker, row.redis_marker, redis, paired_database)
    return DeploymentState(not difference, message(difference) if difference else "ok")


def record_at_start() -> str:
    """Records the pair this node uses (each marker drawn if missing) and says what differed
    from the pair the previous start left (:data:`START_LINES`' key; "" when nothing did,
    without Redis, or when one of them cannot be reached: the node's other start lines say
    so)."""
    from socle.core.models import DeploymentMarker

    try:
        client = _redis()
        if client is None:
            return ""
        row = _database_row()
        client.set(REDIS_MARKER, secrets.token_hex(16), nx=True)
        redis, previous_database = map(_text, client.mget(REDIS_MARKER, DATABASE_MARKER))
        difference = _difference(row.marker, row.redis_marker, redis, previous_database)
        client.set(DATABASE_MARKER, row.marker)
        DeploymentMarker.objects.filter(pk=row.pk).update(
            redis_marker=redis, recorded_at=timezone.now()
        )
    except Exception:  # noqa: BLE001 - unreachable: said by the node's other start lines
        return ""
    return difference
