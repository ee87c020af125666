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
