"""What the pages and commands say of the namesakes PRONOTE cannot tell apart by identity
(:mod:`socle.pronote.namesakes` finds them): the note and what to do — in « Les deux
(migration) » worded for either mode of PRONOTE's console —, a line per group that reads each
record (identifier, class, birth date, postal code, ENT account) and names the records its
owner's identity fits, and the note of one account examined, naming its own record and the
others. In the active language."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext, ngettext

from socle.pronote.labels import BORN_ON
from socle.pronote.namesakes import (
    NamesakeGroup,
    Namesakes,
    Record,
    fits,
    own_record,
)


def namesakes_text(found: Namesakes) -> str:
    """How many, why PRONOTE refuses them since the export, and what to do."""
    count = sum(len(group.refused) for group in found.groups)
    return (
        ngettext(
            "%(count)s fiche de l'export de tous les utilisateurs importé le %(date)s : "
            "l'identité de son titulaire correspond aussi à une autre fiche de mêmes "
            "catégorie, nom et prénom.",
            "%(count)s fiches de l'export de tous les utilisateurs importé le %(date)s : "
            "l'identité de leur titulaire correspond aussi à une autre fiche de mêmes "
            "catégorie, nom et prénom.",
            count,
        )
        % {"count": count, "date": found.date}
        + " "
        + namesake_fix(found)
    )


def namesake_fix(found: Namesakes) -> str:
    """Why PRONOTE may refuse them since the export, and what to do; in « Les deux
    (migration) », true whichever recognition PRONOTE's console has."""
    from socle.portal.models import PronoteRecognition

    if found.recognition == PronoteRecognition.BOTH:
        return gettext(
            "Cet export a effacé leur « Identifiant CAS ». Ce service, en « Les deux "
            "(migration) », envoie à PRONOTE l'identité et l'identifiant PRONOTE : si PRONOTE "
            "reconnaît par l'identité (« Avec l'identité de l'utilisateur » dans sa console), "
            "il ne peut plus les distinguer (des jumeaux, qui ont des prénoms différents, ne "
            "sont pas concernés) et risque de leur afficher « Identification impossible » à "
            "leur prochaine connexion ; s'il reconnaît par l'identifiant PRONOTE, chacun est "
            "reconnu par l'identifiant que l'ENT lui attribue, qui doit donc être celui de sa "
            "propre fiche. Importez les identifiants PRONOTE (« Importer les identifiants "
            "PRONOTE », en rapprochant chacun de sa propre fiche, à la main si besoin), puis "
            "choisissez la reconnaissance « Avec l'identifiant PRONOTE de l'utilisateur » dans "
            "la console de PRONOTE : l'ENT enverra à chacun son identifiant PRONOTE, qui les "
            "distingue."
        )
    return gettext(
        "Cet export a effacé leur « Identifiant CAS » : avec la reconnaissance « Avec "
        "l'identité de l'utilisateur », PRONOTE ne peut plus les distinguer (des jumeaux, "
        "qui ont des prénoms différents, ne sont pas concernés) et risque de leur afficher "
        "« Identification impossible » à leur prochaine connexion. Importez les identifiants "
        "PRONOTE (« Importer les identifiants PRONOTE », en rapprochant chacun de sa propre "
        "fiche, à la main si besoin), puis choisissez la reconnaissance « Avec l'identifiant "
        "PRONOTE de l'utilisateur » dans la console de PRONOTE et dans ce service : l'ENT "
        "enverra à chacun son identifiant PRONOTE, qui les distingue."
    )


def namesakes_shown(found: Namesakes | None) -> tuple[str, list[str]]:
    """What a page shows of ``found``: :func:`namesakes_text` and a :func:`group_line` per
    group (``""`` and none without namesakes)."""
    if found is None:
        return "", []
    return namesakes_text(found), [group_line(group) for group in found.groups]


def record_label(record: Record) -> str:
    """A record as the import pages and the diagnostic show it: « THMSMARTN5B2013A (classe 5B,
    né(e) le 12/05/2013, compte ENT thomas.martin) »."""
    shown = []
    if record.class_name:
        shown.append(gettext("classe %(class_name)s") % {"class_name": record.class_name})
    if record.birth_date:
        shown.append(gettext(BORN_ON) % {"date": f"{record.birth_date:%d/%m/%Y}"})
    else:
        shown.append(gettext("sans date de naissance"))
    if record.postal_code:
        shown.append(gettext("code postal %(code)s") % {"code": record.postal_code})
    if record.login:
        shown.append(gettext("compte ENT %(login)s") % {"login": record.login})
    else:
        shown.append(gettext("aucun compte ENT rapproché"))
    return f"{record.pronote_id} ({', '.join(shown)})"


