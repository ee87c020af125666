"""What each app keeps about people, declared where it is kept: how long (a purge) and what it
holds about one person (an export). ``socle retention_purge`` runs every purge, ``socle
person_data`` every export (docs/privacy.md).

The apps register in their ``ready()``, in the order of their dependencies (directory, portal,
cas, pronote), so that ``core`` imports none of them:

    from socle.core.personal_data import register_export, register_purge
    register_purge("traces", _("traces de connexion et d'administration"), purge_traces)
    register_export("traces", traces_of)

A purge takes ``dry_run`` and returns how many records it deleted (or would delete); one
registered with ``progress=True`` also takes ``progress``, called with (done, total) after each
batch it commits (the command prints it); an export
takes the person (``directory.Person``) and returns plain JSON values (no password hash, no
activation code, no full ticket or session id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.functional import Promise

# (dry_run[, progress]) -> count; None: a dry run that cannot count
PurgeFunction = Callable[..., int | None]
ExportFunction = Callable[[Any], Any]


@dataclass(frozen=True)
class Purge:
    name: str
    label: str | Promise  # what it deletes, for the command's report (lazy: the command's language)
    run: PurgeFunction
    progress: bool = False  # ``run`` takes ``progress`` (done, total) as well


_purges: dict[str, Purge] = {}
_exports: dict[str, ExportFunction] = {}


def register_purge(
    name: str, label: str | Promise, run: PurgeFunction, *, progress: bool = False
) -> None:
    """Registers (or replaces, by name) one retention rule."""
    _purges[name] = Purge(name, label, run, progress)


def register_export(name: str, export: ExportFunction) -> None:
    """Registers (or replaces, by name) one section of a person's data."""
    _exports[name] = export


def purges() -> tuple[Purge, ...]:
    return tuple(_purges.values())


def export_person(person: Any, only: Iterable[str] | None = None) -> dict[str, Any]:
    """Every section about ``person`` (or those named in ``only``), in registration order."""
    wanted = None if only is None else set(only)
    return {
        name: export(person)
        for name, export in _exports.items()
        if wanted is None or name in wanted
    }


def count_or_delete(rows: QuerySet[Any], dry_run: bool) -> int:
    """How many ``rows`` there are (a dry run), else how many rows their deletion removed (as
    ``QuerySet.delete`` counts them, cascades included): the body of most purges."""
    return int(rows.count() if dry_run else rows.delete()[0])


# --- What Django itself keeps (sessions, the database cache, the admin's journal) ------------


def purge_sessions(dry_run: bool) -> int:
    """Expired Django sessions in the database (``socle.core.db_sessions``, without Redis;
    Django never deletes them by itself). Redis expires its own: nothing to do there."""
    from importlib import import_module

    from django.conf import settings
    from django.utils import timezone

    store = import_module(settings.SESSION_ENGINE).SessionStore
    model_class = getattr(store, "get_model_class", None)
    if model_class is None:
        return 0
    return count_or_delete(model_class().objects.filter(expire_date__lt=timezone.now()), dry_run)


def purge_cache(dry_run: bool) -> int:
    """Expired rows of the database cache (``socle_cache``, without Redis): the login throttle's
    counters, keyed on client addresses. Django deletes them only past ``MAX_ENTRIES``
    (``socle.core.cache.SocleDatabaseCache``). Redis expires its own."""
    from django.core.cache import caches
    from django.core.cache.backends.db import DatabaseCache
    from django.db import connection
    from django.utils import timezone

    cache = caches["default"]  # the backend itself (``django.core.cache.cache`` is a proxy)
    if not isinstance(cache, DatabaseCache):
        return 0
    table = connection.ops.quote_name(cache._table)  # type: ignore[attr-defined]
    expires = connection.ops.quote_name("expires")
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        if dry_run:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {expires} < %s", [now])  # noqa: S608
            return int(cursor.fetchone()[0])
        cursor.execute(f"DELETE FROM {table} WHERE {expires} < %s", [now])  # noqa: S608
        return int(cursor.rowcount)


def purge_admin_log(dry_run: bool) -> int:
    """The Django admin's journal (who changed which row, with the row's name), kept as long as
    the traces (``SOCLE_TRACE_RETENTION_DAYS``)."""
    import datetime as dt

    from django.conf import settings
    from django.contrib.admin.models import LogEntry
    from django.utils import timezone

    cutoff = timezone.now() - dt.timedelta(days=settings.SOCLE_TRACE_RETENTION_DAYS)
    return count_or_delete(LogEntry.objects.filter(action_time__lt=cutoff), dry_run)


def register_django_purges() -> None:
    """Called by ``CoreConfig.ready`` (core is the last app: these come after the apps')."""
    from django.utils.translation import gettext_lazy as _

    register_purge("django_sessions", _("sessions du portail expirées"), purge_sessions)
    register_purge("cache", _("compteurs de connexion expirés (cache en base)"), purge_cache)
    register_purge(
        "django_admin_log",
        _("journal de l'administration Django plus ancien que SOCLE_TRACE_RETENTION_DAYS"),
        purge_admin_log,
    )
