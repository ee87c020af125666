"""The PRONOTE base: one establishment and its users (the resource lists of the Client PRONOTE)."""

from django.contrib.auth.hashers import check_password, make_password
from django.db import models
from django.db.models import Q

from pronotesim.base.categories import CATEGORY_CHOICES, CATEGORY_LABELS


class Establishment(models.Model):
    """The establishment the base belongs to (a PRONOTE base holds exactly one)."""

    uai = models.CharField("UAI", max_length=8)
    name = models.CharField("Nom", max_length=200)
    postal_code = models.CharField("Code postal", max_length=10, blank=True)
    city = models.CharField("Ville", max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.uai})"

    @classmethod
    def current(cls) -> "Establishment | None":
        return cls.objects.order_by("pk").first()


class PronoteUser(models.Model):
    category = models.CharField("Catégorie", max_length=20, choices=CATEGORY_CHOICES)
    pronote_id = models.CharField("Identifiant PRONOTE", max_length=16, unique=True)
    last_name = models.CharField("Nom", max_length=100)
    first_name = models.CharField("Prénom", max_length=100)
    civility = models.CharField("Civilité", max_length=10, blank=True, default="")
    birth_date = models.DateField("Date de naissance", null=True, blank=True)
    postal_code = models.CharField("Code postal", max_length=10, blank=True)
    class_name = models.CharField("Classe", max_length=30, blank=True)
    # "Identifiant CAS": empty until the user first connects through the ENT (or an
    # alimentation import fills it); then never changed by a connection. Unique within a
    # category: a teacher who is also a parent has two PRONOTE accounts, one ENT identity.
    cas_identifier = models.CharField("Identifiant CAS", max_length=255, blank=True, default="")
    cas_bound_at = models.DateTimeField(null=True, blank=True)
    direct_login = models.CharField(max_length=150, blank=True, default="")
    direct_password = models.CharField(max_length=200, blank=True, default="")
    last_connection_at = models.DateTimeField(null=True, blank=True)
    responsables = models.ManyToManyField(
        "self", symmetrical=False, related_name="children", blank=True
    )

    class Meta:
        ordering = ["last_name", "first_name", "pronote_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cas_identifier", "category"],
                condition=~Q(cas_identifier=""),
                name="unique_cas_identifier_per_category",
            ),
            models.UniqueConstraint(
                fields=["direct_login"],
                condition=~Q(direct_login=""),
                name="unique_direct_login",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.pronote_id})"

    @property
    def display_name(self) -> str:
        """As PRONOTE shows users: ``MARTIN Camille``."""
        return f"{self.last_name.upper()} {self.first_name}"

    @property
    def espace_name(self) -> str:
        """As an espace's title names its user, as the field documents show it: « Espace
        Professeurs — M. BERRONE CHRISTIAN » (civility when the base gives one, NAME, FIRST
        NAME); a pupil has none: ``MARTIN CAMILLE``."""
        name = f"{self.last_name.upper()} {self.first_name.upper()}"
        return f"{self.civility} {name}" if self.civility else name

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS[self.category]

    def set_direct_password(self, raw: str | None) -> None:
        self.direct_password = make_password(raw) if raw else ""

    def check_direct_password(self, raw: str) -> bool:
        return bool(self.direct_password) and check_password(raw, self.direct_password)
