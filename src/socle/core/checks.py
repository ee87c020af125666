"""System checks for deployment settings (ids socle.E080–E099 / socle.W080–W099).

Reachability of PostgreSQL or Redis is not checked here: that is a runtime matter (``/healthz``).
"""

from __future__ import annotations

import ipaddress
import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

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
            "SOCLE_DEBUG est activé alors que Socle répond à des noms publics : "
            f"{', '.join(public)}.",
            hint="Le mode debug affiche le code et la configuration en cas d'erreur : "
            "SOCLE_DEBUG=false en production.",
            id="socle.E080",
        )
    ]


@register("socle")
def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    key = str(settings.SECRET_KEY)
    if len(key) >= MIN_SECRET_KEY_LENGTH and len(set(key)) >= MIN_SECRET_KEY_UNIQUE:
        return []
    return [
        Error(
            f"SOCLE_SECRET_KEY est trop faible ({len(key)} caractères, {len(set(key))} distincts).",
            hint=f"Au moins {MIN_SECRET_KEY_LENGTH} caractères aléatoires, par exemple : "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'.",
            id="socle.E081",
        )
    ]


@register("socle")
def check_argon2(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    memory, passes = settings.SOCLE_ARGON2_MEMORY_KIB, settings.SOCLE_ARGON2_TIME_COST
    if meets_owasp_baseline(memory, passes):
        return []
    pairs = ", ".join(f"{m} Kio × {t}" for m, t in OWASP_ARGON2ID_MINIMA)
    return [
        Error(
            f"Argon2id sous le minimum de l'OWASP : {memory} Kio × {passes} passe(s).",
            hint=f"Choisir au moins l'un de ces couples (SOCLE_ARGON2_MEMORY_KIB × "
            f"SOCLE_ARGON2_TIME_COST) : {pairs}.",
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
            f"SQLite avec {workers} processus gunicorn : les écritures (connexions, tickets, "
            "traces) passent une à une.",
            hint="Au-delà d'un petit établissement ou de plusieurs nœuds, utilisez PostgreSQL "
            "(SOCLE_DATABASE_URL) et Redis (SOCLE_REDIS_URL), ou réduisez SOCLE_SERVE_WORKERS.",
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
                    f"SOCLE_REDIS_URL est invalide : {exc}.",
                    hint="redis://hôte:6379/0, rediss://…, unix:///chemin.sock, ou "
                    "redis+sentinel://sentinelle1:26379,sentinelle2:26379/nom-du-maître.",
                    id="socle.E084",
                )
            )
    if settings.SOCLE_REDIS_CLUSTER and (not url or "+sentinel" in url):
        messages.append(
            Error(
                "SOCLE_REDIS_CLUSTER=true demande une URL redis:// ou rediss:// d'un nœud du "
                "cluster dans SOCLE_REDIS_URL.",
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
                f"SOCLE_ADMISSION_MAX_WAIT_MS ({settings.SOCLE_ADMISSION_MAX_WAIT_MS} ms) doit "
                f"rester sous la moitié de SOCLE_SERVE_TIMEOUT ({settings.SOCLE_SERVE_TIMEOUT} s).",
                hint="Sinon gunicorn tue les processus dont les connexions attendent encore.",
                id="socle.E086",
            )
        )
    try:
        parse_windows(settings.SOCLE_ADMISSION_DEFERRED_HOURS)
    except ScheduleError as exc:
        messages.append(Error(f"SOCLE_ADMISSION_DEFERRED_HOURS : {exc}.", id="socle.E087"))
    from socle.directory.profiles import Profile

    unknown = sorted(set(settings.SOCLE_ADMISSION_DEFERRED_PROFILES) - set(Profile.values))
    if unknown:
        messages.append(
            Warning(
                f"SOCLE_ADMISSION_DEFERRED_PROFILES nomme des profils inconnus : "
                f"{', '.join(unknown)}.",
                hint=f"Profils connus : {', '.join(Profile.values)}.",
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
                "SOCLE_BEHIND_TLS_PROXY=true mais SOCLE_BASE_URL n'est pas en https.",
                hint="Derrière un mandataire TLS, l'URL publique commence par https:// : les "
                "cookies seront alors marqués Secure.",
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
                f"SOCLE_TRUSTED_PROXIES : {exc}.",
                hint="Adresses ou réseaux séparés par des virgules, ex. 10.0.0.5,10.1.0.0/16.",
                id="socle.E090",
            )
        ]
    return []


@register("socle")
def check_admission_directory(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The admission gate's directory (slot locks, waitlist): created when missing, as the gate
    does, and written to once. Without it every password login would fail (500)."""
    from socle.core.admission import current_policy
    from socle.core.plain_errors import os_error

    directory = current_policy().directory
    probe = directory / f".socle-check-{os.getpid()}"
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(probe, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
        os.unlink(probe)
    except OSError as exc:
        return [
            Error(
                f"SOCLE_ADMISSION_DIR : le dossier {directory} est inutilisable ({os_error(exc)}).",
                hint="Un dossier local où Socle peut écrire (verrous des connexions, file "
                "d'attente) : sans lui, chaque connexion par mot de passe échoue.",
                id="socle.E091",
            )
        ]
    return []
