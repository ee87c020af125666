"""For one account: exactly what PRONOTE would receive, and what PRONOTE will then say.

Socle's own explanations are in the active language; PRONOTE's messages (quoted from Index
Education, what PRONOTE itself displays) stay in French in every language."""

from __future__ import annotations

import secrets
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from socle.cas.attributes import collect
from socle.cas.protocol import render_saml_success
from socle.cas.usernames import cas_username
from socle.directory.blocking import blocked_now
from socle.directory.dates import local_day
from socle.directory.models import Establishment, Person
from socle.portal.espaces import ESPACES, espaces_for
from socle.portal.saml_http import service_address, withheld
from socle.pronote.attributes import IDENTITY_NAMES, mandatory_names, preview
from socle.pronote.doctor_bound import explain_http_target, explain_stored_cas_id
from socle.pronote.doctor_rows import (
    explain_swapped,
    fix_missing_identifier,
    namesake_record,
    other_record,
)
from socle.pronote.models import PronoteIdentity
from socle.pronote.pronote_says import IDENTIFICATION_IMPOSSIBLE, missing_attribute_message, quoting


def _can_access(person: Person, service: Any) -> bool:
    from socle.portal.access import can_access

    return bool(can_access(person, service))


def _espace_target(person: Person, establishment: Establishment, urls: list[Any]) -> str:
    """The espace PRONOTE would be reached from for this person (« Mon espace » sends a teacher
    to ``professeur.html``, a parent to ``parent.html``): the TARGET of the SAML answer shown,
    among the service's URLs checked above; "" when none fits (then the Espace Élèves)."""
    for espace in espaces_for(person.profiles_in(establishment)):
        page = "/" + ESPACES[espace].page
        for check in urls:
            if check.url.endswith(page):
                return str(check.url)
    return ""


def find_person(login: str, allowed: set[int] | None) -> Person | None:
    """The account of this login (or uid) among ``allowed`` (``None``: the whole directory)."""
    person = Person.objects.filter(login=login).first() or Person.objects.filter(uid=login).first()
    if person is None or (allowed is not None and person.pk not in allowed):
        return None
    return person


def logins_named(text: str, establishment: Establishment, allowed: set[int] | None) -> str:
    """A name typed where the login is asked (« Camille Martin »: a login holds no space): the
    logins of the school's accounts of that name that may be examined, or ``""``."""
    from socle.directory.search import search_people

    if not text.split(" ", 1)[1:] or len(text) > 150:
        return ""
    found = [
        person
        for person in search_people(text, establishment=establishment, limit=20)
        if allowed is None or person.pk in allowed
    ][:5]
    if not found:
        return ""
    return _(
        "Saisissez l'identifiant de connexion, pas le nom. Comptes de l'établissement qui "
        "correspondent, du plus proche au moins proche : %(logins)s."
    ) % {
        "logins": ", ".join(
            f"{person.login} ({person.last_name.upper()} {person.first_name})" for person in found
        )
    }


def examine(
    establishment: Establishment,
    login: str,
    services: list[Any],
    *,
    allowed: set[int] | None,
    superuser: bool = True,
) -> Any:
    """``allowed``: the people an establishment administrator may examine (those of
    :func:`socle.pronote.forms.allowed_people`), ``None`` for the whole directory (a superuser,
    the command). Anyone else gets the answer of a login nobody has: nothing of them is shown,
    not even that the account exists. ``superuser``: whether the fixes may name the operator's
    setting (:func:`socle.pronote.doctor.diagnose`)."""
    from socle.pronote.doctor import AccountReport, cas_url

    report = AccountReport(login=login)
    person = find_person(login, allowed)
    if person is None:
        if allowed is None:
            report.verdict.append(
                _("Aucun compte « %(login)s » dans l'annuaire.") % {"login": login}
            )
        else:
            report.verdict.append(
                _("Aucun compte « %(login)s » parmi les personnes de cet établissement.")
                % {"login": login}
            )
        named = logins_named(login, establishment, allowed)
        if named:
            report.verdict.append(named)
        return report
    report.person = person
    identity = PronoteIdentity.objects.filter(person=person, establishment=establishment).first()
    report.pronote_id = identity.pronote_id if identity else ""
    if not services:
        report.verdict.append(
            _(
                "Aucun service PRONOTE n'est déclaré pour cet établissement : le "
                "CAS refusera la demande de PRONOTE (service inconnu)."
            )
        )
        report.fixes.append(
            f'socle service_add PRONOTE-{establishment.uai} "PRONOTE" --url '
            f"https://{establishment.uai.lower()}.index-education.net/pronote/ --pattern "
            f"'https://{establishment.uai.lower()}.index-education.net/pronote/**' --uai "
            f"{establishment.uai} --sso pronote"
        )
        return report
    service = services[0].service
    report.service = service
    report.username = cas_username(person, service)
    # The person's espace as PRONOTE sends it (the table's addresses are in the scheme of the
    # service's patterns: saml_http.sent_address), else PRONOTE.net's pupils' page
    target = _espace_target(person, establishment, services[0].urls) or (
        services[0].urls[1].url
        if len(services[0].urls) > 1
        else service_address(service) or "https://pronote.invalid/pronote/"
    )
    if withheld(target):  # the CAS's rule (CAS 3.0 §4.2.1): this TARGET gets no attribute
        report.http_target = target
        report.superuser = superuser
    else:
        with preview():  # the provider records nothing while we look
            report.attributes = collect(person, service)
    report.saml = render_saml_success(
        username=report.username,
        attributes=report.attributes,
        recipient=target,
        request_id="_" + secrets.token_hex(16),
        issue_instant=timezone.now(),
    ).decode("utf-8")
    _explain(report, establishment, person, service, cas_url())
    return report


