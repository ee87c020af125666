"""PRONOTE's user categories, the order of the six rapprochement steps, and how each category
relates to the national profiles of the directory and to the CAS ``categories`` attribute."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext, gettext_noop, npgettext
from django.utils.translation import gettext_lazy as _

from socle.directory.profiles import Profile


class Category(models.TextChoices):
    """A PRONOTE resource kind (the values are those of the pronotesim base JSON)."""

    ENSEIGNANT = "enseignant", _("enseignant")
    ELEVE = "eleve", _("élève")
    RESPONSABLE = "responsable", _("responsable")
    MAITRE_DE_STAGE = "maitre_de_stage", _("maître de stage")
    INSPECTEUR = "inspecteur", _("inspecteur pédagogique")
    PERSONNEL = "personnel", _("personnel")


@dataclass(frozen=True)
class Step:
    number: int
    category: Category
    plural: str  # "Élèves": the wording of "Étape 2/6 : rapprochement des Élèves"
    profiles: frozenset[str]  # national profiles a matching account must hold in the school

    @property
    def label(self) -> str:
        """``plural`` in the active language (pages, commands and their reports)."""
        return gettext(self.plural)

    def noun(self, count: int) -> str:
        """The category's noun in lower case, in the form ``count`` calls for in the active
        language, for the middle of a sentence: « 1 élève reconnu », « 594 élèves reconnus »,
        « aucun élève » (``count`` 1)."""
        return _NOUNS[self.category](count)

    @property
    def plural_noun(self) -> str:
        """« élèves »: the lower-case plural (« rapprochement des élèves »)."""
        return self.noun(2)


# npgettext's context keeps these apart from the category labels (msgid "élève"); the literal
# context is repeated for xgettext.
_NOUNS: dict[Category, Callable[[int], str]] = {
    Category.ENSEIGNANT: lambda n: npgettext(
        "PRONOTE category noun", "enseignant", "enseignants", n
    ),
    Category.ELEVE: lambda n: npgettext("PRONOTE category noun", "élève", "élèves", n),
    Category.RESPONSABLE: lambda n: npgettext(
        "PRONOTE category noun", "responsable", "responsables", n
    ),
    Category.MAITRE_DE_STAGE: lambda n: npgettext(
        "PRONOTE category noun", "maître de stage", "maîtres de stage", n
    ),
    Category.INSPECTEUR: lambda n: npgettext(
        "PRONOTE category noun", "inspecteur pédagogique", "inspecteurs pédagogiques", n
    ),
    Category.PERSONNEL: lambda n: npgettext("PRONOTE category noun", "personnel", "personnels", n),
}


#: The six steps, in PRONOTE's order.
STEPS: tuple[Step, ...] = (
    Step(
        1,
        Category.ENSEIGNANT,
        gettext_noop("Enseignants"),
        frozenset({Profile.TEACHER, Profile.DOCUMENTALIST}),
    ),
    Step(2, Category.ELEVE, gettext_noop("Élèves"), frozenset({Profile.PUPIL})),
    Step(3, Category.RESPONSABLE, gettext_noop("Responsables"), frozenset({Profile.PARENT})),
    Step(
        4,
        Category.MAITRE_DE_STAGE,
        gettext_noop("Maîtres de stage"),
        frozenset({Profile.MAITRE_DE_STAGE}),
    ),
    Step(
        5,
        Category.INSPECTEUR,
        gettext_noop("Inspecteurs pédagogiques"),
        frozenset({Profile.ACADEMY}),
    ),
    Step(
        6,
        Category.PERSONNEL,
        gettext_noop("Personnels"),
        frozenset(
            {Profile.DIRECTION, Profile.VIE_SCOLAIRE, Profile.ADMIN_STAFF, Profile.COLLECTIVITY}
        ),
    ),
)
STEP_COUNT = len(STEPS)
STEP_BY_CATEGORY: dict[str, Step] = {step.category.value: step for step in STEPS}


def step(number: int) -> Step:
    if not 1 <= number <= STEP_COUNT:
        raise ValueError(f"step {number} out of 1..{STEP_COUNT}")
    return STEPS[number - 1]


#: ``categories`` attribute of the "identité de l'utilisateur" recognition (PRONOTE's codes).
NATIONAL_CATEGORY_CODES: dict[str, str] = {
    Profile.PUPIL: "National_1",
    Profile.PARENT: "National_2",
    Profile.TEACHER: "National_3",
    Profile.DOCUMENTALIST: "National_3",
    Profile.DIRECTION: "National_4",
    Profile.VIE_SCOLAIRE: "National_5",
    Profile.ADMIN_STAFF: "National_6",
    Profile.COLLECTIVITY: "National_6",
    Profile.ACADEMY: "National_7",
}


def national_categories(profiles: set[str] | frozenset[str]) -> str:
    """``"National_1;National_3"``: the codes of these profiles, sorted, joined by ``;``."""
    codes = {NATIONAL_CATEGORY_CODES[p] for p in profiles if p in NATIONAL_CATEGORY_CODES}
    return ";".join(sorted(codes))
