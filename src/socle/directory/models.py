"""The school directory: establishments, people, their memberships and family links."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socle.directory.logins import generate_login, new_uid
from socle.directory.names import normalize_name
from socle.directory.profiles import Profile, Relation
from socle.directory.uai import InvalidUAI, normalize_uai


def validate_uai(value: str) -> None:
    try:
        normalize_uai(value)
    except InvalidUAI as exc:
        raise ValidationError(str(exc), code="invalid_uai") from None


class Establishment(models.Model):
    uai = models.CharField(_("UAI"), max_length=8, unique=True, validators=[validate_uai])
    name = models.CharField(_("nom"), max_length=200)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    external_id = models.CharField(_("identifiant externe"), max_length=64, blank=True)
    # Set when an export for PRONOTE (mode avec alimentation) first gave PRONOTE the uids as CAS
    # user names (later exports and downloads made again keep the first date): a PRONOTE service
    # declared later for this UAI must send them too
    # (socle.portal.username_lock.exported_names_refusal).
    pronote_uids_exported_at = models.DateTimeField(
        _("uid exportés vers PRONOTE le"), null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("établissement")

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.uai = normalize_uai(self.uai)
        super().save(*args, **kwargs)


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def login_taken(self, login: str) -> bool:
        return self.filter(login=login).exists()

    def create_person(
        self, *, first_name: str, last_name: str, password: str | None = None, **fields: Any
    ) -> Person:
        if not fields.get("login"):
            fields["login"] = generate_login(first_name, last_name, self.login_taken)
        person = self.model(first_name=first_name, last_name=last_name, **fields)
        if password:
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.save(using=self._db)
        return person

    def create_user(self, login: str, password: str | None = None, **fields: Any) -> Person:
        fields.setdefault("first_name", "")
        fields.setdefault("last_name", login)
        return self.create_person(login=login, password=password, **fields)

    def create_superuser(self, login: str, password: str | None = None, **fields: Any) -> Person:
        fields.update(is_staff=True, is_superuser=True)
        return self.create_user(login, password, **fields)


class Source(models.TextChoices):
    """Where a person's record comes from; an AAF full file only deactivates AAF-fed accounts."""

    LOCAL = "", _("saisie locale")
    CSV = "csv", _("import CSV")
    AAF = "aaf", _("annuaire académique (AAF)")


def search_key_for(last_name: str, birth_last_name: str, first_name: str) -> str:
    """The normalised text the directory search pre-filters on (kept in ``Person.search_key``)."""
    parts = (normalize_name(last_name), normalize_name(birth_last_name), normalize_name(first_name))
    return " ".join(part for part in parts if part)[:300]


