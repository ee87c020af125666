"""The CAS user name Socle sends an establishment's PRONOTE service, and PRONOTE's stored one.

PRONOTE stores the CAS user name it receives at a user's first connection as « Identifiant
CAS », and from then on recognises the user by it alone. Its identifier export carries it
(``IdentifiantCAS``, kept in ``ImportRow.cas_id``) only for bound users, who are in the file
only when the export is complete (« Uniquement les utilisateurs sans identifiants CAS »
unticked) — and that export resets the « Identifiant CAS » of every user it exports, so that the
next connection from the ENT binds the name the ENT sends (the field documents' change of ENT).
A value in the file that is not the name Socle sends (``socle.cas.usernames.cas_username`` for
the UAI's PRONOTE service: uid, pairwise id or login) is therefore no refusal: it tells that the
record *was* bound to another name (another ENT's, another setting of the service), and that
PRONOTE will store Socle's name at the next connection (:func:`mismatches`, the import's
``cas_id_mismatch`` note). The same for the name Socle sends found as the stored « Identifiant
CAS » of *another* record of the same category (a duplicate bound first, :func:`held_elsewhere`,
``cas_id_held_elsewhere``): both records were in that export, both were reset. An empty value is
the normal case: the user had not connected through an ENT. What still makes PRONOTE refuse
someone bound to another name comes from Socle's own data, not from the file: its service's
user name mode changed after PRONOTE bound its names (``socle.portal.username_lock``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.db.models import QuerySet
from django.utils.translation import gettext, ngettext

from socle.cas.usernames import username_for
from socle.directory.models import Establishment, Person

if TYPE_CHECKING:
    from socle.portal.models import Service

K = TypeVar("K")


# The rule that picks « the » PRONOTE service of a UAI, wherever Socle needs one (import,
# diagnostics, export): enabled first, then as the CAS tries them (« Ordre », then creation).
# The CAS itself answers with whichever enabled service's pattern accepts PRONOTE's address:
# the same one unless the UAI has several enabled services (``divergent_services``).
IN_USE_ORDER = ("-enabled", "order", "pk")


def pronote_services_query(establishment: Establishment) -> QuerySet[Service]:
    """The UAI's PRONOTE services, the one in use first (:data:`IN_USE_ORDER`)."""
    from socle.portal.models import Service, SSOType

    return Service.objects.filter(sso_type=SSOType.PRONOTE, establishment=establishment).order_by(
        *IN_USE_ORDER
    )


def pronote_services(establishment: Establishment) -> list[Service]:
    """The UAI's PRONOTE services, the one in use first (enabled, then by order)."""
    return list(pronote_services_query(establishment))


def pronote_service(establishment: Establishment) -> Service | None:
    """The service whose CAS user names PRONOTE receives for this UAI (``None``: none declared,
    and ``cas_username`` then gives the uid, as a new service would)."""
    services = pronote_services(establishment)
    return services[0] if services else None


def names_sent_key(service: Service) -> tuple[str, ...]:
    """Two services with the same key send every person the same CAS user name: the uid, the
    login, or a pairwise id computed with the service's own salt."""
    from socle.portal.models import UsernameMode

    if service.username_mode == UsernameMode.PAIRWISE:
        return (service.username_mode, service.pairwise_salt)
    return (service.username_mode,)


def names_sent_digest(service: Service | None) -> str:
    """A short digest of :func:`names_sent_key` (``None``: the uid, a new service's default):
    equal for two services sending every person the same CAS user name. Stored on validated
    import steps (``socle.pronote.predicted_for``): it tells another pairwise service, or a
    regenerated salt, from the same one, without keeping the salt."""
    key = names_sent_key(service) if service is not None else ("uid",)
    return hashlib.sha256("\x1f".join(key).encode()).hexdigest()[:16]