def _inactive(person: Person) -> str:
    """Why the CAS refuses the account: a block by hand (« Comptes », until when), or a
    deactivation (an import, the operator)."""
    if not blocked_now(person):
        return _("Compte désactivé : le CAS refusera la connexion.")
    if person.blocked_until is None:
        return _(
            "Compte bloqué par un administrateur (« Comptes ») : le CAS refusera la connexion "
            "jusqu'à ce qu'il soit débloqué."
        )
    return _(
        "Compte bloqué par un administrateur (« Comptes ») jusqu'au %(date)s inclus : le CAS "
        "refusera la connexion jusque-là."
    ) % {"date": f"{person.blocked_until:%d/%m/%Y}"}


def _explain(
    report: Any, establishment: Establishment, person: Person, service: Any, cas: str
) -> None:
    if not person.is_active:
        report.verdict.append(_inactive(person))
        return
    if not _can_access(person, service):
        report.verdict.append(
            _(
                "Ce compte n'a pas accès au service PRONOTE : le CAS refusera le "
                "ticket (page « accès refusé »)."
            )
        )
        report.fixes.append(
            _(
                "Vérifiez les profils autorisés du service et l'appartenance du "
                "compte à l'établissement."
            )
        )
        return
    recognition = service.pronote_recognition or "pronote"
    attribute = service.pronote_id_attribute or "idPronote"
    if report.http_target:
        explain_http_target(report, establishment, recognition, attribute, cas)
        return
    sent = set(report.attributes)
    missing_names = mandatory_names(service) - sent
    if recognition in ("pronote", "both") and attribute not in sent:
        if recognition == "pronote":
            report.verdict.append(
                quoting(
                    _("PRONOTE affichera : %(message)s"),
                    missing_attribute_message(cas, attribute),
                )
            )
        else:
            report.verdict.append(
                _(
                    "L'attribut %(attribute)s manque : PRONOTE tentera la reconnaissance par "
                    "l'identité."
                )
                % {"attribute": attribute}
            )
        report.fixes.extend(fix_missing_identifier(establishment, person))
    if recognition in ("identity", "both"):
        absent = [n for n in ("nom", "prenom", "dateNaissance") if n in missing_names]
        if absent:
            report.verdict.append(
                quoting(
                    _("Attributs d'identité absents (%(names)s) : PRONOTE affichera %(message)s"),
                    IDENTIFICATION_IMPOSSIBLE,
                    names=", ".join(absent),
                )
            )
            report.fixes.append(
                _(
                    "Complétez la fiche de l'annuaire (nom, prénom, date de "
                    "naissance, code postal) exactement comme dans PRONOTE."
                )
            )
        elif recognition == "identity":
            report.verdict.append(
                quoting(
                    _(
                        "PRONOTE comparera nom, prénom, date de naissance et code "
                        "postal à ses fiches : une seule différence d'orthographe "
                        "mène à %(message)s"
                    ),
                    IDENTIFICATION_IMPOSSIBLE,
                )
            )
    swapped = (
        namesake_record(establishment, person, report.pronote_id) if report.pronote_id else None
    )
    if not report.verdict and swapped is not None:
        explain_swapped(report, *swapped)
    elif not report.verdict:
        report.verdict.append(
            _(
                "PRONOTE recevra l'identifiant %(identifier)s et ouvrira "
                "l'espace de ce compte sans nouvelle identification."
            )
            % {"identifier": report.pronote_id}
        )
        other = other_record(establishment, person, report.pronote_id)
        if other is not None:  # the one case the message may still come: a duplicate
            report.fixes.append(
                quoting(
                    _(
                        "L'import du %(date)s a une autre fiche PRONOTE pour cette personne : "
                        "%(name)s (%(other)s), un doublon ? Si PRONOTE affiche tout de même "
                        "%(message)s, ce doublon est déjà lié à ce compte ENT : dans PRONOTE, "
                        "effacez l'« Identifiant CAS » de la fiche %(other)s, puis "
                        "reconnectez-vous depuis l'ENT."
                    ),
                    IDENTIFICATION_IMPOSSIBLE,
                    date=local_day(other.session.created_at),
                    name=f"{other.last_name} {other.first_name}".strip(),
                    other=other.pronote_id,
                )
            )
    explain_stored_cas_id(report, establishment)  # a note after the verdict
    unknown = [
        n
        for n in IDENTITY_NAMES
        if n in missing_names and n not in ("nom", "prenom", "dateNaissance")
    ]
    if unknown and recognition in ("identity", "both"):
        report.fixes.append(
            _("Non transmis faute de donnée : %(names)s.") % {"names": ", ".join(unknown)}
        )
