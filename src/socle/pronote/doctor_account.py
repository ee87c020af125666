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
from socle.directory.models import Establishment, Person
from socle.portal.saml_http import pronote_http_problem, withheld
from socle.pronote.attributes import IDENTITY_NAMES, mandatory_names, preview
from socle.pronote.cas_names import differs, fix_hint, latest_stored, stored_elsewhere
from socle.pronote.categories import STEP_BY_CATEGORY, STEP_COUNT
from socle.pronote.models import ImportRow, PronoteIdentity

#: PRONOTE's own French message (a quote, never translated).
IDENTIFICATION_IMPOSSIBLE = (
    "« Identification impossible — Nous n'avons pas réussi à vous identifier sur votre Espace "
    "PRONOTE. Il est possible que les données personnelles vous concernant ne soient pas "
    "correctement renseignées dans l'ENT… »"
)


def missing_attribute_message(cas_url: str, attribute: str) -> str:
    """PRONOTE's own French message (a quote, never translated)."""
    return (
        f"« Échec de l'authentification par le serveur CAS {cas_url} : Le serveur CAS doit "
        f'être configuré pour renvoyer un attribut "{attribute}". Or aucun attribut n\'a été '
        "renvoyé. »"
    )


class Quoting(str):
    """A sentence quoting one of PRONOTE's French messages: the whole text for the command, and
    ``parts`` (text, is the quote) for the page, which marks the quote ``lang="fr"`` so that a
    screen reader reads it in French on an English page."""

    parts: tuple[tuple[str, bool], ...] = ()


def quoting(sentence: str, message: str, **params: str) -> Quoting:
    """``sentence`` (translated, with ``%(message)s``) around PRONOTE's ``message``."""
    marker = "\x00"
    before, after = (sentence % {**params, "message": marker}).split(marker, 1)
    line = Quoting(before + message + after)
    line.parts = ((before, False), (message, True), (after, False))
    return line


def _can_access(person: Person, service: Any) -> bool:
    from socle.portal.access import can_access

    return bool(can_access(person, service))