def divergent_services(services: Iterable[Service]) -> list[Service]:
    """The enabled ones among one UAI's PRONOTE services, in use order, when they would not send
    the same CAS user names (``[]`` otherwise: one service, or several sending the same names,
    e.g. one per espace URL, is legitimate)."""
    enabled = sorted((s for s in services if s.enabled), key=lambda s: (s.order, s.pk))
    if len({names_sent_key(service) for service in enabled}) < 2:
        return []
    return enabled


def divergent_warning(establishment: Establishment, services: list[Service]) -> tuple[str, str]:
    """What ``socle.W069``, « Diagnostic PRONOTE » and ``pronote_doctor`` say about
    :func:`divergent_services`: (message, what to do)."""
    message = gettext(
        "Établissement %(uai)s : %(count)s services PRONOTE actifs envoient des identifiants CAS "
        "différents (%(services)s). Le CAS envoie à PRONOTE l'identifiant du service dont le "
        "motif accepte son adresse, mais l'import, le diagnostic et l'export comparent "
        "l'« Identifiant CAS » de PRONOTE à celui du service %(code)s : selon l'adresse, "
        "PRONOTE peut répondre « Identification impossible »."
    ) % {
        "uai": establishment.uai,
        "count": len(services),
        "services": ", ".join(
            gettext("%(code)s : %(mode)s")
            % {"code": service.code, "mode": service.get_username_mode_display()}
            for service in services
        ),
        "code": services[0].code,
    }
    hint = gettext(
        "Désactivez ou supprimez le service PRONOTE en trop (un seul service peut accepter toutes "
        "les adresses des espaces : …/pronote/**), ou faites envoyer le même identifiant CAS à "
        "tous les services (même « identifiant CAS transmis » ; l'« Identifiant opaque propre "
        "au service » diffère d'un service à l'autre), en gardant celui que PRONOTE connaît déjà."
    )
    return message, hint


def stored_name(value: str) -> str:
    """A stored « Identifiant CAS » as every comparison reads it: without the spaces around it
    (PRONOTE exports are sometimes edited by hand; the import strips each value it reads, an
    earlier version's rows may keep them). The one rule of :func:`differs`, :func:`mismatches`,
    :func:`holders_index`, :func:`held_elsewhere` and :func:`stored_elsewhere`: the
    « Identifiants CAS différents » list and the per-account verdict agree."""
    return value.strip()


def differs(stored: str, sent: str) -> bool:
    """Whether PRONOTE's « Identifiant CAS », as a file gave it, is another name than the one
    Socle sends (compared exactly, as PRONOTE does; an empty one is bound at the next
    connection). A complete export reset it: a note, not a refusal (module docstring)."""
    stored = stored_name(stored)
    return bool(stored) and stored != sent


def sent_names(
    establishment: Establishment, person_ids: Iterable[int], service: Service | None = None
) -> dict[int, str]:
    """person id → the CAS user name the UAI's PRONOTE service receives for that person (one
    query; ``service`` saves looking it up again)."""
    ids = set(person_ids)
    if not ids:
        return {}
    if service is None:
        service = pronote_service(establishment)
    rows = Person.objects.filter(pk__in=ids).values_list("id", "uid", "login")
    return {pk: username_for(uid, login, service) for pk, uid, login in rows.iterator(2000)}


def mismatches(
    establishment: Establishment, items: Iterable[tuple[K, int, str]]
) -> dict[K, tuple[str, str]]:
    """For ``(key, person id, stored « Identifiant CAS »)`` triples (a row of the file and the
    account it goes to): key → (stored, sent) where PRONOTE's stored name is not the one Socle
    will send. No query when every stored value is empty (the normal case)."""
    named = ((key, pid, stored_name(value)) for key, pid, value in items)
    stored = [(key, pid, value) for key, pid, value in named if value]
    if not stored:
        return {}
    sent = sent_names(establishment, (pid for _key, pid, _value in stored))
    return {
        key: (value, sent[pid])
        for key, pid, value in stored
        if pid in sent and differs(value, sent[pid])
    }


