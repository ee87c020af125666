"""System checks of the secrets: the secret key and the former ones (their strength, their
files' modes) and the token of ``/metrics``. The other deployment checks: ``checks.py``."""

from __future__ import annotations

import os
import stat
import time
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.translation import gettext as _

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE = 5


@register("socle")
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    key = str(settings.SECRET_KEY)
    if not _weak(key):
        return []
    return [
        Error(
            _(
                "SOCLE_SECRET_KEY est trop faible : %(length)s caractère(s), dont %(distinct)s "
                "différent(s)."
            )
            % {"length": len(key), "distinct": len(set(key))},
            hint=_(
                "Au moins %(minimum)s caractères aléatoires, par exemple : "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'."
            )
            % {"minimum": MIN_SECRET_KEY_LENGTH},
            id="socle.E081",
        )
    ]


def _weak(key: str) -> bool:
    return len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < MIN_SECRET_KEY_UNIQUE


@register("socle")
def check_secret_key_fallbacks(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Former keys (``SOCLE_SECRET_KEY_FALLBACKS``) still open what they signed: a weak one is
    as bad as a weak key, and one equal to the current key says the rotation did not happen."""
    messages: list[CheckMessage] = []
    fallbacks = [str(key) for key in getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    weak = [number for number, key in enumerate(fallbacks, start=1) if _weak(key)]
    if weak:
        messages.append(
            Error(
                _(
                    "SOCLE_SECRET_KEY_FALLBACKS : ancienne(s) clé(s) trop faible(s) (n° "
                    "%(numbers)s) ; elles ouvrent encore ce qu'elles ont signé."
                )
                % {"numbers": ", ".join(str(number) for number in weak)},
                hint=_(
                    "Au moins %(minimum)s caractères aléatoires, comme SOCLE_SECRET_KEY ; une "
                    "clé faible ne se garde pas : retirez-la (les codes d'activation émis sous "
                    "elle seront à réimprimer)."
                )
                % {"minimum": MIN_SECRET_KEY_LENGTH},
                id="socle.E095",
            )
        )
    if str(settings.SECRET_KEY) in fallbacks:
        messages.append(
            Warning(
                _("SOCLE_SECRET_KEY_FALLBACKS contient la clé secrète actuelle."),
                hint=_(
                    "Après une rotation, la nouvelle clé va dans SOCLE_SECRET_KEY (ou "
                    "SOCLE_SECRET_KEY_FILE) et l'ancienne seule dans SOCLE_SECRET_KEY_FALLBACKS."
                ),
                id="socle.W096",
            )
        )
    path = getattr(settings, "SOCLE_SECRET_KEY_FALLBACKS_FILE", "")
    warning = path and open_to_others(
        "SOCLE_SECRET_KEY_FALLBACKS_FILE",
        path,
        hint=_(
            "Les anciennes clés ouvrent encore les liens et jetons qu'elles ont signés : "
            "chmod 600, propriétaire l'utilisateur du serveur."
        ),
        id="socle.W097",
    )
    if warning:
        messages.append(warning)
    return messages


DAY = 24 * 60 * 60


@register("socle")
def check_secret_key_fallbacks_age(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """Former keys are kept for ``SOCLE_ACTIVATION_CODE_DAYS`` after a rotation (the letters
    printed just before), then removed (docs/deployment.md, "Rotating secrets"); nothing else
    ends them: a file of fallback keys whose status last changed (its creation, by the
    rotation's ``cp`` or ``install``, or its last write) longer ago than that is a rotation left
    half done, and may keep a key that has since leaked opening what anyone signs with it.

    Which half cannot be told: in round 1 of the two-round rotation the file holds the NEW key
    (Socle still signs with the former one), in round 2 and after a one-node rotation the
    former key, and a key is random text, the same in both cases. The file's timestamps beside
    the key file's would only guess (a ``chmod`` or an edit moves them, and the key may come
    from the environment). So the warning says a rotation was left under way, and the hint
    what to do in either case; it never calls the keys former ones. Former keys given in
    ``SOCLE_SECRET_KEY_FALLBACKS`` carry no date: not checked."""
    path = getattr(settings, "SOCLE_SECRET_KEY_FALLBACKS_FILE", "")
    if not path or not getattr(settings, "SECRET_KEY_FALLBACKS", []):
        return []
    try:
        changed = os.stat(path).st_ctime
    except OSError:
        return []
    limit = int(getattr(settings, "SOCLE_ACTIVATION_CODE_DAYS", 30))
    days = int((time.time() - changed) // DAY)
    if days <= limit:
        return []
    return [
        Warning(
            _(
                "SOCLE_SECRET_KEY_FALLBACKS_FILE : %(path)s tient des clés de repli depuis "
                "%(days)s jours, plus longtemps que les codes d'activation "
                "(SOCLE_ACTIVATION_CODE_DAYS = %(limit)s) : une rotation de la clé secrète est "
                "restée en cours."
            )
            % {"path": path, "days": days, "limit": limit},
            hint=_(
                "Au premier tour d'une rotation en deux tours (le fichier tient la nouvelle "
                "clé, pas encore dans SOCLE_SECRET_KEY), faites le second tour sur chaque "
                "nœud. Sinon, ce sont d'anciennes clés, qui ouvrent encore ce qu'elles ont "
                "signé : videz le fichier (: > %(path)s) puis redémarrez chaque nœud ; les "
                "codes d'activation imprimés avant la rotation ont expiré. Une ancienne clé "
                "qui a fuité se retire tout de suite."
            )
            % {"path": path},
            id="socle.W099",
        )
    ]


def open_to_others(setting: str, path: str, *, hint: str, id: str) -> Warning | None:
    """The warning for a secret's file (named by ``setting``) that other users than its owner
    may read or write; ``None`` when it is theirs alone, or gone (reported where it is read)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return Warning(
        _(
            "%(setting)s : le fichier %(path)s est accessible à d'autres utilisateurs que le "
            "sien (droits %(mode)s)."
        )
        % {"setting": setting, "path": path, "mode": stat.filemode(mode)},
        hint=hint,
        id=id,
    )


@register("socle")
def check_secret_key_file(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The secret key signs sessions, tickets' cookies and activation links: its file is for the
    server's user alone (docs/deployment.md, "Secrets"), as the PRONOTE key's (socle.W066)."""
    path = getattr(settings, "SOCLE_SECRET_KEY_FILE", "")
    warning = path and open_to_others(
        "SOCLE_SECRET_KEY_FILE",
        path,
        hint=_(
            "Qui lit cette clé peut forger les liens et jetons signés de l'ENT (activation, "
            "cookies d'appareil) : chmod 600, propriétaire l'utilisateur du serveur."
        ),
        id="socle.W093",
    )
    return [warning] if warning else []


METRICS_TOKEN_MIN = 32


@register("socle")
def check_metrics_token(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    token = settings.SOCLE_METRICS_TOKEN
    if token and len(token) < METRICS_TOKEN_MIN:
        return [
            Warning(
                _(
                    "SOCLE_METRICS_TOKEN est trop court (%(length)d caractères) : il protège "
                    "la page /metrics."
                )
                % {"length": len(token)},
                hint=_(
                    "Utilisez au moins %(min)d caractères aléatoires, par exemple : "
                    "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'."
                )
                % {"min": METRICS_TOKEN_MIN},
                id="socle.W092",
            )
        ]
    return []
