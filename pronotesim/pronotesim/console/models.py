"""The server's settings (PRONOTE.net administration) and what the school administrator reads."""

from django.db import models
from django.http import HttpRequest

REQUEST_ATTRIBUTE = "pronotesim_server_settings"  # ServerSettings.load(request)'s memo

RECOGNITION_PRONOTE = "pronote"
RECOGNITION_IDENTITY = "identity"
RECOGNITION_DOUBLE = "double"
RECOGNITION_CHOICES = [
    (RECOGNITION_PRONOTE, "Avec l'identifiant PRONOTE de l'utilisateur"),
    (RECOGNITION_IDENTITY, "Avec l'identité de l'utilisateur"),
    (RECOGNITION_DOUBLE, "Par double authentification"),
]
COMMON_ID_SUBJECT = "subject"
COMMON_ID_ATTRIBUTE = "attribute"
COMMON_ID_CHOICES = [
    (COMMON_ID_SUBJECT, "Utiliser l'identifiant utilisateur CAS (Subject)"),
    (COMMON_ID_ATTRIBUTE, "Utiliser l'attribut CAS"),
]


class ServerSettings(models.Model):
    """Singleton (pk=1): publication state, "Intégration dans un ENT", exports, keys, SPR."""

    published = models.BooleanField(default=True)
    cas_enabled = models.BooleanField("Activer l'authentification avec CAS", default=False)
    ent_project = models.CharField("Mon ENT", max_length=100, blank=True, default="")
    cas_url = models.CharField("URL du serveur CAS", max_length=500, blank=True, default="")
    public_url = models.CharField(
        "URL publique de PRONOTE.net", max_length=500, blank=True, default=""
    )
    direct_login_allowed = models.BooleanField(
        "Autoriser l'authentification directe par PRONOTE.net (sans interroger le serveur CAS)",
        default=True,
    )
    common_id_source = models.CharField(
        max_length=20, choices=COMMON_ID_CHOICES, default=COMMON_ID_SUBJECT
    )
    common_id_attribute = models.CharField(max_length=100, blank=True, default="")
    recognition = models.CharField(
        max_length=20, choices=RECOGNITION_CHOICES, default=RECOGNITION_PRONOTE
    )
    id_attribute = models.CharField(
        "Attribut CAS contenant l'identifiant PRONOTE", max_length=100, default="idPronote"
    )
    rapprochement_code = models.CharField(
        "Code de rapprochement", max_length=50, blank=True, default="PRONOTECAS"
    )
    partner_name = models.CharField(
        "Les données exportées peuvent être déchiffrées par", max_length=100, blank=True, default=""
    )
    partner_public_key = models.TextField(blank=True, default="")
    index_private_key = models.TextField(blank=True, default="")
    spr_password_hash = models.CharField(max_length=200, blank=True, default="")

    def __str__(self) -> str:
        return "Paramètres du serveur PRONOTE.net"

    @classmethod
    def load(cls, request: HttpRequest | None = None) -> "ServerSettings":
        """The settings (created at the first call). With ``request``, read once for it: the
        view and the ``Content-Security-Policy`` of its page (:mod:`pronotesim.csp`) share them,
        saved changes included."""
        if request is not None:
            loaded = getattr(request, REQUEST_ATTRIBUTE, None)
            if loaded is not None:
                return loaded
        settings, _ = cls.objects.get_or_create(pk=1)
        if request is not None:
            setattr(request, REQUEST_ATTRIBUTE, settings)
        return settings

    @property
    def recognition_label(self) -> str:
        return dict(RECOGNITION_CHOICES)[self.recognition]


class IdentificationRequest(models.Model):
    """What a user sent from the « Identification impossible » form."""

    created_at = models.DateTimeField(auto_now_add=True)
    cas_user = models.CharField("Identifiant CAS", max_length=255)
    espace = models.CharField(max_length=100, blank=True)
    reason = models.CharField("Motif", max_length=300, blank=True)
    known = models.JSONField("Données connues", default=dict)
    corrections = models.JSONField("Corrections éventuelles", default=dict)
    comment = models.TextField("Des informations complémentaires", blank=True)
    email = models.CharField("E-mail", max_length=254, blank=True)
    phone = models.CharField("Téléphone", max_length=40, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.cas_user} ({self.created_at:%d/%m/%Y %H:%M})"


class AlimentationImport(models.Model):
    """One import of the ENT's file (mode avec alimentation) and its supervision table."""

    created_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=255, blank=True)
    partner = models.CharField(max_length=100, blank=True)
    matched = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Import du {self.created_at:%d/%m/%Y %H:%M}"