def find_person(login: str, allowed: set[int] | None) -> Person | None:
    """The account of this login (or uid) among ``allowed`` (``None``: the whole directory)."""
    person = Person.objects.filter(login=login).first() or Person.objects.filter(uid=login).first()
    if person is None or (allowed is not None and person.pk not in allowed):
        return None
    return person


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
    target = (
        services[0].urls[1].url
        if len(services[0].urls) > 1
        else service.url or "https://pronote.invalid/pronote/"
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


def _explain(
    report: Any, establishment: Establishment, person: Person, service: Any, cas: str
) -> None:
    if not person.is_active:
        report.verdict.append(_("Compte désactivé : le CAS refusera la connexion."))
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
        _explain_http_target(report, recognition, attribute, cas)
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
        report.fixes.extend(_fix_missing_identifier(establishment, person))
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
    _explain_stored_cas_id(report, establishment, recognition)
    if not report.verdict:
        report.verdict.append(
            _(
                "PRONOTE recevra l'identifiant %(identifier)s et ouvrira "
                "l'espace de ce compte sans nouvelle identification."
            )
            % {"identifier": report.pronote_id}
        )
        report.fixes.append(
            quoting(
                _(
                    "Si PRONOTE affiche tout de même %(message)s : une fiche en double "
                    "dans PRONOTE est déjà liée à ce compte ENT. Dans PRONOTE, effacez "
                    "l'« Identifiant CAS » de la première fiche, puis reconnectez-vous depuis "
                    "l'ENT."
                ),
                IDENTIFICATION_IMPOSSIBLE,
            )
        )
    unknown = [
        n
        for n in IDENTITY_NAMES
        if n in missing_names and n not in ("nom", "prenom", "dateNaissance")
    ]
    if unknown and recognition in ("identity", "both"):
        report.fixes.append(
            _("Non transmis faute de donnée : %(names)s.") % {"names": ", ".join(unknown)}
        )


def _explain_http_target(report: Any, recognition: str, attribute: str, cas: str) -> None:
    """PRONOTE.net at a plain-http address: the CAS sends it no attribute at all, whatever the
    account (``socle.portal.saml_http``); importing identifiers would change nothing."""
    explanation, fix = pronote_http_problem(
        [report.http_target],
        superuser=report.superuser,
        id_attribute=attribute,
        recognition=recognition,
    )
    report.verdict.append(explanation)
    if recognition == "identity":
        report.verdict.append(
            quoting(
                _("Sans attribut d'identité, PRONOTE affichera %(message)s"),
                IDENTIFICATION_IMPOSSIBLE,
            )
        )
    else:
        report.verdict.append(
            quoting(_("PRONOTE affichera : %(message)s"), missing_attribute_message(cas, attribute))
        )
    report.fixes.append(fix)


def _explain_stored_cas_id(report: Any, establishment: Establishment, recognition: str) -> None:
    """PRONOTE recognises a bound record by its « Identifiant CAS » alone: if the newest imported
    file says the record of this account's identifier holds another name than the one Socle
    sends, PRONOTE will refuse the person; so it will if another record already holds that name
    (a duplicate bound first, :func:`socle.pronote.cas_names.held_elsewhere`) while the ENT
    designates this one by its identifier (not in identity mode, where none is sent: PRONOTE
    then simply opens the other record)."""
    stored = latest_stored(establishment, report.pronote_id)
    if stored is not None and differs(stored.stored, report.username):
        report.verdict.append(
            quoting(
                _(
                    "Dans le fichier importé le %(date)s, la fiche PRONOTE %(identifier)s a déjà "
                    "l'identifiant CAS %(stored)s, mais l'ENT enverra %(sent)s : PRONOTE "
                    "affichera %(message)s"
                ),
                IDENTIFICATION_IMPOSSIBLE,
                date=f"{timezone.localtime(stored.imported_at):%d/%m/%Y}",
                identifier=report.pronote_id,
                stored=stored.stored,
                sent=report.username,
            )
        )
        report.fixes.append(fix_hint(1))
        return
    if recognition == "identity":
        return
    duplicate = stored_elsewhere(establishment, report.pronote_id, report.username)
    if duplicate is None:
        return
    params = {
        "identifier": report.pronote_id,
        "sent": report.username,
        "holder": duplicate.holder_id,
        "holder_name": duplicate.holder_name,
    }
    report.verdict.append(
        quoting(
            _(
                "Dans le fichier importé le %(date)s, PRONOTE a déjà l'identifiant CAS %(sent)s, "
                "que l'ENT enverra, sur une autre fiche que %(identifier)s : %(holder_name)s "
                "(%(holder)s), un doublon déjà lié à l'ENT. PRONOTE reconnaîtra la personne "
                "sur cette autre fiche alors que l'ENT désigne %(identifier)s, et affichera "
                "%(message)s"
            ),
            IDENTIFICATION_IMPOSSIBLE,
            date=f"{timezone.localtime(duplicate.imported_at):%d/%m/%Y}",
            **params,
        )
    )
    report.fixes.append(
        _(
            "Dans PRONOTE, gardez une seule fiche pour cette personne : « Supprimer l'identifiant "
            "CAS » de la fiche %(holder_name)s (%(holder)s), ou supprimez ce doublon, puis "
            "reconnectez-vous depuis l'ENT : PRONOTE liera alors la fiche %(identifier)s."
        )
        % params
    )
    report.fixes.append(
        _(
            "Ou, si l'établissement garde la fiche %(holder)s, donnez-la à ce compte dans l'ENT : "
            "importez un export de tous les utilisateurs (case « Uniquement les utilisateurs "
            "sans identifiants CAS » décochée) et choisissez ce compte pour la ligne "
            "%(holder_name)s (%(holder)s) (« Confirmer » en mode Partiel)."
        )
        % params
    )


def _fix_missing_identifier(establishment: Establishment, person: Person) -> list[str]:
    fixes = [
        _(
            "Ce compte n'a pas d'identifiant PRONOTE pour %(uai)s : importez le "
            "fichier des identifiants (« Importer les identifiants Pronote », mode Partiel "
            "suffit) et rapprochez ce compte, au besoin à la main avec « Parcourir »."
        )
        % {"uai": establishment.uai},
    ]
    rows = (
        ImportRow.objects.filter(
            session__establishment=establishment,
            last_name__iexact=person.last_name,
            first_name__iexact=person.first_name,
        )
        .select_related("session")
        .order_by("-session_id")
    )
    row = rows.first()
    if row is not None:
        spec = STEP_BY_CATEGORY[row.category]
        fixes.append(
            (
                _(
                    "Il figure dans l'import du %(date)s (étape %(number)s/%(count)s, "
                    "%(category)s, identifiant %(identifier)s) : %(reason)s"
                )
                % {
                    "date": f"{timezone.localtime(row.session.created_at):%d/%m/%Y}",
                    "number": spec.number,
                    "count": STEP_COUNT,
                    "category": spec.label,
                    "identifier": row.pronote_id,
                    "reason": (
                        f"{row.localized_reason or row.get_outcome_display()} "
                        f"{row.localized_outcome_detail}"
                    ),
                }
            ).strip()
        )
    else:
        fixes.append(
            _(
                "Il n'apparaît dans aucun fichier importé : dans PRONOTE, vérifiez sa "
                "fiche puis refaites l'export des identifiants."
            )
        )
    return fixes
