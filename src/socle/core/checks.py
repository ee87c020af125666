"""System checks for deployment settings (ids socle.E080–E099 / socle.W080–W099).

Reachability of PostgreSQL or Redis is not checked here: that is a runtime matter (``/healthz``).
"""

from __future__ import annotations

import ipaddress
import os
import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register
from django.utils.translation import gettext as _

from socle.core.admission import cpu_count
from socle.core.hashers import OWASP_ARGON2ID_MINIMA, meets_owasp_baseline
from socle.core.redis import RedisURLError, validate_url
from socle.core.schedule import ScheduleError, parse_windows

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE = 5
SQLITE_MAX_WORKERS = 4


def _is_loopback(host: str) -> bool:
    host = host.strip().strip("[]").lstrip(".")
    if host in {"localhost", "testserver"} or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def database_engine() -> str:
    return str(settings.DATABASES["default"]["ENGINE"])


def serve_workers() -> int:
    """Workers ``socle serve`` starts by default: one per core."""
    return settings.SOCLE_SERVE_WORKERS or cpu_count()


@register("socle")
def check_debug(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not settings.DEBUG:
        return []
    public = [h for h in settings.ALLOWED_HOSTS if not _is_loopback(h)]
    if not public:
        return []
    return [
        Error(
            _("SOCLE_DEBUG est activé alors que Socle répond à des noms publics : %(hosts)s.")
            % {"hosts": ", ".join(public)},
            hint=_(
                "Le mode debug affiche le code et la configuration en cas d'erreur : "
                "SOCLE_DEBUG=false en production."
            ),
            id="socle.E080",
        )
    ]


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


@register("socle")
def check_argon2(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    memory, passes = settings.SOCLE_ARGON2_MEMORY_KIB, settings.SOCLE_ARGON2_TIME_COST
    if meets_owasp_baseline(memory, passes):
        return []
    pairs = ", ".join(
        _("%(memory)s Kio × %(passes)s") % {"memory": m, "passes": t}
        for m, t in OWASP_ARGON2ID_MINIMA
    )
    return [
        Error(
            _("Argon2id sous le minimum de l'OWASP : %(memory)s Kio × %(passes)s passe(s).")
            % {"memory": memory, "passes": passes},
            hint=_(
                "Choisir au moins l'un de ces couples (SOCLE_ARGON2_MEMORY_KIB × "
                "SOCLE_ARGON2_TIME_COST) : %(pairs)s."
            )
            % {"pairs": pairs},
            id="socle.E082",
        )
    ]


@register("socle")
def check_sqlite_workers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    engine = database_engine()
    workers = serve_workers()
    if engine != "django.db.backends.sqlite3" or workers <= SQLITE_MAX_WORKERS:
        return []
    return [
        Warning(
            _(
                "SQLite avec %(workers)s processus gunicorn : les écritures (connexions, tickets, "
                "traces) passent une à une."
            )
            % {"workers": workers},
            hint=_(
                "Au-delà d'un petit établissement ou de plusieurs nœuds, utilisez PostgreSQL "
                "(SOCLE_DATABASE_URL) et Redis (SOCLE_REDIS_URL), ou réduisez "
                "SOCLE_SERVE_WORKERS."
            ),
            id="socle.W083",
        )
    ]


@register("socle")
def check_redis(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = settings.SOCLE_REDIS_URL
    messages: list[CheckMessage] = []
    if url:
        try:
            validate_url(url)
        except RedisURLError as exc:
            messages.append(
                Error(
                    _("SOCLE_REDIS_URL est invalide : %(error)s.") % {"error": exc},
                    hint=_(
                        "redis://hôte:6379/0, rediss://…, unix:///chemin.sock, ou "
                        "redis+sentinel://sentinelle1:26379,sentinelle2:26379/nom-du-maître."
                    ),
                    id="socle.E084",
                )
            )
    if settings.SOCLE_REDIS_CLUSTER and (not url or "+sentinel" in url):
        messages.append(
            Error(
                _(
                    "SOCLE_REDIS_CLUSTER=true demande une URL redis:// ou rediss:// d'un nœud "
                    "du cluster dans SOCLE_REDIS_URL."
                ),
                id="socle.E085",
            )
        )
    return messages


@register("socle")
def check_admission(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if settings.SOCLE_ADMISSION_MAX_WAIT_MS >= settings.SOCLE_SERVE_TIMEOUT * 1000 // 2:
        messages.append(
            Error(
                _(
                    "SOCLE_ADMISSION_MAX_WAIT_MS (%(wait)s ms) doit rester sous la moitié de "
                    "SOCLE_SERVE_TIMEOUT (%(timeout)s s)."
                )
                % {
                    "wait": settings.SOCLE_ADMISSION_MAX_WAIT_MS,
                    "timeout": settings.SOCLE_SERVE_TIMEOUT,
                },
                hint=_("Sinon gunicorn tue les processus dont les connexions attendent encore."),
                id="socle.E086",
            )
        )
    try:
        parse_windows(settings.SOCLE_ADMISSION_DEFERRED_HOURS)
    except ScheduleError as exc:
        messages.append(
            Error(
                _("SOCLE_ADMISSION_DEFERRED_HOURS : %(error)s.") % {"error": exc}, id="socle.E087"
            )
        )
    from socle.directory.profiles import Profile

    unknown = sorted(set(settings.SOCLE_ADMISSION_DEFERRED_PROFILES) - set(Profile.values))
    if unknown:
        messages.append(
            Warning(
                _("SOCLE_ADMISSION_DEFERRED_PROFILES nomme des profils inconnus : %(names)s.")
                % {"names": ", ".join(unknown)},
                hint=_("Profils connus : %(names)s.") % {"names": ", ".join(Profile.values)},
                id="socle.W088",
            )
        )
    return messages


@register("socle")
def check_proxy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    behind_proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None) is not None
    if behind_proxy and not settings.SOCLE_HTTPS:
        return [
            Warning(
                _("SOCLE_BEHIND_TLS_PROXY=true mais SOCLE_BASE_URL n'est pas en https."),
                hint=_(
                    "Derrière un mandataire TLS, l'URL publique commence par https:// : les "
                    "cookies seront alors marqués Secure."
                ),
                id="socle.W089",
            )
        ]
    return []


@register("socle")
def check_trusted_proxies(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from socle.core.proxy import ProxyListError, parse_networks

    try:
        parse_networks(settings.SOCLE_TRUSTED_PROXIES)
    except ProxyListError as exc:
        return [
            Error(
                _("SOCLE_TRUSTED_PROXIES : %(error)s.") % {"error": exc},
                hint=_("Adresses ou réseaux séparés par des virgules, ex. 10.0.0.5,10.1.0.0/16."),
                id="socle.E090",
            )
        ]
    return []


@register("socle")
def check_admission_directory(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The admission gate's directory (slot locks, waitlist): created when missing, as the gate
    does, and written to once. Without it every password login would fail (500)."""
    from socle.core.admission import default_directory
    from socle.core.plain_errors import os_error

    # Not current_policy(): it also parses SOCLE_ADMISSION_DEFERRED_HOURS, which socle.E087
    # reports; an unreadable value must give that message, not this check's traceback.
    directory = Path(settings.SOCLE_ADMISSION_DIR or str(default_directory()))
    probe = directory / f".socle-check-{os.getpid()}"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(probe, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
        os.unlink(probe)
    except OSError as exc:
        return [
            Error(
                _("SOCLE_ADMISSION_DIR : le dossier %(path)s est inutilisable (%(error)s).")
                % {"path": directory, "error": os_error(exc)},
                hint=_(
                    "Un dossier local où Socle peut écrire (verrous des connexions, file "
                    "d'attente) : sans lui, chaque connexion par mot de passe échoue."
                ),
                id="socle.E091",
            )
        ]
    return []


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
