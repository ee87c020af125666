"""Moving a school from SQLite to PostgreSQL (``socle copy_database``).

Django's ``dumpdata``/``loaddata`` move the rows, but the options that make them work on Socle
are easy to get wrong, each with its own failure:

- the content types and permissions are created again by ``migrate`` on the new database, under
  other ids: copied, they collide (``IntegrityError``); left out, the rows that point at them
  (the Django admin's history, a person's permissions) must name them by their natural keys
  (``--natural-foreign``);
- the volatile rows go nowhere: Django sessions and the CAS tables (SSO sessions, tickets,
  proxy-granting tickets), which Redis holds beside PostgreSQL; everybody logs in again;
- the dump holds password and activation code hashes: written in a private folder of the
  temporary folder (``core.files.private_folder_beside``: mode 700, removed afterwards, on error
  or interrupt too); so does a SQLite target, created mode 600;
- a password written in the target's URL is seen by the server's other users (``ps``) and kept
  in the shell's history: the command warns; libpq reads it from ``~/.pgpass`` or
  ``PGPASSWORD`` instead;
- ``dumpdata`` reads one table after the other: a node writing meanwhile gives a dump of no one
  instant. The copy runs in one transaction of the source, which on SQLite (``BEGIN IMMEDIATE``,
  ``settings.DATABASES``) makes the writers wait; stop Socle anyway, since what it writes after
  the copy would stay behind in SQLite;
- the new database must be migrated by the same version, and empty: ``loaddata`` into a used one
  would overwrite rows of the same ids.

Every other row keeps its id (no ``--natural-primary``: a person's id would follow the order of
the copy instead). ``loaddata`` writes in one transaction and resets PostgreSQL's sequences to the
largest id copied, so the next person created gets a new id. Password hashes are copied as they
are.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.apps import apps
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.db.utils import load_backend
from django.utils.translation import gettext as _

from socle.core.files import private_folder_beside
from socle.core.plain_errors import os_error

TARGET = "socle_copy_target"
# The deployment marker is the database's own (socle.core.deployment): the new one draws its.
EXCLUDED = ("contenttypes", "auth.permission", "sessions", "cas", "core.deploymentmarker")
SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


class CopyError(Exception):
    """The copy cannot be made; the message says why, in the active language."""


@dataclass(frozen=True)
class CopiedModel:
    label: str
    source: int
    target: int


def copied_models() -> list[type[models.Model]]:
    """The models whose rows are copied: all but :data:`EXCLUDED`."""
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label not in EXCLUDED and model._meta.label_lower not in EXCLUDED
    ]


@contextmanager
def target_database(url: str) -> Iterator[str]:
    """A database alias for ``url`` while the block runs (removed afterwards)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in SCHEMES:
        raise CopyError(
            _(
                "Adresse de base de données illisible ou non prise en charge ; attendu "
                "postgres://utilisateur:mot-de-passe@hôte:5432/base."
            )
        )
    try:
        parsed = dj_database_url.parse(url)
    except ValueError:
        raise CopyError(
            _(
                "Adresse de base de données illisible (caractère spécial du mot de passe non "
                "encodé : « @ » s'écrit %40)."
            )
        ) from None
    # Django's defaults for every key the URL does not give (configure_settings wants "default").
    configured = connections.configure_settings({DEFAULT_DB_ALIAS: parsed})[DEFAULT_DB_ALIAS]
    if configured["ENGINE"] == "django.db.backends.sqlite3":
        _create_private(str(configured["NAME"]))
    # A connection of this thread only, outside settings.DATABASES (Django's "dynamically
    # created connection"): the commands called below find it by its alias.
    connections[TARGET] = load_backend(configured["ENGINE"]).DatabaseWrapper(configured, TARGET)
    try:
        yield TARGET
    finally:
        connections[TARGET].close()
        del connections[TARGET]


def _create_private(name: str) -> None:
    """Creates the SQLite target mode 600 before SQLite does with the umask's mode (644 under
    the usual 022): the copy holds the password hashes; SQLite gives its journal and WAL files
    the database's mode. A file already there is left as it is (refused later if not empty)."""
    if not name or name == ":memory:" or name.startswith("file:"):
        return
    with contextlib.suppress(OSError):  # there already, or a folder SQLite will refuse too
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))


def password_in(url: str) -> bool:
    """Whether ``url`` carries a password (seen by other users in ``ps``, kept in the shell's
    history; libpq reads it from ~/.pgpass or ``PGPASSWORD`` instead)."""
    try:
        return bool(urlsplit(url).password)
    except ValueError:
        return False


