"""The one declarative mapping from PRONOTE's file vocabulary to Socle's records.

Every name below is compared *folded* (``socle.core.pronote_names.fold``): case, accents,
spaces, ``_``, ``-``, ``(``, ``)`` and ``.`` ignored, so ``IDPN``, ``idpn``,
``Identifiant_PRONOTE-ENT`` and ``identifiant pronote ent`` are written once. The XML reader and
the CSV reader both use these tables; ``docs/pronote-files.md`` reproduces them. To accept a new
spelling, add it here (and to the doc) — nowhere else; but the PRONOTE identifier's spellings,
which the directory's import also looks for (a PRONOTE CSV extraction given to it by mistake),
are ``socle.core.pronote_names.PRONOTE_ID_NAMES``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext_noop

from socle.core.pronote_names import PRONOTE_ID_NAMES, fold
from socle.pronote.categories import Category


@dataclass(frozen=True)
class CategoryNames:
    category: Category
    elements: tuple[str, ...]  # XML person element names (singular)
    words: tuple[str, ...]  # other spellings: plural containers, CSV file names, column values


CATEGORY_NAMES: tuple[CategoryNames, ...] = (
    CategoryNames(
        Category.ENSEIGNANT,
        ("Professeur", "Enseignant"),
        ("Professeurs", "Enseignants", "Prof", "Profs", "Documentaliste"),
    ),
    CategoryNames(Category.ELEVE, ("Eleve",), ("Élève", "Eleves", "Élèves")),
    CategoryNames(
        Category.RESPONSABLE,
        ("Responsable", "Parent"),
        ("Responsables", "Parents", "Tuteur", "Tuteurs"),
    ),
    CategoryNames(
        Category.MAITRE_DE_STAGE,
        ("MaitreDeStage", "MaitreStage"),
        ("Maître de stage", "MaitresDeStage", "Maîtres de stage", "MaitresStage"),
    ),
    CategoryNames(
        Category.INSPECTEUR,
        ("Inspecteur", "InspecteurPedagogique"),
        ("Inspecteurs", "Inspecteurs pédagogiques", "Inspecteur pédagogique"),
    ),
    CategoryNames(Category.PERSONNEL, ("Personnel",), ("Personnels",)),
)


@dataclass(frozen=True)
class FieldNames:
    field: str  # attribute of PronoteRecord ("category" and "responsables" included)
    names: tuple[str, ...]  # XML attribute or child element names, CSV column headers
    label: str  # French name (a msgid), translated in error messages


FIELD_NAMES: tuple[FieldNames, ...] = (
    FieldNames("pronote_id", PRONOTE_ID_NAMES, gettext_noop("identifiant PRONOTE")),
    FieldNames("last_name", ("Nom", "NomUsage", "NomDUsage"), gettext_noop("nom")),
    FieldNames("first_name", ("Prenom", "Prénom"), gettext_noop("prénom")),
    FieldNames(
        "birth_date",
        ("DateNaissance", "DateDeNaissance", "Né(e) le", "Né le", "Naissance"),
        gettext_noop("date de naissance"),
    ),
    FieldNames("postal_code", ("CodePostal", "CP"), gettext_noop("code postal")),
    FieldNames("class_name", ("Classe",), gettext_noop("classe")),
    FieldNames(
        "cas_id", ("IdentifiantCAS", "IdCAS", "Identifiant CAS"), gettext_noop("identifiant CAS")
    ),
    FieldNames("category", ("Categorie", "Catégorie", "Profil"), gettext_noop("catégorie")),
    FieldNames(
        "responsables",
        ("Responsables", "IDPN_Responsables", "IdentifiantsResponsables"),
        gettext_noop("responsables"),
    ),
)

REQUIRED_FIELDS = ("pronote_id", "last_name", "first_name")

#: folded XML person element name → category
PERSON_ELEMENTS: dict[str, Category] = {
    fold(name): names.category for names in CATEGORY_NAMES for name in names.elements
}
#: folded category word (element, plural, file-name word, column value) → category
CATEGORY_WORDS: dict[str, Category] = {
    fold(name): names.category
    for names in CATEGORY_NAMES
    for name in (*names.elements, *names.words, names.category.value)
}
#: folded field name → record field
FIELDS: dict[str, str] = {fold(name): f.field for f in FIELD_NAMES for name in f.names}
FIELD_LABELS: dict[str, str] = {f.field: f.label for f in FIELD_NAMES}
FIELD_MAIN_NAME: dict[str, str] = {f.field: f.names[0] for f in FIELD_NAMES}

# Person elements nested in a pupil are references to its responsables.
REFERENCE_ELEMENTS: dict[Category, Category] = {Category.ELEVE: Category.RESPONSABLE}


def category_from_word(word: str) -> Category | None:
    return CATEGORY_WORDS.get(fold(word))


def category_from_file_name(file_name: str) -> Category | None:
    """``EXP_ELEVES.csv`` → élève; ``EXP_PROFS_2025.csv`` → enseignant; else ``None``."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,4}$", "", file_name.rsplit("/", 1)[-1])
    parts = [p for p in re.split(r"[_\-\s.]+", stem) if p]
    # longest runs first, so "MAITRES_DE_STAGE" wins over a lone word
    for size in range(len(parts), 0, -1):
        for start in range(len(parts) - size + 1):
            category = category_from_word("".join(parts[start : start + size]))
            if category is not None:
                return category
    return None
