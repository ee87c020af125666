"""System checks for deployment settings (ids socle.E080–E099 / socle.W080–W099); those of the
secrets are in ``secret_checks.py``.

Reachability of PostgreSQL or Redis is not checked here: that is a runtime matter (``/healthz``).
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.utils.translation import gettext as _

from socle.core.admission_policy import cpu_count
from socle.core.hashers import OWASP_ARGON2ID_MINIMA, meets_owasp_baseline
from socle.core.redis import RedisURLError, validate_url
from socle.core.schedule import ScheduleError, parse_windows

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
    if settings.SOCLE_SERVE_GRACEFUL_TIMEOUT * 1000 <= settings.SOCLE_ADMISSION_MAX_WAIT_MS:
        messages.append(
            Warning(
                _(
                    "SOCLE_SERVE_GRACEFUL_TIMEOUT (%(graceful)s s) ne dépasse pas "
                    "SOCLE_ADMISSION_MAX_WAIT_MS (%(wait)s ms) : à l'arrêt du nœud, une connexion "
                    "qui attend son tour pourrait être coupée avant sa réponse."
                )
                % {
                    "graceful": settings.SOCLE_SERVE_GRACEFUL_TIMEOUT,
                    "wait": settings.SOCLE_ADMISSION_MAX_WAIT_MS,
                },
                hint=_(
                    "Donnez à SOCLE_SERVE_GRACEFUL_TIMEOUT quelques secondes de plus que "
                    "l'attente (20 s par défaut), et au superviseur (TimeoutStopSec de systemd) "
                    "un délai d'arrêt plus long encore."
                ),
                id="socle.W084",
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
    from socle.core.admission_policy import default_directory
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


@register("socle")
def check_base_url_host(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``SOCLE_ALLOWED_HOSTS`` that does not accept the host of ``SOCLE_BASE_URL``: every
    request the proxy forwards with the public ``Host`` is answered 400 « Demande refusée »."""
    from urllib.parse import urlsplit

    from django.http.request import validate_host

    host = urlsplit(settings.SOCLE_BASE_URL).hostname or ""
    if not host or validate_host(host, settings.ALLOWED_HOSTS):
        return []
    return [
        Warning(
            _(
                "SOCLE_ALLOWED_HOSTS (%(hosts)s) n'accepte pas %(host)s, l'hôte de "
                "SOCLE_BASE_URL : chaque page demandée à cette adresse répondra 400 « Demande "
                "refusée »."
            )
            % {"hosts": ",".join(settings.ALLOWED_HOSTS), "host": host},
            hint=_(
                "Ajoutez %(host)s à SOCLE_ALLOWED_HOSTS (ou retirez la variable : sa valeur par "
                "défaut le contient)."
            )
            % {"host": host},
            id="socle.W086",
        )
    ]


# SOCLE_* variables of the project's own tools (test suite, demo, benchmarks), not Socle's settings
TOOL_PREFIXES = ("SOCLE_TEST_", "SOCLE_DEMO_", "SOCLE_BENCH_", "SOCLE_SERVICES_", "SOCLE_E2E_")
TOOL_VARIABLES = frozenset({"SOCLE_XSD_DIR"})


@register("socle")
def check_unknown_variables(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """A ``SOCLE_*`` variable the settings never read: a misspelt ``SOCLE_DATABSE_URL`` left
    the node on its default SQLite file, an empty directory, without a word."""
    from difflib import get_close_matches

    from socle.env import READ

    messages: list[CheckMessage] = []
    for name in sorted(os.environ):
        if (
            not name.startswith("SOCLE_")
            or name in READ
            or name in TOOL_VARIABLES
            or name.startswith(TOOL_PREFIXES)
        ):
            continue
        if name == "SOCLE_SECRET_KEY":  # read only without SOCLE_SECRET_KEY_FILE
            hint = _("SOCLE_SECRET_KEY_FILE est défini et l'emporte : retirez SOCLE_SECRET_KEY.")
        elif close := get_close_matches(name, sorted(READ), n=1, cutoff=0.8):
            hint = _(
                "Faute de frappe ? La variable de Socle la plus proche est %(close)s "
                "(docs/configuration.md) : sans elle, sa valeur par défaut s'applique."
            ) % {"close": close[0]}
        else:
            hint = _("docs/configuration.md liste les variables de Socle : retirez celle-ci.")
        messages.append(
            Warning(
                _("%(name)s est défini, mais Socle ne lit pas cette variable : il est sans effet.")
                % {"name": name},
                hint=hint,
                id="socle.W085",
            )
        )
    return messages


@register("socle")
def check_content_security_policy(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``SOCLE_CONTENT_SECURITY_POLICY`` that cannot be sent as it is: the pages then carry the
    default policy (``socle.core.csp``), never a looser one, until it is corrected."""
    from socle.core.csp import OFF, problems

    value = (settings.SOCLE_CONTENT_SECURITY_POLICY or "").strip()
    if not value or value.lower() == OFF:
        return []
    found = problems(value)
    if not found:
        return []
    return [
        Error(
            _("SOCLE_CONTENT_SECURITY_POLICY illisible : %(problems)s.")
            % {"problems": " ; ".join(found)},
            hint=_(
                "Des directives CSP séparées par « ; » (ex. default-src 'self'; script-src "
                "'self'), « off » pour n'envoyer aucune politique, ou rien pour celle de Socle. "
                "En attendant, les pages portent la politique de Socle."
            ),
            id="socle.E089",
        )
    ]


@register(Tags.database)
def check_deployment_marker(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``socle.W078``: this node's database and Redis are not the pair the latest ``socle
    serve`` start recorded (``socle.core.deployment``: SSO sessions split between nodes)."""
    from socle.core.deployment import state

    found = state()
    if found.ok:
        return []
    return [
        Warning(
            found.detail,
            hint=_(
                "Comparez SOCLE_REDIS_URL et SOCLE_DATABASE_URL sur chaque nœud ; une fois "
                "corrigées, redémarrez les nœuds (docs/deployment.md, « Deployment marker »)."
            ),
            id="socle.W078",
        )
    ]