class Person(AbstractBaseUser, PermissionsMixin):
    """Anyone who can log in: pupil, parent, teacher, staff. Also Django's auth user."""

    uid = models.CharField(
        _("identifiant opaque"), max_length=32, unique=True, default=new_uid, editable=False
    )
    login = models.CharField(_("identifiant de connexion"), max_length=64, unique=True)
    last_name = models.CharField(_("nom d'usage"), max_length=100)
    birth_last_name = models.CharField(_("nom de naissance"), max_length=100, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100)
    birth_date = models.DateField(_("date de naissance"), null=True, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    email = models.EmailField(_("adresse électronique"), blank=True)
    external_id = models.CharField(
        _("identifiant externe"), max_length=64, null=True, blank=True, unique=True
    )
    is_active = models.BooleanField(_("actif"), default=True)
    # When the account was last deactivated (None while active): ``socle retention_purge``
    # deletes people deactivated longer than SOCLE_DEACTIVATED_RETENTION_DAYS. Kept in step
    # with ``is_active`` by ``save`` and by every bulk path that deactivates or reactivates.
    deactivated_at = models.DateTimeField(
        _("désactivé le"), null=True, blank=True, editable=False, db_index=True
    )
    # A hand block (socle.directory.blocking): an administrator of one of the person's
    # establishments, or the operator, blocked the account, perhaps until a date (inclusive).
    # ``is_active`` is False while it lasts, so every path that refuses an inactive account
    # refuses it; ``active_when_unblocked`` is what the account becomes when it ends: the
    # imports set it instead of ``is_active`` (they never lift a block).
    blocked_at = models.DateTimeField(_("bloqué le"), null=True, blank=True, editable=False)
    blocked_until = models.DateField(_("bloqué jusqu'au"), null=True, blank=True, editable=False)
    blocked_by = models.ForeignKey(
        "self",
        verbose_name=_("bloqué par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    block_reason = models.CharField(
        _("motif du blocage"), max_length=200, blank=True, editable=False
    )
    active_when_unblocked = models.BooleanField(default=True, editable=False)
    is_staff = models.BooleanField(_("accès à l'administration Django"), default=False)
    personal_title = models.CharField(_("civilité"), max_length=16, blank=True)
    source = models.CharField(
        _("origine"), max_length=8, choices=Source.choices, default=Source.LOCAL, blank=True
    )
    # The AAF attributes a staff member's profiles are deduced from, as last received (attribute
    # name → values: socle.directory.aaf.mapping.STAFF_INPUTS), so that a delta carrying only
    # some of them recomputes the profiles. None: never fed as staff, or fed before they were kept.
    aaf_staff_inputs = models.JSONField(
        _("attributs AAF des profils (personnels)"), null=True, blank=True, editable=False
    )
    search_key = models.CharField(max_length=300, blank=True, editable=False)
    activated_at = models.DateTimeField(_("compte activé le"), null=True, blank=True)
    terms_accepted_at = models.DateTimeField(_("charte acceptée le"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    USERNAME_FIELD = "login"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    objects = PersonManager()

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("personne")
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.last_name.upper()} {self.first_name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_key = search_key_for(self.last_name, self.birth_last_name, self.first_name)
        if self.is_active:
            self.deactivated_at = None
        elif self.deactivated_at is None:
            self.deactivated_at = timezone.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"last_name", "first_name", "birth_last_name"} & set(
            update_fields
        ):
            kwargs["update_fields"] = {*update_fields, "search_key"}
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "is_active" in update_fields:
            kwargs["update_fields"] = {*update_fields, "deactivated_at"}
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.first_name

    def profiles_in(self, establishment: Establishment) -> set[str]:
        return set(
            self.memberships.filter(establishment=establishment).values_list("profile", flat=True)
        )


class Membership(models.Model):
    """A person holds a profile in an establishment (several are possible)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="memberships"
    )
    profile = models.CharField(_("profil"), max_length=16, choices=Profile.choices)
    is_admin = models.BooleanField(_("administrateur de l'établissement"), default=False)
    class_name = models.CharField(_("classe"), max_length=50, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "establishment", "profile"], name="membership_unique"
            )
        ]
        indexes = [models.Index(fields=["establishment", "profile"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_profile_display()} — {self.establishment.uai}"


class GroupKind(models.TextChoices):
    CLASS = "classe", _("classe")
    GROUP = "groupe", _("groupe")
    FUNCTION = "fonction", _("fonction")
    DISCIPLINE = "discipline", _("discipline de poste")
    SUBJECT = "matiere", _("matière enseignée")
    LEVEL = "niveau", _("niveau")


class MembershipGroup(models.Model):
    """A class or group of a membership (AAF ``ENTAuxEnsClasses``, ``ENTAuxEnsGroupes``,
    ``ENTEleveGroupes``): the classes a teacher teaches, the groups of a pupil or a teacher. A
    pupil's own class stays in ``Membership.class_name``. Also a staff member's function and
    « discipline de poste » in the establishment (AAF ``ENTPersonFonctions``) and the subjects
    taught there (``ENTAuxEnsMatiereEnseignEtab``); and a pupil's level there (« niveau »: AAF
    ``ENTEleveNivFormation``, else ``ENTEleveLibelleMEF``/``ENTEleveMEF``, or the CSV ``level``
    column), one row at most per pupil membership."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="teaching_groups"
    )
    kind = models.CharField(_("type"), max_length=12, choices=GroupKind.choices)
    name = models.CharField(_("nom"), max_length=50)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "kind", "name"], name="membershipgroup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"


class ParentLink(models.Model):
    """A responsable (parent or guardian) of a pupil."""

    parent = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="children_links")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="parent_links")
    relation = models.CharField(
        _("lien"), max_length=16, choices=Relation.choices, default=Relation.OTHER
    )
    legal = models.BooleanField(_("responsable légal"), default=True)
    financial = models.BooleanField(_("responsable financier"), default=False)
    contact = models.BooleanField(_("personne à contacter"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["parent", "child"], name="parentlink_unique")
        ]

    def __str__(self) -> str:
        return f"{self.parent} → {self.child} ({self.get_relation_display()})"


class ActivationCode(models.Model):
    """The single-use code of a person's first connection (or of an administrator's reset).

    Only a keyed hash of the code is stored (``socle.directory.activation``); the clear code exists
    once, on the letter or the reset page. One live code per person: issuing a new one replaces it.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="activation_code")
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("code d'activation")

    def __str__(self) -> str:
        return f"{self.person} (expire le {self.expires_at:%d/%m/%Y})"