def holders_index(records: Iterable[tuple[str, str, str]]) -> dict[str, tuple[str, str]]:
    """``(stored « Identifiant CAS », PRONOTE id, « NOM Prénom »)`` of one category's records →
    name → (PRONOTE id, « NOM Prénom ») of the record carrying it (blank names left out)."""
    index = {stored_name(stored): (pronote_id, label) for stored, pronote_id, label in records}
    index.pop("", None)
    return index


def held_elsewhere(
    holders: Mapping[str, tuple[str, str]], sent: str, pronote_id: str, own: str = ""
) -> tuple[str, str] | None:
    """The other record — (PRONOTE id, « NOM Prénom ») — whose stored « Identifiant CAS » is the
    name Socle sends the account of the record ``pronote_id``, ``None`` when there is none.

    While that record is bound, PRONOTE recognises the user by that name alone, finds it (a
    duplicate of the person bound first) and, since the ENT designates this one, answers
    « Identification impossible » (the field guides' story). Read from an imported file, whose
    complete export reset both records, it is a note, no refusal (module docstring).
    ``holders``: :func:`holders_index` of the records of the same category; ``own``: this
    record's stored « Identifiant CAS » — when it is ``sent``, PRONOTE finds this record and
    nothing is held elsewhere (an older file may still list a copy bound to it since merged).
    The rule of the import (``cas_id_held_elsewhere``) and of the diagnostics."""
    holder = holders.get(sent) if sent else None
    if holder is None or holder[0] == pronote_id or stored_name(own) == sent:
        return None
    return holder


def step_holders(records: Iterable[tuple[str, str, str, str]]) -> dict[str, tuple[str, str]]:
    """:func:`holders_index` of one step's records given as ``(stored « Identifiant CAS »,
    PRONOTE id, last name, first name)``: the import's ``stored_cas``."""
    return holders_index((cas, pid, f"{last} {first}") for cas, pid, last, first in records)


def duplicates_held(
    establishment: Establishment,
    service: Service | None,
    holders: Mapping[str, tuple[str, str]],
    records: Iterable[tuple[K, int | None, str, str]],
) -> dict[K, tuple[str, tuple[str, str]]]:
    """For one step's records ``(key, person id, PRONOTE id, own stored « Identifiant CAS »)``:
    key → (the name ``service`` sends the person, the other record holding it) where
    :func:`held_elsewhere` finds one among ``holders`` (:func:`step_holders`), in their order.
    The rule of ``cas_id_held_elsewhere`` (``importer.plan``) and of
    ``predicted_for``; one query, none without holders."""
    items = list(records)
    if not holders or not items:
        return {}
    sent = sent_names(establishment, (person for _k, person, _p, _o in items if person), service)
    found: dict[K, tuple[str, tuple[str, str]]] = {}
    for key, person, pronote_id, own in items:
        name = sent.get(person, "") if person else ""
        holder = held_elsewhere(holders, name, pronote_id, own)
        if holder is not None:
            found[key] = (name, holder)
    return found


def duplicate_refused(service: Service | None, address: str | None = None) -> bool:
    """Whether PRONOTE refuses a person whose name another record already carries
    (:func:`held_elsewhere`), by the recognition mode of the UAI's service in use
    (:func:`pronote_service`, the one whose names are compared; ``None``: none declared, a new
    service's default mode). With the identifier (« idPronote ») or « both » (migration), the
    ENT designates the account's record by its identifier, PRONOTE finds the name on the other
    record and answers « Identification impossible ». In identity mode no identifier is sent:
    PRONOTE recognises the person by that name alone and opens the record already bound — no
    refusal. Nor at a plain-http address, where the CAS sends no attribute at all
    (:func:`socle.portal.saml_http.withheld`, the per-account verdict's test): PRONOTE opens the
    bound copy there too — the address PRONOTE sends, in the scheme of the service's patterns
    (:func:`socle.portal.saml_http.service_address`), not its URL as typed. The rule of the
    import report, of « Diagnostic PRONOTE » and ``pronote_doctor``, which note such a record
    (reset by the complete export the file comes from) only where it would have mattered.
    ``address``: the service's :func:`~socle.portal.saml_http.service_address`, when the
    caller has it (a query saved)."""
    from socle.portal.saml_http import service_address, withheld

    recognition = getattr(service, "pronote_recognition", "") or "pronote"
    if recognition == "identity":
        return False
    if service is None:
        return True
    return not withheld(service_address(service) if address is None else address)


