"""PRONOTE identities, import sessions (the six-step wizard) and diagnostics events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from socle.directory.models import Establishment
from socle.pronote.categories import Category
from socle.pronote.reasons import DETAIL_SEPARATOR, cas_reset_parts, render_stored


class ImportMode(models.TextChoices):
    COMPLET = "complet", _("Complet")
    PARTIEL = "partiel", _("Partiel")


class FileFormat(models.TextChoices):
    ENVELOPE = "envelope", _("fichier chiffré Index Education (EXPORT_INDEX_EDUCATION)")
    XML = "xml", _("fichier XML des identifiants")
    CSV = "csv", _("extraction CSV de PRONOTE")


class MatchMethod(models.TextChoices):
    EXISTING_ID = "existing_id", _("identifiant déjà connu")
    CAS_ID = "cas_id", _("identifiant CAS connu de PRONOTE")
    NAME = "name", _("nom, prénom (et date de naissance)")
    CHILDREN = "children", _("nom, prénom et enfants")
    MANUAL = "manual", _("à la main")


class PronoteIdentity(models.Model):
    """A person's PRONOTE identifier in one establishment (at most one per UAI, each way)."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pronote_identities"
    )
    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="pronote_identities"
    )
    pronote_id = models.CharField(_("identifiant PRONOTE"), max_length=64)
    category = models.CharField(_("catégorie PRONOTE"), max_length=16, choices=Category.choices)
    method = models.CharField(
        _("rapprochement"), max_length=16, choices=MatchMethod.choices, blank=True
    )
    source = models.ForeignKey(
        "ImportSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("import d'origine"),
    )
    imported_at = models.DateTimeField(_("importé le"), default=timezone.now)

    class Meta:
        verbose_name = _("identifiant PRONOTE")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "establishment"], name="pronote_identity_one_per_uai"
            ),
            models.UniqueConstraint(
                fields=["establishment", "pronote_id"], name="pronote_identity_id_unique_per_uai"
            ),
        ]
        indexes = [models.Index(fields=["establishment", "category"])]

    def __str__(self) -> str:
        return f"{self.pronote_id} ({self.establishment_id}) → {self.person_id}"


class SessionStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("en cours")
    INTERRUPTED = "interrupted", _("interrompu")
    FINISHED = "finished", _("terminé")


class ImportSession(models.Model):
    """One upload of PRONOTE's identifier file, walked through the six steps."""

    establishment = models.ForeignKey(
        Establishment, on_delete=models.CASCADE, related_name="pronote_imports"
    )
    mode = models.CharField(_("mode d'import"), max_length=8, choices=ImportMode.choices)
    file_format = models.CharField(max_length=8, choices=FileFormat.choices)
    source_name = models.CharField(_("fichier"), max_length=255, blank=True)
    status = models.CharField(
        max_length=16, choices=SessionStatus.choices, default=SessionStatus.IN_PROGRESS
    )
    current_step = models.PositiveSmallIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import d'identifiants PRONOTE")

    def __str__(self) -> str:
        return f"import {self.pk} {self.establishment_id} {self.mode} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == SessionStatus.IN_PROGRESS


class StepState(models.TextChoices):
    PENDING = "pending", _("à faire")
    MATCHED = "matched", _("rapprochement calculé")
    VALIDATED = "validated", _("validée")
    NOT_DONE = "not_done", _("non faite (import interrompu)")


class ImportStep(models.Model):
    session = models.ForeignKey(ImportSession, on_delete=models.CASCADE, related_name="steps")
    number = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=16, choices=Category.choices)
    state = models.CharField(max_length=16, choices=StepState.choices, default=StepState.PENDING)
    recognised = models.PositiveIntegerField(default=0)
    unrecognised = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    replaced = models.PositiveIntegerField(default=0)
    conflicts = models.PositiveIntegerField(default=0)
    removed = models.JSONField(default=list, blank=True)  # [{"pronote_id", "person", "login"}]
    validated_at = models.DateTimeField(null=True, blank=True)
    # the PRONOTE service's settings the rows' notes were computed for at validation
    # (socle.pronote.predicted_for); {} for a step not validated, or validated before it existed
    predicted_for = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="pronote_step_unique")
        ]

    def __str__(self) -> str:
        return f"import {self.session_id} étape {self.number} ({self.state})"

    @property
    def written(self) -> int:
        return self.created + self.unchanged + self.replaced


