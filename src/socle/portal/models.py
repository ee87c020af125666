"""The services catalogue: one source of truth for the portal and the CAS service registry."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socle.directory.models import Establishment
from socle.portal.policy import HOLD_NOTHING
from socle.portal.trace_models import (  # noqa: F401 - the app's models, found here by Django
    Trace,
    TraceScope,
    insert_scopes,
    member_uais_of,
    memberships_of,
    prepare_scopes,
    scope_rows,
    uais_text,
    write_scopes,
)


class AccessMode(models.TextChoices):
    """Who may open a service where no establishment has said otherwise."""

    OPEN = "open", _("Ouvert à tous les profils")
    RULES = "rules", _("Uniquement les accès définis")


class SSOType(models.TextChoices):
    NONE = "none", _("Pas de SSO ou SSO standard")
    CAS = "cas", _("SSO CAS")
    PRONOTE = "pronote", _("SSO PRONOTE avec CAS")


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
    # The SHA-256 of the icon's bytes (``ServiceIcon``), empty without icon: the icon's ETag, and
    # its URL's version, read with the service and no second query (socle.portal.icon_store).
    icon_hash = models.CharField(
        _("empreinte de l'icône"),
        max_length=64,
        blank=True,
        editable=False,
        default="",
        db_default="",
    )
    # Where the previous versions kept the icon, a file of the node that received it
    # (``<SOCLE_DATA_DIR>/media/service-icons/…``). Read once by migration 0007, which moves the
    # file into ``ServiceIcon``; kept for one release so that nodes of the previous version keep
    # working beside new ones during a rolling upgrade; emptied when the icon changes.
    legacy_icon_path = models.CharField(
        max_length=100, blank=True, editable=False, db_column="icon"
    )
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
        _("attributs transmis"),
        default=list,
        blank=True,
        help_text=_("Noms des attributs que le CAS transmet à ce service."),
    )
    username_mode = models.CharField(
        _("identifiant CAS transmis"),
        max_length=16,
        choices=UsernameMode.choices,
        default=UsernameMode.UID,
    )
    pairwise_salt = models.CharField(max_length=64, default=_new_salt, editable=False)
    # Set once the service has received CAS user names (a validated ticket, an export for
    # PRONOTE): from then on ``username_mode`` is fixed (socle.portal.username_lock).
    usernames_sent = models.BooleanField(
        _("identifiants CAS déjà transmis"), default=False, editable=False
    )
    single_logout = models.BooleanField(_("déconnexion unique (SLO)"), default=True)
    proxy_callback_allowed = models.BooleanField(
        _("autorisé à demander des proxy tickets"), default=False
    )
    # PRONOTE -----------------------------------------------------------------------------
    pronote_recognition = models.CharField(
        _("reconnaissance PRONOTE"),
        max_length=16,
        choices=PronoteRecognition.choices,
        default=PronoteRecognition.PRONOTE_ID,
    )
    pronote_id_attribute = models.CharField(
        _("attribut de l'identifiant PRONOTE"), max_length=64, default="idPronote"
    )
    # Access (socle.portal.access) --------------------------------------------------------
    access_mode = models.CharField(
        _("accès par défaut"),
        max_length=8,
        choices=AccessMode.choices,
        default=AccessMode.OPEN,
        help_text=_(
            "« Ouvert à tous les profils » : toute personne de l'établissement du service (de tout "
            "l'ENT s'il n'en a pas), sauf désactivation par un établissement."
        ),
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

    @property
    def icon_url(self) -> str:
        """The icon's address, versioned by its hash (cached for a year), or "" without icon."""
        if not self.icon_hash:
            return ""
        return f"{reverse('portal:service_icon', args=[self.code])}?v={self.icon_hash[:16]}"


class ServiceIcon(models.Model):
    """The bytes of a service's icon, in the database so that every node serves it. Checked on
    upload (socle.portal.icons: PNG or passive SVG, 100 KB at most); written and removed with
    ``Service.icon_hash`` by socle.portal.icon_store only."""

    service = models.OneToOneField(
        Service, on_delete=models.CASCADE, primary_key=True, related_name="stored_icon"
    )
    content_type = models.CharField(max_length=32)
    data = models.BinaryField()

    def __str__(self) -> str:
        return f"{self.service_id} {self.content_type} ({len(self.data)} o)"


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


# --- Access configuration (evaluated by socle.portal.access) ---------------------------------


class ServiceActivation(models.Model):
    """ "Accès aux services tiers": one establishment switches a service on or off and ticks the
    populations allowed (keys of ``socle.portal.populations.POPULATIONS``)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="activations")
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="service_activations"
    )
    enabled = models.BooleanField(_("activé"), default=True)
    populations = models.JSONField(_("profils autorisés"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "establishment"], name="serviceactivation_unique"
            )
        ]
        verbose_name = _("activation de service")

    def __str__(self) -> str:
        return f"{self.service.code} @ {self.establishment.uai}: {self.enabled}"


class Group(models.Model):
    """A simple group of people of one establishment: a class (members are the memberships with
    that ``class_name``) or a hand-made list (``members``)."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="portal_groups"
    )
    name = models.CharField(_("nom"), max_length=100)
    class_name = models.CharField(_("classe"), max_length=50, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="portal_groups"
    )

    class Meta:
        ordering = ["establishment__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["establishment", "name"], name="group_unique_name")
        ]
        verbose_name = _("groupe")

    def __str__(self) -> str:
        return f"{self.name} ({self.establishment.uai})"


