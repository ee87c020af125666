"""The PRONOTE services of one establishment as the diagnostics see them
(:func:`socle.pronote.doctor.diagnose`): each one's problems, and each espace's address asked
of the CAS's own registry lookup, so that the answer is the one PRONOTE will get."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from socle.cas.services import find_service
from socle.directory.models import Establishment
from socle.pronote.cas_names import pronote_services_query

ESPACES = (
    "",
    "eleve.html",
    "parent.html",
    "professeur.html",
    "direction.html",
    "viescolaire.html",
    "accompagnant.html",
    "entreprise.html",
    "academie.html",
    "mobile.eleve.html",
    "mobile.parent.html",
    "mobile.professeur.html",
    "eleve.html?fd=1",
)


@dataclass
class UrlCheck:
    url: str
    accepted: bool
    note: str = ""


@dataclass
class ServiceReport:
    service: Any
    urls: list[UrlCheck]
    problems: list[str]


def _accepts(service: Any, url: str) -> tuple[bool, str]:
    """Asks the CAS's own registry lookup, so the answer is the one PRONOTE will get."""
    found = find_service(url)
    if found is None:
        return False, gettext("aucun service ne l'accepte")
    if found.pk != service.pk:
        return False, gettext("accepté par un autre service : %(code)s") % {"code": found.code}
    return True, ""


def service_reports(establishment: Establishment, *, superuser: bool) -> list[ServiceReport]:
    """Each PRONOTE service of ``establishment``, the one in use first: its problems, and
    whether the CAS accepts each espace's address. ``superuser``: whether a fix may name the
    operator's setting or command."""
    from socle.portal.models import UsernameMode
    from socle.portal.path_case import case_mismatch_message, other_case
    from socle.portal.patterns import pronote_root_message, pronote_root_missing
    from socle.portal.saml_http import (
        http_addresses,
        patterns_of,
        pronote_http_warning,
        scheme_mismatch_note,
        sent_address,
    )
    from socle.portal.username_lock import login_mode_warning
    from socle.pronote.refused_site import refused_at_site, refused_at_site_message

    reports = []
    # the one in use first, as everywhere (the account examined is checked against it)
    for service in pronote_services_query(establishment).prefetch_related("patterns"):
        problems = []
        if not service.enabled:
            problems.append(gettext("service désactivé : le CAS refusera de délivrer des tickets."))
        patterns = patterns_of(service)
        addresses = http_addresses(service.url or "", patterns)
        if addresses:  # the CAS's own rule: no idPronote to a plain-http PRONOTE.net
            problems.append(
                pronote_http_warning(
                    addresses,
                    superuser=superuser,
                    id_attribute=service.pronote_id_attribute,
                    recognition=service.pronote_recognition,
                )
            )
        if not service.patterns.exists():
            problems.append(
                gettext(
                    "aucun motif d'URL : ajoutez l'« URL de PRONOTE.net pour le serveur "
                    "CAS » (…/pronote/**)."
                )
            )
        if service.username_mode == UsernameMode.LOGIN:
            # The words of socle.W067 (the command named for a superuser only).
            problems.extend(login_mode_warning(service, superuser=superuser))
        base = (service.url or "").strip()
        if base and pronote_root_missing(base):
            problems.append(pronote_root_message())  # the words of socle.W068
        urls: list[UrlCheck] = []
        if not base:
            problems.append(
                gettext("URL du service vide : indiquez l'URL publique de PRONOTE.net.")
            )
        else:
            if not base.endswith("/"):
                base = base.rsplit("/", 1)[0] + "/" if base.endswith(".html") else base + "/"
            # the espaces as PRONOTE sends them: in the scheme of the patterns, which are
            # PRONOTE's own « URL de PRONOTE.net pour le serveur CAS » (saml_http.sent_address)
            sent = sent_address(base, patterns)
            if sent != base:
                problems.append(scheme_mismatch_note(service.url, sent))
                base = sent
            for espace in ESPACES:
                accepted, note = _accepts(service, base + espace)
                urls.append(UrlCheck(base + espace, accepted, note))
            if not any(check.accepted for check in urls):
                problems.append(
                    gettext(
                        "aucune URL de PRONOTE.net n'est acceptée par les motifs : "
                        "PRONOTE recevra « service non autorisé »."
                    )
                )
                mismatch = other_case([check.url for check in urls], patterns)
                if mismatch is not None:  # « …/pronote/** » registered for « …/PRONOTE/ »
                    problems.append(case_mismatch_message(mismatch, base))
            else:  # URL and pattern agree: refusals at the site are PRONOTE's own addresses'
                refused, last = refused_at_site(base)
                if refused:
                    problems.append(refused_at_site_message(base, refused, last))
        reports.append(ServiceReport(service, urls, problems))
    return reports
