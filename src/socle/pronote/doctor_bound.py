"""For one account, what PRONOTE's stored « Identifiant CAS » changes: PRONOTE recognises a
bound user by the CAS user name alone, whatever attributes come (docs/pronote.md, "PRONOTE's
stored « Identifiant CAS »") — so a record bound to another name is refused, a duplicate bound
first is refused where the ENT designates the other record by its identifier, and a bound user
is still recognised when a plain-http address gets no attribute at all."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from socle.directory.models import Establishment
from socle.portal.saml_http import pronote_http_problem
from socle.pronote.cas_names import (
    differs,
    duplicate_refused,
    fix_hint,
    latest_stored,
    stored_elsewhere,
    stored_name,
)
from socle.pronote.pronote_says import IDENTIFICATION_IMPOSSIBLE, missing_attribute_message, quoting


def explain_http_target(
    report: Any, establishment: Establishment, recognition: str, attribute: str, cas: str
) -> None:
    """PRONOTE.net at a plain-http address: the CAS sends it no attribute at all, whatever the
    account (``socle.portal.saml_http``); importing identifiers would change nothing. PRONOTE
    still recognises, by the CAS user name alone, a person it has already bound to the ENT
    (:func:`_bound_over_http`); the others get what it shows in the service's recognition mode."""
    explanation, fix = pronote_http_problem(
        [report.http_target],
        superuser=report.superuser,
        id_attribute=attribute,
        recognition=recognition,
    )
    report.verdict.append(explanation)
    report.fixes.append(fix)
    if _bound_over_http(report, establishment):
        return
    if recognition == "identity":
        report.verdict.append(
            quoting(
                _("Sans attribut d'identité, PRONOTE affichera %(message)s"),
                IDENTIFICATION_IMPOSSIBLE,
            )
        )
    elif recognition == "both":
        report.verdict.append(
            quoting(
                _(
                    "Sans attribut, PRONOTE affichera, selon la reconnaissance choisie dans sa "
                    "console (identifiant PRONOTE ou identité) : %(message)s ou %(other)s"
                ),
                missing_attribute_message(cas, attribute),
                other=IDENTIFICATION_IMPOSSIBLE,
            )
        )
    else:
        report.verdict.append(
            quoting(_("PRONOTE affichera : %(message)s"), missing_attribute_message(cas, attribute))
        )


def _bound_over_http(report: Any, establishment: Establishment) -> bool:
    """Whether PRONOTE, sent no attribute, still recognises the account by the CAS user name
    alone: the newest imported file that lists its record shows that record bound to the name
    Socle sends — or shows another record of the same category, a duplicate bound first
    (:func:`~socle.pronote.cas_names.stored_elsewhere`), which PRONOTE then opens, no identifier
    designating this one. Adds the verdict when it does."""
    stored = latest_stored(establishment, report.pronote_id)
    if stored is None:
        return False
    date = f"{timezone.localtime(stored.imported_at):%d/%m/%Y}"
    if stored_name(stored.stored) == report.username:
        report.verdict.append(
            _(
                "Dans le fichier importé le %(date)s, la fiche PRONOTE %(identifier)s a déjà "
                "l'identifiant CAS %(sent)s, celui que l'ENT enverra : PRONOTE reconnaîtra ce "
                "compte par son identifiant CAS, sans attribut, et ouvrira son espace."
            )
            % {"date": date, "identifier": report.pronote_id, "sent": report.username}
        )
        return True
    duplicate = stored_elsewhere(establishment, report.pronote_id, report.username)
    if duplicate is None:
        return False
    report.verdict.append(
        _(
            "Dans le fichier importé le %(date)s, PRONOTE a déjà l'identifiant CAS %(sent)s, que "
            "l'ENT enverra, sur une autre fiche que %(identifier)s : %(holder_name)s "
            "(%(holder)s), un doublon déjà lié à l'ENT. Sans attribut, rien ne désigne "
            "%(identifier)s : PRONOTE reconnaîtra la personne par son identifiant CAS et ouvrira "
            "la fiche %(holder)s."
        )
        % {
            "date": f"{timezone.localtime(duplicate.imported_at):%d/%m/%Y}",
            "identifier": report.pronote_id,
            "sent": report.username,
            "holder": duplicate.holder_id,
            "holder_name": duplicate.holder_name,
        }
    )
    return True


def explain_stored_cas_id(report: Any, establishment: Establishment) -> None:
    """PRONOTE recognises a bound record by its « Identifiant CAS » alone: if the newest imported
    file says the record of this account's identifier holds another name than the one Socle
    sends, PRONOTE will refuse the person; so it will if another record already holds that name
    (a duplicate bound first, :func:`socle.pronote.cas_names.held_elsewhere`) while the ENT
    designates this one by its identifier (not in identity mode, where none is sent: PRONOTE
    then simply opens the other record — :func:`socle.pronote.cas_names.duplicate_refused`, the
    import's rule too)."""
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
    if not duplicate_refused(report.service):
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
