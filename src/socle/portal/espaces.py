"""Which PRONOTE.net espace a person lands in, from their profile in the establishment.

PRONOTE.net publishes one page per espace under its root (``…/pronote/eleve.html``) and a
``mobile.`` variant of each for phones (``…/pronote/mobile.eleve.html``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from socle.directory.profiles import Profile
from socle.portal.patterns import pronote_base


@dataclass(frozen=True)
class Espace:
    page: str
    label: str | Promise


ESPACES = {
    "eleve": Espace("eleve.html", _("Espace Élèves")),
    "parent": Espace("parent.html", _("Espace Parents")),
    "professeur": Espace("professeur.html", _("Espace Professeurs")),
    "viescolaire": Espace("viescolaire.html", _("Espace Vie scolaire")),
    "direction": Espace("direction.html", _("Espace Direction")),
    "entreprise": Espace("entreprise.html", _("Espace Entreprise")),
    "academie": Espace("academie.html", _("Espace Académie")),
}

# National profile → espace, in the order a person with several profiles is offered them.
PROFILE_ESPACE: dict[str, str] = {
    Profile.DIRECTION: "direction",
    Profile.TEACHER: "professeur",
    Profile.DOCUMENTALIST: "professeur",
    Profile.VIE_SCOLAIRE: "viescolaire",
    Profile.ADMIN_STAFF: "viescolaire",
    Profile.PUPIL: "eleve",
    Profile.PARENT: "parent",
    Profile.MAITRE_DE_STAGE: "entreprise",
    Profile.ACADEMY: "academie",
}
_ORDER = list(dict.fromkeys(PROFILE_ESPACE.values()))

# "Mobi" is in every phone browser's User-Agent (Android phones, iPhone, Firefox OS…) and not in
# tablets' (iPad, Android tablets), which get the full espace.
_PHONE = re.compile(r"Mobi|iPhone|iPod|Windows Phone|BlackBerry|Opera Mini", re.IGNORECASE)


def is_phone(user_agent: str) -> bool:
    return bool(_PHONE.search(user_agent or ""))


def espaces_for(profiles: set[str] | list[str]) -> list[str]:
    """Espace keys fitting these profiles, best first, without duplicates."""
    keys = {PROFILE_ESPACE[p] for p in profiles if p in PROFILE_ESPACE}
    return [k for k in _ORDER if k in keys]


def espace_url(service_url: str, espace: str, *, phone: bool = False) -> str:
    """``https://…/pronote/`` + ``eleve.html`` (or ``mobile.eleve.html`` on a phone)."""
    page = ESPACES[espace].page
    return pronote_base(service_url) + (f"mobile.{page}" if phone else page)
