"""The footer's « Accessibilité : … conforme » link to the operator's accessibility statement.

French public services must publish a « déclaration d'accessibilité » (RGAA 4.1, décret
n° 2019-768) and show on every page its compliance status, linked to it. Socle cannot write it:
the statement names the operator, the audit and its date, and a way to report a problem. The
operator publishes it and gives its address (``SOCLE_ACCESSIBILITY_URL``) and the status of the
last audit (``SOCLE_ACCESSIBILITY_COMPLIANCE``: without an audit, « non conforme »).

Beside it, « Données personnelles »: the operator's privacy notice (``SOCLE_PRIVACY_URL``), the
information the GDPR (articles 12–14) owes the people whose data the ENT holds — purposes,
recipients, retention, rights, the DPO —, reachable from every page, the login page included
(docs/privacy.md gives Socle's facts for it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

COMPLIANCE_LABELS: dict[str, Promise] = {
    "none": gettext_lazy("Accessibilité : non conforme"),
    "partial": gettext_lazy("Accessibilité : partiellement conforme"),
    "full": gettext_lazy("Accessibilité : totalement conforme"),
}

LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "testserver"}


@dataclass(frozen=True)
class Statement:
    url: str
    label: str


def footer_statement() -> Statement | None:
    """The footer's link, or ``None`` when no address is set, or none fit for a link (not
    http(s), ``socle.E044``: a ``javascript:`` address would run in the page of whoever clicks
    it, should a node be started without the checks)."""
    url = getattr(settings, "SOCLE_ACCESSIBILITY_URL", "")
    if not url or not _is_web_address(url):
        return None
    level = getattr(settings, "SOCLE_ACCESSIBILITY_COMPLIANCE", "none")
    return Statement(url=url, label=str(COMPLIANCE_LABELS[level]))


PRIVACY_LABEL = gettext_lazy("Données personnelles")


def privacy_notice() -> Statement | None:
    """The footer's « Données personnelles » link, or ``None`` when no address fit for a link is
    set (``socle.E048``, as above)."""
    url = getattr(settings, "SOCLE_PRIVACY_URL", "")
    if not url or not _is_web_address(url):
        return None
    return Statement(url=url, label=str(PRIVACY_LABEL))


def _is_web_address(url: str) -> bool:
    return urlsplit(url).scheme in {"http", "https"}


def _in_production() -> bool:
    return not settings.DEBUG and urlsplit(settings.SOCLE_BASE_URL).hostname not in LOCAL_HOSTS


def _footer_link_check(
    url: str, error: Callable[[], CheckMessage], warning: Callable[[], CheckMessage]
) -> list[CheckMessage]:
    """A footer link's setting: ``error()`` when ``url`` is not an http(s) address, ``warning()``
    when it is unset on a public node."""
    if url and not _is_web_address(url):
        return [error()]
    if not url and _in_production():
        return [warning()]
    return []


def check_accessibility_statement(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = getattr(settings, "SOCLE_ACCESSIBILITY_URL", "")
    return _footer_link_check(
        url,
        lambda: Error(
            _(
                "SOCLE_ACCESSIBILITY_URL=%(url)s : adresse http(s) absolue attendue "
                "(déclaration d'accessibilité, liée en pied de page)."
            )
            % {"url": url[:80]},
            id="socle.E044",
        ),
        lambda: Warning(
            _(
                "SOCLE_ACCESSIBILITY_URL n'est pas renseignée : aucune page ne mène à la "
                "déclaration d'accessibilité de l'ENT."
            ),
            hint=_(
                "Un service public en ligne publie sa déclaration d'accessibilité (RGAA) et "
                "la lie depuis chaque page (« Accessibilité : non, partiellement ou "
                "totalement conforme ») : donnez son adresse dans SOCLE_ACCESSIBILITY_URL "
                "et l'état de conformité dans SOCLE_ACCESSIBILITY_COMPLIANCE."
            ),
            id="socle.W043",
        ),
    )


def check_privacy_notice(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    url = getattr(settings, "SOCLE_PRIVACY_URL", "")
    return _footer_link_check(
        url,
        lambda: Error(
            _(
                "SOCLE_PRIVACY_URL=%(url)s : adresse http(s) absolue attendue (information "
                "sur les données personnelles, liée en pied de page)."
            )
            % {"url": url[:80]},
            id="socle.E048",
        ),
        lambda: Warning(
            _(
                "SOCLE_PRIVACY_URL n'est pas renseignée : aucune page ne mène à "
                "l'information des utilisateurs sur leurs données personnelles."
            ),
            hint=_(
                "Le RGPD (articles 12 à 14) demande d'informer les personnes dont l'ENT "
                "traite les données (finalités, destinataires, durées de conservation, "
                "droits, délégué à la protection des données) : donnez l'adresse de cette "
                "page dans SOCLE_PRIVACY_URL, liée au pied de chaque page (« Données "
                "personnelles »). docs/privacy.md dit ce que Socle conserve."
            ),
            id="socle.W049",
        ),
    )
