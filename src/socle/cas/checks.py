"""System checks for CAS configuration mistakes (ids socle.E001–E019 / socle.W001–W019)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.utils.translation import gettext as _

from socle.core.saml_release import http_attributes_allowed, is_loopback_host

MAX_DEVICE_COOKIE_DAYS = 395  # 13 months, the CNIL's recommended ceiling for a cookie


@register(Tags.security)
def check_cas_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    if getattr(settings, "SOCLE_CAS_OPEN_REGISTRY", False):
        problems.append(
            Error(
                _(
                    "SOCLE_CAS_OPEN_REGISTRY est activé : le CAS délivrerait des tickets "
                    "à n'importe quel site (redirection ouverte)."
                ),
                hint=_(
                    "Enregistrez les services (socle service_add) ; laissez cette option à false."
                ),
                id="socle.E001",
            )
        )
    if settings.SOCLE_CAS_ST_LIFETIME > 60:
        problems.append(
            Warning(
                _(
                    "SOCLE_CAS_ST_LIFETIME=%(seconds)s s : un ticket de service devrait vivre "
                    "quelques secondes."
                )
                % {"seconds": settings.SOCLE_CAS_ST_LIFETIME},
                hint=_("10 secondes suffisent."),
                id="socle.W002",
            )
        )
    if settings.SOCLE_CAS_SESSION_IDLE > settings.SOCLE_CAS_SESSION_MAX:
        problems.append(
            Error(
                _("SOCLE_CAS_SESSION_IDLE dépasse SOCLE_CAS_SESSION_MAX."),
                hint=_("La durée d'inactivité doit être inférieure à la durée maximale."),
                id="socle.E003",
            )
        )
    if getattr(settings, "SOCLE_CAS_ALLOW_HTTP_PROXY_CALLBACK", False) and not settings.DEBUG:
        problems.append(
            Warning(
                _(
                    "SOCLE_CAS_ALLOW_HTTP_PROXY_CALLBACK est activé hors DEBUG : des "
                    "proxy-granting tickets peuvent partir en clair vers cette machine."
                ),
                hint=_("Réservé aux tests ; retirez ce réglage en production."),
                id="socle.W010",
            )
        )
    if getattr(settings, "SOCLE_CAS_SAML_HTTP_ATTRIBUTES", False):
        problems.append(
            Warning(
                _(
                    "SOCLE_CAS_SAML_HTTP_ATTRIBUTES est activé : /samlValidate transmet les "
                    "attributs aux services en http, ce que la spécification CAS interdit "
                    "(§4.2.1)."
                ),
                hint=_("Publiez ces services en https et retirez ce réglage."),
                id="socle.W098",
            )
        )
    per_pair = getattr(settings, "SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT", 5)
    per_account = getattr(settings, "SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES", 20)
    if per_account < per_pair:
        problems.append(
            Warning(
                _(
                    "SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT_ALL_ADDRESSES (%(all)s) est inférieur à "
                    "SOCLE_LOGIN_MAX_FAILURES_PER_ACCOUNT (%(one)s) : un compte est bloqué une "
                    "heure pour toutes les adresses avant que le blocage d'un quart d'heure par "
                    "adresse ne joue."
                )
                % {"all": per_account, "one": per_pair},
                hint=_(
                    "Gardez la limite toutes adresses au-dessus de la limite par adresse "
                    "(20 et 5 par défaut, docs/configuration.md)."
                ),
                id="socle.W011",
            )
        )
    days = getattr(settings, "SOCLE_LOGIN_DEVICE_COOKIE_DAYS", 180)
    if not isinstance(days, int) or not 0 <= days <= MAX_DEVICE_COOKIE_DAYS:
        problems.append(
            Warning(
                _(
                    "SOCLE_LOGIN_DEVICE_COOKIE_DAYS=%(days)s : la durée du cookie d'appareil doit "
                    "être un nombre de jours entre 0 et %(max)s."
                )
                % {"days": days, "max": MAX_DEVICE_COOKIE_DAYS},
                hint=_(
                    "180 jours par défaut ; 13 mois au plus, comme la CNIL le recommande pour un "
                    "cookie ; 0 désactive les cookies d'appareil (docs/configuration.md)."
                ),
                id="socle.W012",
            )
        )
    host = (urlsplit(settings.SOCLE_BASE_URL).hostname or "").lower()
    local = host in {"127.0.0.1", "localhost", "::1", "testserver"} or host.endswith(".localhost")
    if not settings.SOCLE_HTTPS and not settings.DEBUG and not local:
        problems.append(
            Warning(
                _("SOCLE_BASE_URL n'est pas en https : les cookies de session circulent en clair."),
                hint=_("Servez l'ENT en https derrière un proxy TLS (docs/deployment.md)."),
                id="socle.W004",
            )
        )
    return problems


@register()
def check_service_patterns(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Registered patterns that cannot work, or that open the registry to any site."""
    from django.db import DatabaseError

    from socle.cas.services import compile_pattern, pattern_error, too_broad
    from socle.core.linear_regex import Unsupported
    from socle.portal.models import ServicePattern, SSOType

    try:
        patterns = list(
            ServicePattern.objects.select_related("service")
            .filter(service__enabled=True)
            .exclude(service__sso_type=SSOType.NONE)
        )
    except DatabaseError:  # tables not migrated yet
        return []
    problems: list[Any] = []
    for pattern in patterns:
        where = _("service %(code)s, motif « %(pattern)s »") % {
            "code": pattern.service.code,
            "pattern": pattern.value[:120],
        }
        try:
            compile_pattern(pattern.kind, pattern.value)
        except Unsupported as exc:  # valid for Python's re, not for RE2: a warning (upgrades)
            problems.append(
                Warning(
                    _(
                        "%(where)s : expression régulière que le CAS n'évalue plus (%(error)s), "
                        "il l'ignore."
                    )
                    % {"where": where, "error": pattern_error(exc)},
                    hint=_(
                        "Le CAS compare les adresses en temps linéaire (RE2, docs/cas.md « "
                        "Services ») : réécrivez-la sans cette construction dans Gestion portail "
                        "> Services ou avec socle service_add."
                    ),
                    id="socle.W009",
                )
            )
            continue
        except (re.error, ValueError) as exc:
            problems.append(
                Error(
                    _("%(where)s : motif invalide (%(error)s), il est ignoré.")
                    % {"where": where, "error": pattern_error(exc)},
                    hint=_(
                        "Corrigez-le dans Gestion portail > Services ou avec socle service_add."
                    ),
                    id="socle.E006",
                )
            )
            continue
        if too_broad(pattern.kind, pattern.value):
            problems.append(
                Error(
                    _(
                        "%(where)s : ce motif accepte n'importe quel site, le CAS y enverrait "
                        "des tickets (redirection ouverte)."
                    )
                    % {"where": where},
                    hint=_(
                        "Écrivez le domaine complet suivi de « / », par exemple "
                        "https://appli.example.org/**."
                    ),
                    id="socle.E007",
                )
            )
        if _plain_http_elsewhere(pattern.kind, pattern.value):
            problems.append(
                Warning(
                    _("%(where)s : adresse en http, les tickets circuleraient en clair.")
                    % {"where": where},
                    hint=_http_hint(pattern.service),
                    id="socle.W008",
                )
            )
    return problems