class AccessRole(models.TextChoices):
    ACCESS = "access", _("Accès au service")


class AccessTarget(models.TextChoices):
    SITE = "site", _("Établissement(s) du site courant")
    ESTABLISHMENTS = "establishments", _("Liste personnalisée d'établissements")
    GROUPS = "groups", _("Liste de groupes")
    ALL = "all", _("Tout l'ENT")


class AccessRule(models.Model):
    """ "Accès population": a role on the service for a target × a profile ("" = every profile),
    optionally narrowed to some subjects taught, functions or « disciplines de poste » (staff),
    or to some levels (« niveaux »: pupils of those levels and their parents).

    ``site`` and ``establishments`` rules keep their establishments in ``establishments``;
    ``groups`` rules in ``groups``; ``all`` needs neither."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="access_rules")
    role = models.CharField(
        _("rôle"), max_length=16, choices=AccessRole.choices, default=AccessRole.ACCESS
    )
    target = models.CharField(_("cible"), max_length=16, choices=AccessTarget.choices)
    profile = models.CharField(_("profil"), max_length=16, blank=True)
    establishments = models.ManyToManyField(Establishment, blank=True, related_name="+")
    groups = models.ManyToManyField(Group, blank=True, related_name="access_rules")
    # Narrowing to staff teaching these subjects / of these functions / « disciplines de poste »
    # (AAF ENTAuxEnsMatiereEnseignEtab and ENTPersonFonctions labels, compared without case,
    # accents nor repeated spaces: ``policy.level_key``); empty: no narrowing.
    NARROWING = ("subjects", "functions", "disciplines")
    subjects = models.JSONField(_("matières enseignées"), default=list, blank=True)
    functions = models.JSONField(_("fonctions"), default=list, blank=True)
    disciplines = models.JSONField(_("disciplines de poste"), default=list, blank=True)
    # Narrowing to pupils of these levels and to the parents of such a pupil, in the
    # establishment (``MembershipGroup`` rows of kind « niveau »), compared without case nor
    # accents; a rule naming levels admits no other profile. Empty: no narrowing.
    LEVELS = "levels"
    levels = models.JSONField(_("niveaux"), default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["service_id", "created_at", "id"]
        verbose_name = _("droit d'accès")

    def __str__(self) -> str:
        return f"{self.service.code}: {self.target} × {self.profile or '*'}"

    def clean(self) -> None:
        """The narrowing lists hold names (the Django admin edits them as JSON)."""
        errors: dict[str, Any] = {
            name: _('Une liste de noms est attendue, par exemple ["MATHEMATIQUES"].')
            for name in (*self.NARROWING, self.LEVELS)
            if not is_name_list(getattr(self, name))
        }
        if not errors and self.levels:
            problem = levels_problem([self.profile], [getattr(self, n) for n in self.NARROWING])
            if problem:
                errors["levels"] = problem
        if errors:
            raise ValidationError(errors)


def is_name_list(value: object) -> bool:
    """Whether a rule's narrowing list is a list of names (none blank): what ``clean`` accepts
    and what ``socle.portal.access`` reads; anything else admits nobody (``socle.W051``)."""
    return isinstance(value, list) and all(isinstance(n, str) and n.strip() for n in value)


def levels_beside_classes(levels: object, target: str, class_names: Iterable[str]) -> bool:
    """Whether a rule names levels beside class groups (``class_names``: those of its groups,
    "" for a hand-made group), which :func:`levels_problem` refuses and
    ``socle.portal.access`` lets admit nobody."""
    return bool(levels) and target == AccessTarget.GROUPS and any(class_names)


# The profiles a level concerns: a pupil's own, a parent's through their children; "" = all.
LEVEL_PROFILES = HOLD_NOTHING | {""}


def levels_problem(
    profiles: Sequence[str] = (), staff_narrowing: Sequence[object] = (), *, classes: bool = False
) -> str | None:
    """Why a rule naming levels cannot have these profiles or that staff narrowing (subjects,
    functions, disciplines, which no pupil nor parent holds: it would admit nobody), or class
    groups (``classes``: a parent would be admitted for one child's class and another child's
    level; ``socle.portal.access`` lets such a rule, stored before, admit nobody)."""
    if any(profile not in LEVEL_PROFILES for profile in profiles):
        return str(
            _(
                "Les niveaux ne concernent que les élèves et leurs parents : cochez « Élève », "
                "« Parent » ou « Tous les profils »."
            )
        )
    if any(staff_narrowing):
        return str(
            _(
                "Un droit ne peut nommer à la fois des niveaux (élèves, parents) et des "
                "matières, fonctions ou disciplines (personnels) : créez deux droits."
            )
        )
    if classes:
        return str(
            _(
                "Un droit ne peut nommer à la fois des niveaux et des classes (un parent serait "
                "admis pour la classe d'un enfant et le niveau d'un autre) : choisissez des "
                "classes ou des niveaux."
            )
        )
    return None


class LauncherSkip(models.Model):
    """The person ticked « Je souhaite accéder directement au service sans afficher cette page »."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "service"], name="launcherskip_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} → {self.service_id}"
