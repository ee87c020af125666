"""Services the CAS will send no SAML attribute: their address is plain http on another machine.

CAS 3.0 §4.2.1 forbids releasing SAML attributes to a non-SSL site, and ``/samlValidate`` obeys
(``socle.cas.answers``) unless the operator sets ``SOCLE_CAS_SAML_HTTP_ATTRIBUTES``. A PRONOTE.net
published at ``http://<serveur>/pronote/`` then receives no identifier attribute (``idPronote``,
or whatever name the service's ``pronote_id_attribute`` gives) and recognises only the users it
has already bound to the ENT (by their « Identifiant CAS »).
The rule itself is :func:`socle.core.saml_release.releases_saml_attributes`; this module applies
it to a service's URL and patterns, for the service form's warning and « Diagnostic PRONOTE »
(and ``pronote_doctor``), so that they warn exactly when the CAS withholds; and it words, per
PRONOTE recognition mode, what a PRONOTE service loses there, for them and the hint of
``socle.W008``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _

from socle.core.saml_release import http_attributes_allowed, releases_saml_attributes
from socle.portal.models import PatternKind, SSOType
from socle.portal.pattern_overlap import http_example, literal_prefix
from socle.portal.patterns import other_scheme


def withheld(address: str) -> bool:
    """Whether a ``TARGET`` starting with ``address`` gets no attribute: plain http, and the
    CAS's rule says no (another scheme is no SAML ``TARGET`` at all: not reported here)."""
    if not address.lower().startswith("http://"):
        return False
    return not releases_saml_attributes(address, over_http=http_attributes_allowed())


def pattern_address(kind: str, value: str) -> str:
    r"""The start every URL the pattern accepts shares, as the registry compiles it (scheme and
    host normalised): ``http://pronote.lycee.test/pronote/`` for ``…/pronote/**``.

    A regular expression whose scheme or host is not literal (``^https?://h/``,
    ``^http://(www\.)?h/``) gives instead a plain-http URL it surely accepts
    (:func:`~socle.portal.pattern_overlap.http_example`: ``http://h/``, tried on the registry's
    own expression), so that ``^https?://`` is judged too; when none is found, its literal start
    if that names the scheme (``http://``: a host not known), else "" (not judged)."""
    text = literal_prefix(kind, value).text
    if kind != PatternKind.REGEX:
        return text
    scheme, separator, rest = text.partition("://")
    if separator and "/" in rest:  # scheme and host literal
        return text
    return http_example(kind, value) or (text if separator else "")


def _accepted(patterns: list[tuple[str, str]], url: str) -> bool:
    from socle.portal.patterns import matches

    for kind, value in patterns:
        try:
            if matches(kind, value, url):
                return True
        except (re.error, ValueError):  # a pattern the CAS cannot compile accepts nothing
            continue
    return False


def sent_address(url: str, patterns: Iterable[tuple[str, str]]) -> str:
    """The address a client sends the CAS (``service=``, then the SAML ``TARGET``) for a page
    at the service's ``url``, in the scheme its patterns (``(kind, value)``) accept.

    A PRONOTE service's patterns are PRONOTE's « URL de PRONOTE.net pour le serveur CAS », the
    address PRONOTE.net itself sends, while its URL is the public link the ENT shows: they
    may differ in scheme (a URL typed in https while PRONOTE is published, and sends, http; or
    the reverse), and the CAS answers only what a pattern accepts. So: ``url`` when a pattern
    accepts it — or when no pattern accepts it in either scheme (nothing better is known) —,
    else ``url`` in the other scheme when a pattern accepts that. Where the patterns accept
    both schemes (``^https?://…``, or two patterns), the URL says which one PRONOTE uses."""
    url = url.strip()
    listed = list(patterns)
    if not url or _accepted(listed, url):
        return url
    twin = other_scheme(url)
    return twin if twin and _accepted(listed, twin) else url


def patterns_of(service: Any) -> list[tuple[str, str]]:
    """A stored service's patterns as ``(kind, value)`` (prefetched ones are not read again)."""
    return [(pattern.kind, pattern.value) for pattern in service.patterns.all()]


def service_address(service: Any, page: str = "") -> str:
    """The address PRONOTE.net sends the CAS for ``page`` (``eleve.html``…) under the stored
    service's URL: :func:`sent_address`, in the scheme of the service's patterns."""
    return sent_address((service.url or "").strip() + page, patterns_of(service))