def _plain_http_elsewhere(kind: str, value: str) -> bool:
    """Whether the pattern accepts plain-http URLs on another host than a loopback one (the
    loopback of the SAML rule, ``saml_release``): an exact or Ant pattern written ``http://…``;
    a regular expression whose literal start is ``http://…``, or which surely accepts an http
    URL though its scheme is not literal (``^https?://h/``: ``saml_http.pattern_address``)."""
    from socle.portal.models import PatternKind
    from socle.portal.saml_http import pattern_address

    address = value if kind != PatternKind.REGEX else pattern_address(kind, value)
    if not address.lower().startswith("http://"):
        return False
    try:
        host = urlsplit(address.replace("*", "x")).hostname or ""
    except ValueError:  # an invalid IPv6 literal: not this machine's loopback
        host = ""
    return not is_loopback_host(host.lower())


def _http_hint(service: Any) -> str:
    """What ``socle.W008`` advises, by what /samlValidate does for http (``saml_release``)."""
    from socle.portal.models import SSOType

    if http_attributes_allowed():
        return _("Utilisez l'adresse https du service.")
    if service.sso_type == SSOType.PRONOTE:
        from socle.portal.saml_http import pronote_http_check_hint

        return pronote_http_check_hint(
            id_attribute=service.pronote_id_attribute, recognition=service.pronote_recognition
        )
    return _(
        "Utilisez l'adresse https du service : en http, /samlValidate ne "
        "lui transmet aucun attribut (spécification CAS, §4.2.1)."
    )


@register()
def check_pronote_patterns(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    from django.db import DatabaseError

    from socle.portal.models import Service, SSOType

    try:
        services = list(
            Service.objects.filter(sso_type=SSOType.PRONOTE).prefetch_related("patterns")
        )
    except DatabaseError:  # tables not migrated yet
        return []
    problems: list[Any] = []
    for service in services:
        if not any(p.value.endswith("**") for p in service.patterns.all()):
            problems.append(
                Warning(
                    _(
                        "Le service PRONOTE %(code)s n'a aucun motif se terminant par « ** » : "
                        "PRONOTE.net envoie des adresses d'espaces variées (eleve.html, "
                        "parent.html…)."
                    )
                    % {"code": service.code},
                    hint=_("Ajoutez le motif « URL à communiquer au socle ENT » de PRONOTE.net."),
                    id="socle.W005",
                )
            )
    return problems


@register()
def check_released_attributes(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    """Release lists naming an attribute nobody gives the service: it is never sent."""
    from django.db import DatabaseError

    from socle.cas.attributes import DIRECTORY_NAMES, unknown_attributes_message, unknown_names
    from socle.portal.models import Service, SSOType

    try:
        services = list(Service.objects.exclude(sso_type=SSOType.NONE).filter(enabled=True))
    except DatabaseError:  # tables not migrated yet
        return []
    problems: list[Any] = []
    for service in services:
        unknown = unknown_names(service)
        if unknown:
            problems.append(
                Warning(
                    unknown_attributes_message(service.code, unknown),
                    hint=_(
                        "Corrigez la liste des attributs transmis (Gestion portail > Services, "
                        "ou socle service_add … --attributes) ; attributs de l'annuaire : "
                        "%(names)s."
                    )
                    % {"names": ", ".join(sorted(DIRECTORY_NAMES))},
                    id="socle.W094",
                )
            )
    return problems
