"""Recognition "Avec l'identité de l'utilisateur": the ENT's identity attributes against the base.

Attributes (as Socle and other ENTs send them), names exact: ``nom``, ``prenom``,
``dateNaissance`` (JJ/MM/AAAA only), ``codePostal``, ``categories`` (``National_1`` …
``National_7``, several joined by ``;`` only). Names compare case- and accent-insensitively; a
birth date or postal code PRONOTE knows must agree; the category, when sent, must fit. A birth
date or a category the ENT sends in another form is not guessed: the identity is refused
(:attr:`Identity.problems`), so that an ENT sending them wrong is seen at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from pronotesim.base.categories import ELEVE, ENSEIGNANT, INSPECTEUR, PERSONNEL, RESPONSABLE
from pronotesim.base.models import PronoteUser
from pronotesim.base.names import parse_french_date, same_name
from pronotesim.espaces.saml import SamlSuccess

IDENTITY_ATTRIBUTES = ("nom", "prenom", "dateNaissance", "codePostal", "categories")
NATIONAL_CATEGORIES = {
    "National_1": {ELEVE},
    "National_2": {RESPONSABLE},
    "National_3": {ENSEIGNANT},
    "National_4": {PERSONNEL},
    "National_5": {PERSONNEL},
    "National_6": {PERSONNEL},
    "National_7": {INSPECTEUR},
}


@dataclass(frozen=True)
class Identity:
    last_name: str
    first_name: str
    birth_date: date | None
    birth_date_text: str
    postal_code: str
    categories: frozenset[str] | None  # None: not sent
    problems: tuple[str, ...] = ()  # values sent in a form PRONOTE does not read (French)

    @property
    def has_any(self) -> bool:
        return bool(self.last_name or self.first_name or self.birth_date_text or self.postal_code)

    def known_data(self) -> dict[str, str]:
        """« Données connues » of the Identification impossible form."""
        return {
            "nom": self.last_name,
            "prenom": self.first_name,
            "date_naissance": self.birth_date_text,
            "code_postal": self.postal_code,
        }


def identity_of(success: SamlSuccess) -> Identity:
    problems: list[str] = []
    raw_categories = success.first("categories")
    categories: set[str] | None = None
    if raw_categories:
        categories = set()
        for code in raw_categories.split(";"):
            if code in NATIONAL_CATEGORIES:
                categories |= NATIONAL_CATEGORIES[code]
            else:
                problems.append(
                    f"catégories « {raw_categories} » illisibles (codes National_1 à National_7 "
                    "séparés par « ; » attendus)"
                )
                break
    birth_text = success.first("dateNaissance")
    birth_date = parse_french_date(birth_text)
    if birth_text and birth_date is None:
        problems.append(f"date de naissance « {birth_text} » illisible (JJ/MM/AAAA attendu)")
    return Identity(
        last_name=success.first("nom"),
        first_name=success.first("prenom"),
        birth_date=birth_date,
        birth_date_text=birth_text,
        postal_code=success.first("codePostal"),
        categories=frozenset(categories) if categories is not None else None,
        problems=tuple(problems),
    )


def matches(identity: Identity, user: PronoteUser) -> bool:
    if not identity.last_name or not identity.first_name:
        return False
    if not same_name(identity.last_name, user.last_name):
        return False
    if not same_name(identity.first_name, user.first_name):
        return False
    if identity.categories is not None and user.category not in identity.categories:
        return False
    if user.birth_date and identity.birth_date != user.birth_date:
        return False
    return not (
        user.postal_code
        and identity.postal_code
        and user.postal_code.replace(" ", "") != identity.postal_code.replace(" ", "")
    )


def find_candidates(identity: Identity, users: Iterable[PronoteUser]) -> list[PronoteUser]:
    return [user for user in users if matches(identity, user)]