def scheme_mismatch_note(url: str, sent: str) -> str:
    """« Diagnostic PRONOTE »'s note when the service's URL and the address its patterns accept
    (what PRONOTE sends, :func:`sent_address`) differ in scheme."""
    return _(
        "L'URL du service (%(url)s) et l'adresse qu'acceptent ses motifs (%(sent)s) "
        "diffèrent : PRONOTE.net envoie au CAS l'adresse de ses motifs (« URL de PRONOTE.net "
        "pour le serveur CAS »), c'est elle qui est examinée ici. Donnez au service la même "
        "adresse que PRONOTE, pour que le lien de l'ENT mène au même PRONOTE.net."
    ) % {"url": url, "sent": sent}


def http_addresses(url: str, patterns: Iterable[tuple[str, str]]) -> list[str]:
    """The service's URL and patterns (``(kind, value)``) that get no SAML attribute, as
    written; ``[]`` when the operator allows attributes over http. The URL is judged, and
    listed, in the scheme the patterns accept (:func:`sent_address`): an http URL whose
    patterns accept only its https twin is not reported, an https URL whose patterns accept
    only http is, as the http address PRONOTE sends."""
    if http_attributes_allowed():
        return []
    listed = list(patterns)
    sent = sent_address(url, listed)
    found = [sent] if sent and withheld(sent) else []
    for kind, value in listed:
        if withheld(pattern_address(kind, value)) and value not in found:
            found.append(value)
    return found


def pronote_http_warning(
    addresses: list[str], *, superuser: bool, id_attribute: str, recognition: str = "pronote"
) -> str:
    """:func:`pronote_http_problem`'s two sentences in one."""
    return " ".join(
        pronote_http_problem(
            addresses, superuser=superuser, id_attribute=id_attribute, recognition=recognition
        )
    )


def pronote_http_problem(
    addresses: list[str], *, superuser: bool, id_attribute: str, recognition: str = "pronote"
) -> tuple[str, str]:
    """What happens to a PRONOTE service at these http addresses, and what to do: the words of
    the service form, « Diagnostic PRONOTE » and ``pronote_doctor``. ``superuser``: the reader
    may be told of the operator's setting; an establishment's administrator is told to ask.
    ``id_attribute``: the service's ``pronote_id_attribute``, the name PRONOTE's console is set
    to expect and its message quotes (``idPronote`` when blank). ``recognition``: the service's
    ``pronote_recognition``, since PRONOTE's answer depends on it — the missing-attribute
    message when it expects the identifier, « Identification impossible » when it recognises
    users by their identity (``nom``, ``prenom``, ``dateNaissance``…), either for « both »,
    whichever PRONOTE's console is set to."""
    params = {
        "addresses": ", ".join(addresses),
        "attribute": id_attribute.strip() or "idPronote",  # the field's default
    }
    if recognition == "identity":
        text = _(
            "Adresse en http (%(addresses)s) : le CAS n'enverra à PRONOTE.net aucun attribut "
            "d'identité (nom, prenom, dateNaissance, codePostal, categories), car la "
            "spécification CAS l'interdit vers un site non chiffré ; PRONOTE ne reconnaîtra que "
            "les utilisateurs qu'il a déjà liés à l'ENT (par leur identifiant CAS) et affichera "
            "aux autres « Identification impossible — "
            "Nous n'avons pas réussi à vous identifier sur votre Espace PRONOTE. »"
        )
    elif recognition == "both":
        text = _(
            "Adresse en http (%(addresses)s) : le CAS n'enverra à PRONOTE.net ni l'identifiant "
            "PRONOTE (%(attribute)s) ni les attributs d'identité (nom, prenom, dateNaissance…), "
            "car la spécification CAS l'interdit vers un site non chiffré ; PRONOTE ne reconnaîtra "
            "que les utilisateurs qu'il a déjà liés à l'ENT (par leur identifiant CAS) et "
            "affichera aux autres, selon sa reconnaissance, « Le serveur CAS doit "
            'être configuré pour renvoyer un attribut "%(attribute)s". Or aucun attribut n\'a '
            "été renvoyé. » ou « Identification impossible »."
        )
    else:
        text = _(
            "Adresse en http (%(addresses)s) : le CAS n'enverra à PRONOTE.net ni l'identifiant "
            "PRONOTE (%(attribute)s) ni aucun autre attribut, car la spécification CAS l'interdit "
            "vers un site non chiffré ; PRONOTE ne reconnaîtra que les utilisateurs qu'il a déjà "
            "liés à l'ENT (par leur identifiant CAS) et affichera aux autres « Le "
            'serveur CAS doit être configuré pour renvoyer un attribut "%(attribute)s". Or aucun '
            "attribut n'a été renvoyé. »"
        )
    message = text % params
    if superuser:
        fix = _(
            "Publiez PRONOTE.net en https (le PRONOTE hébergé par Index Education l'est : "
            "https://<uai>.index-education.net/pronote/) et indiquez son adresse https dans le "
            "service ; à défaut, SOCLE_CAS_SAML_HTTP_ATTRIBUTES=true fait transmettre les "
            "attributs à tous les services en http (avertissement socle.W098, docs/cas.md)."
        )
    else:
        fix = _(
            "Publiez PRONOTE.net en https (le PRONOTE hébergé par Index Education l'est : "
            "https://<uai>.index-education.net/pronote/) et indiquez son adresse https dans le "
            "service, ou demandez à l'exploitant de l'ENT."
        )
    return message, fix