def reset_text(count: int) -> str:
    """« 3 personnes avaient dans PRONOTE un autre identifiant CAS … » — the note above the
    list of the rows noted ``cas_id_mismatch`` or ``cas_id_held_elsewhere`` (import pages,
    report, ``pronote_import``, diagnostics): what the file showed, and that the complete export
    it comes from reset it."""
    return ngettext(
        "%(count)s personne avait dans PRONOTE un autre identifiant CAS que celui que l'ENT "
        "enverra (celui d'un autre ENT ou d'un autre réglage du service), ou celui-ci était "
        "sur une autre de ses fiches (un doublon). L'export de "
        "tous les utilisateurs dont vient le fichier importé (case « Uniquement les "
        "utilisateurs sans identifiants CAS » décochée) a réinitialisé ces identifiants CAS : "
        "PRONOTE enregistrera celui de l'ENT à sa prochaine connexion depuis l'ENT. Rien à faire "
        "dans PRONOTE.",
        "%(count)s personnes avaient dans PRONOTE un autre identifiant CAS que celui que l'ENT "
        "enverra (celui d'un autre ENT ou d'un autre réglage du service), ou celui-ci était "
        "sur une autre de leurs fiches (un doublon). L'export "
        "de tous les utilisateurs dont vient le fichier importé (case « Uniquement les "
        "utilisateurs sans identifiants CAS » décochée) a réinitialisé ces identifiants CAS : "
        "PRONOTE enregistrera celui de l'ENT à leur prochaine connexion depuis l'ENT. Rien à "
        "faire dans PRONOTE.",
        count,
    ) % {"count": count}


@dataclass(frozen=True)
class StoredCasId:
    """The « Identifiant CAS » of a PRONOTE record, as the newest imported file gave it."""

    pronote_id: str
    stored: str
    imported_at: dt.datetime  # when that file was imported
    person_id: int | None = None
    sent: str = ""  # what Socle sends the person holding the identifier
    # the other record already bound to ``sent`` (held_elsewhere): its PRONOTE id, « NOM Prénom »
    holder_id: str = ""
    holder_name: str = ""


def latest_stored(establishment: Establishment, pronote_id: str) -> StoredCasId | None:
    """The newest imported file's « Identifiant CAS » for this PRONOTE identifier (``None``
    when no imported file has it)."""
    if not pronote_id:
        return None
    from socle.pronote.models import ImportRow

    found = (
        ImportRow.objects.filter(session__establishment=establishment, pronote_id=pronote_id)
        .order_by("-session__created_at", "-session_id")
        .values_list("cas_id", "session__created_at")
        .first()
    )
    return StoredCasId(pronote_id, found[0], found[1]) if found else None


@dataclass(frozen=True)
class _Listed:
    """A record as the newest imported file that lists it gave it."""

    stored: str
    imported_at: dt.datetime
    category: str
    name: str  # « NOM Prénom »


def _newest(
    establishment: Establishment, pronote_ids: Iterable[str] | None = None
) -> dict[str, _Listed]:
    """PRONOTE id → :class:`_Listed`, from the newest imported file listing each (``None``:
    every record of the establishment's imports)."""
    from socle.pronote.models import ImportRow

    rows = ImportRow.objects.filter(session__establishment=establishment)
    if pronote_ids is not None:
        rows = rows.filter(pronote_id__in=list(pronote_ids))
    newest: dict[str, _Listed] = {}
    ordered = rows.order_by("-session__created_at", "-session_id").values_list(
        "pronote_id", "cas_id", "session__created_at", "category", "last_name", "first_name"
    )
    for pronote_id, cas_id, created, category, last, first in ordered.iterator(chunk_size=5000):
        if pronote_id not in newest:
            newest[pronote_id] = _Listed(stored_name(cas_id), created, category, f"{last} {first}")
    return newest