def _same_database(alias: str) -> bool:
    source = connections[DEFAULT_DB_ALIAS].settings_dict
    target = connections[alias].settings_dict
    keys = ("ENGINE", "NAME", "HOST", "PORT")
    if source["ENGINE"] == target["ENGINE"] == "django.db.backends.sqlite3":
        return os.path.realpath(str(source["NAME"])) == os.path.realpath(str(target["NAME"]))
    return all(str(source.get(key) or "") == str(target.get(key) or "") for key in keys)


def _counts(alias: str) -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.using(alias).count() for model in copied_models()
    }


def copy_database(
    alias: str, progress: Callable[[str], None] = lambda _step: None
) -> list[CopiedModel]:
    """Copies every row but the volatile ones from ``default`` to ``alias``, which is migrated
    first and must hold none. Returns the rows counted on both sides. ``progress`` is told each
    step as it starts (a sentence). A database error of the target (a full disk) is a
    :class:`CopyError` saying so: its migrations are each atomic and its rows written in one
    transaction, so the same command run again completes the copy."""
    from socle.core.commands import database_label

    try:
        return _copy(alias, progress)
    except DatabaseError as exc:
        raise CopyError(
            _(
                "Écriture dans la base cible %(database)s impossible : %(reason)s. Aucune ligne "
                "n'y a été copiée : corrigez la cause, puis relancez la même commande."
            )
            % {"database": database_label(alias), "reason": _database_reason(exc)}
        ) from None
    except OSError as exc:  # the dump, in the temporary folder
        raise CopyError(
            _(
                "Écriture de la copie temporaire impossible dans %(folder)s : %(reason)s "
                "(dossier temporaire : variable TMPDIR). Rien n'a été copié."
            )
            % {"folder": tempfile.gettempdir(), "reason": os_error(exc)}
        ) from None


def _database_reason(exc: DatabaseError) -> str:
    """The reason of a write refused by the target, in the active language where known."""
    from socle.core.db_errors import interrupted_reason, write_refused_reason

    message = str(exc).strip()
    known = write_refused_reason(exc) or interrupted_reason(exc)
    if known is not None:
        return known
    return message.splitlines()[0] if message else type(exc).__name__


def _copy(alias: str, progress: Callable[[str], None]) -> list[CopiedModel]:
    from socle.core.commands import database_label, pending_migrations, unreachable_database

    unreachable = unreachable_database(alias)  # one line, not the migration's traceback
    if unreachable:
        raise CopyError(unreachable)
    if _same_database(alias):
        raise CopyError(_("La base cible est la base actuelle : indiquez-en une autre."))
    missing = pending_migrations(DEFAULT_DB_ALIAS)
    if missing:
        raise CopyError(
            _(
                "La base actuelle n'est pas à jour (%(count)s migration(s) à appliquer) : lancez "
                "d'abord « socle migrate »."
            )
            % {"count": missing}
        )
    progress(_("Préparation de la base cible (migrations)…"))
    call_command("migrate", database=alias, interactive=False, verbosity=0)
    used = {label: count for label, count in _counts(alias).items() if count}
    if used:
        raise CopyError(
            _("La base cible %(database)s n'est pas vide (%(tables)s) : utilisez une base neuve.")
            % {
                "database": database_label(alias),
                "tables": ", ".join(
                    f"{label} : {count}" for label, count in sorted(used.items())[:3]
                )
                + (", …" if len(used) > 3 else ""),
            }
        )
    # In a private folder (mode 700, reached through its descriptor, removed on error or
    # interrupt): in a temporary folder others may write in, without the sticky bit, they could
    # otherwise swap the dump, read by name, for rows of their own between its two steps.
    with private_folder_beside(Path(tempfile.gettempdir()) / "socle-copy.jsonl") as folder:
        dump = folder / "socle-copy.jsonl"
        progress(_("Lecture de la base actuelle…"))
        with transaction.atomic(using=DEFAULT_DB_ALIAS):  # one instant of the source
            call_command(
                "dumpdata",
                *(f"--exclude={excluded}" for excluded in EXCLUDED),
                natural_foreign=True,
                format="jsonl",
                output=str(dump),
                database=DEFAULT_DB_ALIAS,
                verbosity=0,
            )
            source = _counts(DEFAULT_DB_ALIAS)
        progress(
            _("Écriture de %(rows)s lignes dans la base cible…") % {"rows": sum(source.values())}
        )
        call_command("loaddata", str(dump), database=alias, verbosity=0)
    target = _counts(alias)
    return [CopiedModel(label, source[label], target[label]) for label in sorted(source)]
