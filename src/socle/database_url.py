"""``DATABASES["default"]`` for ``socle.settings``, from ``SOCLE_DATABASE_URL``: SQLite or
PostgreSQL only, each with Socle's connection options; a URL that cannot be used stops the start
with one French line naming the variable (``socle.env``), never repeating the URL (it holds the
password)."""

import dj_database_url
from dj_database_url import DBConfig
from django.utils.translation import gettext_noop

from socle.env import ConfigurationError, env_int

_DATABASE_SCHEMES = {"sqlite", "postgres", "postgresql", "pgsql"}


def database(url: str) -> DBConfig:
    """The settings of the database at ``url`` (``SOCLE_DATABASE_CONN_MAX_AGE`` read here)."""
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _DATABASE_SCHEMES:
        raise ConfigurationError(
            gettext_noop(
                "SOCLE_DATABASE_URL : type de base « %(scheme)s » non pris en charge ; attendu "
                "sqlite:///chemin/socle.sqlite3 ou postgres://utilisateur:mot-de-passe@hôte:5432/base."
            )
            if scheme
            else gettext_noop(
                "SOCLE_DATABASE_URL : adresse illisible (« schéma:// » manquant) ; attendu "
                "sqlite:///chemin/socle.sqlite3 ou postgres://utilisateur:mot-de-passe@hôte:5432/base."
            ),
            scheme=scheme,
        )
    try:
        db = dj_database_url.parse(url, conn_max_age=0)
    except ValueError:
        raise ConfigurationError(
            gettext_noop(
                "SOCLE_DATABASE_URL : adresse illisible (port non numérique, ou caractère spécial "
                "du mot de passe non encodé : « @ » s'écrit %%40, « / » %%2F, « : » %%3A) ; "
                "attendu postgres://utilisateur:mot-de-passe@hôte:5432/base."
            )
        ) from None
    if db["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the writer; IMMEDIATE makes write transactions queue
        # instead of failing with "database is locked" under several gunicorn workers.
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # Opening a SQLite connection (the PRAGMAs, Django's SQL functions) cost more than a whole
        # ticket validation: each gunicorn thread keeps its own (docs/benchmarks/analysis.md).
        db["CONN_MAX_AGE"] = env_int("SOCLE_DATABASE_CONN_MAX_AGE", 60, minimum=0)
    elif db["ENGINE"] == "django.db.backends.postgresql":
        db["CONN_MAX_AGE"] = env_int("SOCLE_DATABASE_CONN_MAX_AGE", 60, minimum=0)
        db["CONN_HEALTH_CHECKS"] = True
    return db