def _ids(records: Iterable[Record]) -> str:
    return ", ".join(r.pronote_id for r in records)


def group_line(group: NamesakeGroup) -> str:
    """« MARTIN Thomas, élève : fiche A (classe 5B, …) : l'identité de son titulaire correspond
    aussi à la fiche B ; fiche B (…) : … » — each record, and which other records its owner's
    identity fits (the ones that make it ambiguous), or, for a record whose owner PRONOTE still
    finds, the refused owners whose identity it fits."""
    parts = []
    for record in group.records:
        if record.pronote_id in group.refused:
            others = [r for r in group.records if r.pronote_id in group.fitted[record.pronote_id]]
            text = ngettext(
                "fiche %(record)s : l'identité de son titulaire correspond aussi à la fiche "
                "%(others)s",
                "fiche %(record)s : l'identité de son titulaire correspond aussi aux fiches "
                "%(others)s",
                len(others),
            )
        else:
            others = [
                r for r in group.records if record.pronote_id in group.fitted.get(r.pronote_id, ())
            ]
            text = ngettext(
                "fiche %(record)s : son titulaire est reconnu par son identité, mais elle "
                "correspond aussi à celle du titulaire de la fiche %(others)s",
                "fiche %(record)s : son titulaire est reconnu par son identité, mais elle "
                "correspond aussi à celle des titulaires des fiches %(others)s",
                len(others),
            )
        parts.append(text % {"record": record_label(record), "others": _ids(others)})
    return gettext("%(name)s, %(category)s : %(records)s") % {
        "name": group.name,
        "category": group.label,
        "records": " ; ".join(parts),
    }


def account_note(found: Namesakes, group: NamesakeGroup, person: Any) -> str:
    """The note of « Diagnostic PRONOTE » for one account among the namesakes: its own record
    (:func:`own_record`) and the other records its identity fits too."""
    own = own_record(person, group, found.session.establishment)
    if own is None:
        fitting = [r for r in group.records if fits(r, person.birth_date, person.postal_code)]
        text = gettext(
            "L'export de tous les utilisateurs importé le %(date)s a plusieurs fiches PRONOTE "
            "à ce nom et ce prénom qui correspondent à l'identité de ce compte : %(records)s. "
            "Aucune n'est rapprochée de ce compte : PRONOTE ne peut pas le reconnaître par son "
            "identité."
        ) % {
            "date": found.date,
            "records": " ; ".join(record_label(r) for r in fitting),
        }
        return text + " " + namesake_fix(found)
    others = group.fitting(own, person.birth_date, person.postal_code) or [
        r for r in group.records if r.pronote_id in group.fitted.get(own.pronote_id, ())
    ]
    text = ngettext(
        "L'export de tous les utilisateurs importé le %(date)s a plusieurs fiches PRONOTE à ce "
        "nom et ce prénom : celle de ce compte, %(own)s, et une autre qui correspond aussi à "
        "son identité, %(others)s. PRONOTE ne peut pas reconnaître ce compte par son identité.",
        "L'export de tous les utilisateurs importé le %(date)s a plusieurs fiches PRONOTE à ce "
        "nom et ce prénom : celle de ce compte, %(own)s, et d'autres qui correspondent aussi à "
        "son identité : %(others)s. PRONOTE ne peut pas reconnaître ce compte par son identité.",
        len(others),
    ) % {
        "date": found.date,
        "own": record_label(own),
        "others": " ; ".join(record_label(r) for r in others),
    }
    return text + " " + namesake_fix(found)


def note_namesake(account: Any, found: Namesakes | None) -> None:
    """Adds :func:`account_note` to the fixes of an examined account among the namesakes."""
    person = account.person
    if found is None or person is None:
        return
    group = found.group_of(person, person.profiles_in(found.session.establishment))
    if group is not None:
        account.fixes.append(account_note(found, group, person))
