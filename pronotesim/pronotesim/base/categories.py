"""PRONOTE's six user categories and the espaces each may open."""

from dataclasses import dataclass

ENSEIGNANT = "enseignant"
ELEVE = "eleve"
RESPONSABLE = "responsable"
MAITRE_DE_STAGE = "maitre_de_stage"
INSPECTEUR = "inspecteur"
PERSONNEL = "personnel"

CATEGORY_CHOICES = [
    (ENSEIGNANT, "Enseignant"),
    (ELEVE, "Élève"),
    (RESPONSABLE, "Responsable"),
    (MAITRE_DE_STAGE, "Maître de stage"),
    (INSPECTEUR, "Inspecteur pédagogique"),
    (PERSONNEL, "Personnel"),
]
CATEGORIES = [code for code, _ in CATEGORY_CHOICES]
CATEGORY_LABELS = dict(CATEGORY_CHOICES)
CATEGORY_PLURALS = {
    ENSEIGNANT: "Enseignants",
    ELEVE: "Élèves",
    RESPONSABLE: "Responsables",
    MAITRE_DE_STAGE: "Maîtres de stage",
    INSPECTEUR: "Inspecteurs pédagogiques",
    PERSONNEL: "Personnels",
}


@dataclass(frozen=True)
class Espace:
    code: str  # file name without ".html": "eleve", "parent", …
    title: str  # "Espace Élèves"
    categories: tuple[str, ...]
    in_mobile_list: bool = True  # listed by infoMobileApp.json

    def page(self, mobile: bool = False) -> str:
        return f"mobile.{self.code}.html" if mobile else f"{self.code}.html"


# Order of PRONOTE's own espace list (as infoMobileApp.json gives it), then the two espaces
# PRONOTE publishes for maîtres de stage and inspecteurs.
ESPACES: tuple[Espace, ...] = (
    Espace("direction", "Espace Direction", (PERSONNEL,)),
    Espace("professeur", "Espace Professeurs", (ENSEIGNANT,)),
    Espace("viescolaire", "Espace Vie scolaire", (PERSONNEL,)),
    Espace("parent", "Espace Parents", (RESPONSABLE,)),
    Espace("accompagnant", "Espace Accompagnant", (PERSONNEL,)),
    Espace("eleve", "Espace Élèves", (ELEVE,)),
    Espace("entreprise", "Espace Entreprise", (MAITRE_DE_STAGE,), in_mobile_list=False),
    Espace("academie", "Espace Académie", (INSPECTEUR,), in_mobile_list=False),
)
ESPACES_BY_CODE = {espace.code: espace for espace in ESPACES}

# Where a user lands when coming through the page commune.
HOME_ESPACE = {
    ELEVE: "eleve",
    RESPONSABLE: "parent",
    ENSEIGNANT: "professeur",
    PERSONNEL: "viescolaire",
    MAITRE_DE_STAGE: "entreprise",
    INSPECTEUR: "academie",
}


def espace_for_page(page: str) -> tuple[Espace, bool] | None:
    """``"mobile.eleve.html"`` → (Espace Élèves, True); unknown page → None."""
    if not page.endswith(".html"):
        return None
    name = page[: -len(".html")]
    mobile = name.startswith("mobile.")
    if mobile:
        name = name[len("mobile.") :]
    espace = ESPACES_BY_CODE.get(name)
    return (espace, mobile) if espace else None


def home_espace(category: str) -> Espace:
    return ESPACES_BY_CODE[HOME_ESPACE[category]]