def _holders_by_category(newest: Mapping[str, _Listed]) -> dict[str, dict[str, tuple[str, str]]]:
    """category → :func:`holders_index` of the records as their newest file gives them."""
    by_category: dict[str, list[tuple[str, str, str]]] = {}
    for pronote_id, listed in newest.items():
        if listed.stored:
            by_category.setdefault(listed.category, []).append(
                (listed.stored, pronote_id, listed.name)
            )
    return {category: holders_index(records) for category, records in by_category.items()}


def stored_elsewhere(
    establishment: Establishment, pronote_id: str, sent: str
) -> StoredCasId | None:
    """The record of this PRONOTE identifier, when another record of its category already
    carries ``sent`` (the name Socle sends its holder) in the newest imported file that lists
    that other record (:func:`held_elsewhere`; reset by the export that made the file).
    ``None`` otherwise, or when no imported file lists ``pronote_id``."""
    if not pronote_id or not sent:
        return None
    from socle.pronote.models import ImportRow

    # ``contains``: the rows whose value, spaces around it removed (:func:`stored_name`), is
    # ``sent``, among those that hold it (no index on ``cas_id`` either way)
    candidates = (
        ImportRow.objects.filter(session__establishment=establishment, cas_id__contains=sent)
        .exclude(pronote_id=pronote_id)
        .values_list("pronote_id", "cas_id")
    )
    others = {other for other, stored in candidates if stored_name(stored) == sent}
    if not others:  # the normal case: one query
        return None
    newest = _newest(establishment, {pronote_id, *others})
    own = newest.get(pronote_id)
    if own is None:
        return None
    holders = _holders_by_category(newest).get(own.category, {})
    holder = held_elsewhere(holders, sent, pronote_id, own.stored)
    if holder is None:
        return None
    imported_at = newest[holder[0]].imported_at
    return StoredCasId(pronote_id, own.stored, imported_at, None, sent, *holder)


def stored_mismatches(establishment: Establishment) -> list[StoredCasId]:
    """The identifiers of the establishment whose PRONOTE record, in the newest imported file
    that lists it, carried an « Identifiant CAS » Socle will not send its holder (reset by the
    complete export that made that file) — or whose
    holder's name another record of the same category already carries (:func:`held_elsewhere`,
    that record's ``imported_at``)."""
    from socle.pronote.models import PronoteIdentity

    holders = dict(
        PronoteIdentity.objects.filter(establishment=establishment).values_list(
            "pronote_id", "person_id"
        )
    )
    newest = _newest(establishment)
    found = mismatches(
        establishment,
        (
            (pronote_id, holders[pronote_id], listed.stored)
            for pronote_id, listed in newest.items()
            if listed.stored and pronote_id in holders
        ),
    )
    result = [
        StoredCasId(pronote_id, stored, newest[pronote_id].imported_at, holders[pronote_id], sent)
        for pronote_id, (stored, sent) in found.items()
    ]
    # held elsewhere: noted only where the service in use would have made PRONOTE refuse it
    service = pronote_service(establishment)
    bound = _holders_by_category(newest) if duplicate_refused(service) else {}
    if bound:  # no query when no record carries an « Identifiant CAS »
        listed_held = [pid for pid in holders if pid in newest and pid not in found]
        sent_to = sent_names(establishment, (holders[pid] for pid in listed_held), service)
        for pronote_id in listed_held:
            listed, sent = newest[pronote_id], sent_to.get(holders[pronote_id], "")
            holder = held_elsewhere(bound.get(listed.category, {}), sent, pronote_id, listed.stored)
            if holder is not None:
                imported_at = newest[holder[0]].imported_at
                result.append(
                    StoredCasId(
                        pronote_id, listed.stored, imported_at, holders[pronote_id], sent, *holder
                    )
                )
    return sorted(result, key=lambda item: item.pronote_id)
