"""National profiles (SDET) and the few names the rest of Socle derives from them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.TextChoices):
    PUPIL = "National_ELV", _("Élève")
    PARENT = "National_TUT", _("Parent / responsable")
    TEACHER = "National_ENS", _("Enseignant")
    DIRECTION = "National_DIR", _("Direction")
    VIE_SCOLAIRE = "National_EVS", _("Vie scolaire")
    ADMIN_STAFF = "National_ETA", _("Personnel administratif, technique ou de service")
    DOCUMENTALIST = "National_DOC", _("Documentaliste")
    COLLECTIVITY = "National_COL", _("Personnel de collectivité")
    ACADEMY = "National_ACA", _("Personnel académique")
    MAITRE_DE_STAGE = "MDS", _("Maître de stage")


class Relation(models.TextChoices):
    """Relation of a responsable to a pupil (AAF codes in ``docs/aaf.md``)."""

    FATHER = "pere", _("Père")
    MOTHER = "mere", _("Mère")
    GUARDIAN = "tuteur", _("Tuteur")
    OTHER_FAMILY = "famille", _("Autre membre de la famille")
    OTHER = "autre", _("Autre")


# Friendly names accepted by the CSV import besides the national codes (compared after
# normalize_name, so case, accents and hyphens do not matter).
PROFILE_ALIASES: dict[str, str] = {
    "eleve": Profile.PUPIL,
    "elv": Profile.PUPIL,
    "parent": Profile.PARENT,
    "responsable": Profile.PARENT,
    "tuteur": Profile.PARENT,
    "tut": Profile.PARENT,
    "enseignant": Profile.TEACHER,
    "professeur": Profile.TEACHER,
    "ens": Profile.TEACHER,
    "direction": Profile.DIRECTION,
    "dir": Profile.DIRECTION,
    "vie scolaire": Profile.VIE_SCOLAIRE,
    "evs": Profile.VIE_SCOLAIRE,
    "personnel": Profile.ADMIN_STAFF,
    "eta": Profile.ADMIN_STAFF,
    "documentaliste": Profile.DOCUMENTALIST,
    "doc": Profile.DOCUMENTALIST,
    "collectivite": Profile.COLLECTIVITY,
    "col": Profile.COLLECTIVITY,
    "academie": Profile.ACADEMY,
    "aca": Profile.ACADEMY,
    "maitre de stage": Profile.MAITRE_DE_STAGE,
    "mds": Profile.MAITRE_DE_STAGE,
}

RELATION_ALIASES: dict[str, str] = {
    "pere": Relation.FATHER,
    "mere": Relation.MOTHER,
    "tuteur": Relation.GUARDIAN,
    "famille": Relation.OTHER_FAMILY,
    "autre": Relation.OTHER,
}


def parse_profile(text: str) -> str | None:
    """``National_ELV`` (any case) or a friendly alias (``élève``, ``parent``…) → the code."""
    from socle.directory.names import normalize_name

    value = (text or "").strip()
    for code in Profile.values:
        if value.lower() == code.lower():
            return code
    key = normalize_name(value)
    if key.startswith("national "):
        key = key.removeprefix("national ")
    alias = PROFILE_ALIASES.get(key)
    return str(alias) if alias else None


def parse_relation(text: str) -> str | None:
    from socle.directory.names import normalize_name

    alias = RELATION_ALIASES.get(normalize_name(text))
    return str(alias) if alias else None