class RowStatus(models.TextChoices):
    PENDING = "pending", _("à rapprocher")
    RECOGNISED = "recognised", _("reconnu")
    UNRECOGNISED = "unrecognised", _("non reconnu")


class Outcome(models.TextChoices):
    NONE = "", _("—")
    CREATED = "created", _("importé")
    UNCHANGED = "unchanged", _("déjà connu, inchangé")
    REPLACED = "replaced", _("remplacé")
    CONFLICT = "conflict", _("conflit, laissé inchangé")
    NOT_IDENTIFIED = "not_identified", _("non identifié")
    NOT_DONE = "not_done", _("étape non faite")


class ImportRow(models.Model):
    """One person of the file, with what the matching found and what validation did."""

    session = models.ForeignKey(ImportSession, on_delete=models.CASCADE, related_name="rows")
    category = models.CharField(max_length=16, choices=Category.choices)
    position = models.PositiveIntegerField()
    location = models.CharField(max_length=120, blank=True)
    pronote_id = models.CharField(max_length=64)
    last_name = models.CharField(max_length=100, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    class_name = models.CharField(max_length=50, blank=True)
    cas_id = models.CharField(max_length=100, blank=True)
    responsables = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=RowStatus.choices, default=RowStatus.PENDING)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    method = models.CharField(max_length=16, choices=MatchMethod.choices, blank=True)
    reason = models.CharField(max_length=300, blank=True)  # in French, as the CLI prints it
    # the same reason as data (socle.pronote.reasons), rendered in the visitor's language;
    # empty for rows stored before it existed, which show ``reason`` as it is
    reason_parts = models.JSONField(default=list, blank=True)
    # [{"id", "label" (French), "label_parts", "score", "why" (French), "why_parts"}]
    candidates = models.JSONField(default=list, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_detail = models.CharField(max_length=300, blank=True)  # in French, as the CLI prints it
    # the same notes as data (socle.pronote.reasons, joined with " ; "), rendered in the
    # visitor's language; empty for rows stored before it existed, which show ``outcome_detail``
    outcome_detail_parts = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["session", "position"]
        indexes = [models.Index(fields=["session", "category"])]

    def __str__(self) -> str:
        return f"{self.pronote_id} {self.last_name} {self.first_name}"

    @property
    def localized_reason(self) -> str:
        """The matching's reason in the active language (the stored French text for a row
        stored before reasons were kept as parts)."""
        return render_stored(self.reason_parts, self.reason)

    @property
    def localized_outcome_detail(self) -> str:
        """What validation did to the row, or why it left it, in the active language (the
        stored French text for a row stored before the notes were kept as parts)."""
        return render_stored(self.outcome_detail_parts, self.outcome_detail, DETAIL_SEPARATOR)

    @property
    def cas_mismatch_parts(self) -> list[list[object]]:
        """The stored ``cas_id_mismatch`` or ``cas_id_held_elsewhere`` note (validation found
        the file's « Identifiant CAS » is not the name Socle will send, or that name on another
        record — both reset by the complete export of the file): ``[]`` when there is none."""
        return cas_reset_parts(self.outcome_detail_parts)

    @property
    def localized_cas_mismatch(self) -> str:
        return render_stored(self.cas_mismatch_parts, "")


class MissingIdentifierEvent(models.Model):
    """A person got a ticket for a PRONOTE service without a PRONOTE identifier for its UAI.

    One row per (person, establishment), counted, so the diagnostics can list who will meet
    « Le serveur CAS doit être configuré pour renvoyer un attribut "idPronote" ».
    """

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE, related_name="+")
    service_code = models.CharField(max_length=50, blank=True)
    first_at = models.DateTimeField(default=timezone.now)
    last_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-last_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "establishment"], name="pronote_missing_event_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person_id} sans identifiant PRONOTE ({self.establishment_id})"
