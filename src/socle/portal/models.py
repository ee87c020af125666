"""The services catalogue: one source of truth for the portal and the CAS service registry."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socle.directory.models import Establishment


class SSOType(models.TextChoices):
    NONE = "none", _("Pas de SSO ou SSO standard")
    CAS = "cas", _("SSO CAS")
    PRONOTE = "pronote", _("SSO Pronote avec CAS")


class UsernameMode(models.TextChoices):
    """What the CAS sends as the user name (``cas:user``) to this service."""

    UID = "uid", _("Identifiant opaque (uid)")
    PAIRWISE = "pairwise", _("Identifiant opaque propre au service")
    LOGIN = "login", _("Identifiant de connexion")


class PronoteRecognition(models.TextChoices):
    """How PRONOTE recognises a user at first connection (PRONOTE's console wording)."""

    PRONOTE_ID = "pronote", _("Avec l'identifiant PRONOTE de l'utilisateur")
    IDENTITY = "identity", _("Avec l'identité de l'utilisateur")
    BOTH = "both", _("Les deux (migration)")


def _new_salt() -> str:
    return secrets.token_hex(16)


class Service(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    label = models.CharField(_("intitulé"), max_length=200)
    sso_type = models.CharField(
        _("type de SSO"), max_length=16, choices=SSOType.choices, default=SSOType.CAS
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    order = models.PositiveIntegerField(_("ordre"), default=100)
    category = models.CharField(_("catégorie"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    icon = models.FileField(_("icône"), upload_to="service-icons/", blank=True)
    anonymous = models.BooleanField(_("service anonyme"), default=False)
    internal = models.BooleanField(_("interne"), default=False)
    in_services_bar = models.BooleanField(_("affiché dans la barre des services"), default=True)
    enabled = models.BooleanField(_("actif"), default=True)
    establishment = models.ForeignKey(
        Establishment,
        verbose_name=_("établissement"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="services",
        help_text=_("Vide : service de tout l'ENT."),
    )
    # CAS ---------------------------------------------------------------------------------
    released_attributes = models.JSONField(
        _("attributs transmis"), default=list, blank=True,
        help_text=_("Noms des attributs que le CAS transmet à ce service."),
    )
    username_mode = models.CharField(
        _("identifiant CAS transmis"), max_length=16, choices=UsernameMode.choices,
        default=UsernameMode.UID,
    )
    pairwise_salt = models.CharField(max_length=64, default=_new_salt, editable=False)
    single_logout = models.BooleanField(_("déconnexion unique (SLO)"), default=True)
    proxy_callback_allowed = models.BooleanField(_("autorisé à demander des proxy tickets"),
                                                 default=False)
    # PRONOTE -----------------------------------------------------------------------------
    pronote_recognition = models.CharField(
        _("reconnaissance PRONOTE"), max_length=16, choices=PronoteRecognition.choices,
        default=PronoteRecognition.PRONOTE_ID,
    )
    pronote_id_attribute = models.CharField(
        _("attribut de l'identifiant PRONOTE"), max_length=64, default="idPronote"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "label"]
        verbose_name = _("service")

    def __str__(self) -> str:
        return f"{self.label} ({self.code})"

    @property
    def is_cas(self) -> bool:
        return self.sso_type in (SSOType.CAS, SSOType.PRONOTE)


class PatternKind(models.TextChoices):
    EXACT = "exact", _("URL exacte")
    ANT = "ant", _("Motif Ant (** et *)")
    REGEX = "regex", _("Expression régulière")


class ServicePattern(models.Model):
    """A URL pattern a service may receive tickets for; evaluated in ``position`` order."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="patterns")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=8, choices=PatternKind.choices, default=PatternKind.ANT)
    value = models.CharField(max_length=500)

    class Meta:
        ordering = ["service__order", "service_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"


class Trace(models.Model):
    """An audit record. Never holds a password or a full ticket."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    event = models.CharField(max_length=40, db_index=True)
    outcome = models.CharField(max_length=16, default="ok")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_login = models.CharField(max_length=64, blank=True)
    service_code = models.CharField(max_length=50, blank=True, db_index=True)
    uai = models.CharField(max_length=8, blank=True, db_index=True)
    profile = models.CharField(max_length=16, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at"]