def pronote_http_check_hint(*, id_attribute: str, recognition: str = "pronote") -> str:
    """What ``socle.W008`` advises for a PRONOTE service at a plain-http address while the CAS
    withholds attributes: what it will not receive, worded per recognition mode as
    :func:`pronote_http_problem` does (the identifier ``id_attribute``, the identity
    attributes, or both)."""
    attribute = id_attribute.strip() or "idPronote"  # the field's default
    if recognition == "identity":
        withheld_text = _(
            "aucun attribut d'identité (nom, prenom, dateNaissance, codePostal, categories) ni "
            "aucun autre attribut"
        )
    elif recognition == "both":
        withheld_text = _(
            "ni l'identifiant PRONOTE (%(attribute)s) ni les attributs d'identité (nom, prenom, "
            "dateNaissance…)"
        ) % {"attribute": attribute}
    else:
        withheld_text = _("ni %(attribute)s ni aucun autre attribut") % {"attribute": attribute}
    return _(
        "Publiez PRONOTE.net en https et indiquez son adresse https : en http, /samlValidate "
        "ne lui transmet %(withheld)s (spécification CAS, §4.2.1) et PRONOTE ne reconnaît que "
        "les utilisateurs déjà liés à l'ENT ; à défaut, SOCLE_CAS_SAML_HTTP_ATTRIBUTES=true "
        "(socle.W098). socle pronote_doctor --uai … le détaille."
    ) % {"withheld": withheld_text}


def cas_http_warning(addresses: list[str]) -> str:
    """The service form's words for a CAS service at these http addresses."""
    return _(
        "Adresse en http (%(addresses)s) : si ce service valide ses tickets en SAML 1.1 "
        "(/samlValidate), le CAS ne lui enverra aucun attribut, car la spécification CAS "
        "l'interdit vers un site non chiffré. Utilisez son adresse https, ou demandez à "
        "l'exploitant de l'ENT."
    ) % {"addresses": ", ".join(addresses)}


def service_http_warning(
    sso_type: str,
    url: str,
    patterns: Iterable[tuple[str, str]],
    *,
    superuser: bool,
    id_attribute: str,
    recognition: str = "pronote",
) -> str:
    """The service form's warning (not a refusal) for a service the CAS will send no SAML
    attribute, "" when it will (or when it has no SSO). ``id_attribute`` and ``recognition``: a
    PRONOTE service's ``pronote_id_attribute`` and ``pronote_recognition``, which decide what
    PRONOTE will display (:func:`pronote_http_problem`)."""
    if sso_type not in (SSOType.CAS, SSOType.PRONOTE):
        return ""
    addresses = http_addresses(url, patterns)
    if not addresses:
        return ""
    if sso_type == SSOType.PRONOTE:
        return pronote_http_warning(
            addresses, superuser=superuser, id_attribute=id_attribute, recognition=recognition
        )
    return cas_http_warning(addresses)
