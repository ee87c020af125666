"""Forms of the PRONOTE administration pages (they own the validation; views only adapt)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from socle.core.forms import FirstErrorFocusMixin
from socle.directory.blocking import present
from socle.directory.models import Establishment, Membership, Person
from socle.directory.relatives import links_to_active_pupils
from socle.pronote.files import ParsedFile, PronoteFileError
from socle.pronote.importer.session import load_files
from socle.pronote.models import (
    ImportMode,
    ImportRow,
    RowStatus,
)
from socle.pronote.permissions import administered_establishments
from socle.pronote.school_year import school_year_start, writing_steps
from socle.pronote.search import has_letter_or_digit


def _establishments(form: forms.Form) -> forms.ModelChoiceField:  # type: ignore[type-arg]
    return cast(forms.ModelChoiceField, form.fields["establishment"])  # type: ignore[type-arg]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = list(data) if isinstance(data, (list, tuple)) else [data]
        items = [item for item in items if item]
        if not items:  # no file at all (the browser's ``required`` bypassed)
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        single = super().clean
        return [single(item, initial) for item in items]


class EstablishmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Establishment) -> str:
        return f"{obj.uai} — {obj.name}"


def initial_mode(establishment: Establishment | None) -> str:
    """« Complet » for a school that has validated no step of a Complet import that wrote
    identifiers (``school_year.writing_steps``) since the school year began (its first import;
    the rentrée's, whose new PRONOTE base changed every identifier), « Partiel » otherwise
    (newcomers during the year)."""
    if (
        establishment is not None
        and not writing_steps(establishment)
        .filter(session__mode=ImportMode.COMPLET, validated_at__gte=school_year_start())
        .exists()
    ):
        return ImportMode.COMPLET
    return ImportMode.PARTIEL


class ImportForm(FirstErrorFocusMixin, forms.Form):
    """« Importer les identifiants PRONOTE » : Établissement, Mode d'import, Fichier."""

    establishment = EstablishmentChoiceField(
        label=_("Établissement"), queryset=Establishment.objects.none(), empty_label=None
    )
    mode = forms.ChoiceField(
        label=_("Mode d'import"),
        choices=ImportMode.choices,
        widget=forms.RadioSelect,
        initial=ImportMode.PARTIEL,
    )
    upload = MultipleFileField(
        label=_("Fichier des identifiants"),
        help_text=_(
            "Fichier exporté par PRONOTE (IdPN_To_….xml, chiffré ou non) ou "
            "extractions CSV (EXP_ELEVES.csv…) : plusieurs fichiers CSV possibles."
        ),
        error_messages={
            "required": _("Choisissez le fichier exporté de PRONOTE."),
            "empty": _(
                "Rien n'a été importé. Le fichier envoyé est vide (0 octet) : une copie ou un "
                "export interrompus ? Refaites l'export des identifiants depuis PRONOTE."
            ),
        },
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _establishments(self).queryset = administered_establishments(user).order_by("uai")
        self.parsed: ParsedFile | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        establishment = data.get("establishment")
        uploads = data.get("upload") or []
        if establishment is None or not uploads:
            return data
        limit = settings.SOCLE_PRONOTE_MAX_FILE_SIZE
        files = []
        for upload in uploads:
            if upload.size > limit:
                raise forms.ValidationError(
                    _(
                        "%(name)s : fichier trop volumineux (%(limit)s octets au plus, "
                        "SOCLE_PRONOTE_MAX_FILE_SIZE). Rien n'a été importé."
                    ),
                    params={"name": upload.name, "limit": limit},
                )
            files.append((upload.name, upload.read()))
        try:
            self.parsed = load_files(files, establishment.uai)
        except PronoteFileError as exc:
            raise forms.ValidationError(
                _("Rien n'a été importé. %(error)s"), params={"error": str(exc)}
            ) from None
        return data


#: What « Parcourir » says when the query holds neither a letter nor a digit (wizard.js too).
NEED_LETTER = _(
    "Saisissez un nom, un prénom, une classe ou une date de naissance : au moins une lettre ou "
    "un chiffre."
)


class BrowseForm(forms.Form):
    """« Parcourir »: the text typed to find an account by hand. Punctuation alone (« - », « % »)
    would match any name: at least one letter or digit is required."""

    q = forms.CharField(required=True, error_messages={"required": NEED_LETTER})

    def clean_q(self) -> str:
        query = cast(str, self.cleaned_data["q"])
        if not has_letter_or_digit(query):
            raise forms.ValidationError(NEED_LETTER, code="no_letter")
        return query

    @property
    def error(self) -> str:
        """The first error, for the JSON answer and the page's message."""
        return str(self.errors["q"][0]) if "q" in self.errors else ""


def allowed_people(user: Any, establishment: Establishment) -> set[int] | None:
    """Accounts an administrator may pick by hand or examine; ``None`` = any (superuser): the
    members of the establishment, and the parents of its active pupils. The parent of a former
    pupil only (deactivated, whose membership the AAF keeps) is no parent of the school, as for
    the matching (``socle.pronote.directory_index``) and the diagnostics
    (``socle.pronote.departed``)."""
    if getattr(user, "is_superuser", False):
        return None
    members = set(
        Membership.objects.filter(establishment=establishment).values_list("person_id", flat=True)
    )
    parents = set(links_to_active_pupils(establishment.pk).values_list("parent_id", flat=True))
    return members | parents


class StepForm(forms.Form):
    """The choices of one step page: ``row-<id>`` (account picked), ``clear-<id>`` (drop an
    automatic match), ``confirm-<id>`` (confirm a conflict), ``confirm-removals`` (« Je
    confirme la suppression » of a large Complet removal)."""

    def __init__(
        self, *args: Any, rows: list[ImportRow], allowed: set[int] | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.allowed = allowed
        for row in rows:
            if row.status == RowStatus.UNRECOGNISED:
                self.fields[f"row-{row.id}"] = forms.IntegerField(required=False, min_value=1)
            else:
                self.fields[f"clear-{row.id}"] = forms.BooleanField(required=False)
            self.fields[f"confirm-{row.id}"] = forms.BooleanField(required=False)
        self.fields["confirm-removals"] = forms.BooleanField(required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        picked = [data.get(f"row-{row.id}") for row in self.rows]
        picked_ids = {pid for pid in picked if pid}
        if picked_ids:
            found = set(
                Person.objects.filter(present(), id__in=picked_ids).values_list("id", flat=True)
            )
            if found != picked_ids or (self.allowed is not None and not picked_ids <= self.allowed):
                raise forms.ValidationError(
                    _("Un compte choisi n'existe pas ou n'appartient pas à cet établissement.")
                )
        return data

    def choices(self) -> dict[int, int | None]:
        result: dict[int, int | None] = {}
        for row in self.rows:
            if row.status == RowStatus.UNRECOGNISED:
                value = self.cleaned_data.get(f"row-{row.id}")
                if value:
                    result[row.id] = value
            elif self.cleaned_data.get(f"clear-{row.id}"):
                result[row.id] = None
        return result

    def confirmed(self) -> set[int]:
        return {row.id for row in self.rows if self.cleaned_data.get(f"confirm-{row.id}")}

    def removals_confirmed(self) -> bool:
        return bool(self.cleaned_data.get("confirm-removals"))


class DoctorForm(FirstErrorFocusMixin, forms.Form):
    establishment = EstablishmentChoiceField(
        label=_("Établissement"), queryset=Establishment.objects.none(), empty_label=None
    )
    login = forms.CharField(
        label=_("Compte à examiner (identifiant de connexion)"), required=False, max_length=64
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _establishments(self).queryset = administered_establishments(user).order_by("uai")


class ExportForm(FirstErrorFocusMixin, forms.Form):
    """Mode avec alimentation: the file PRONOTE imports (RapprochementSSO in ImportChiffre)."""

    establishment = EstablishmentChoiceField(
        label=_("Établissement"), queryset=Establishment.objects.none(), empty_label=None
    )
    partner_id = forms.CharField(
        label=_("Identifiant partenaire (fourni par Index Education)"), max_length=100
    )
    public_key = forms.FileField(label=_("Clé publique d'Index Education (PEM ou SSH2)"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _establishments(self).queryset = administered_establishments(user).order_by("uai")

    def clean_public_key(self) -> Any:
        from socle.pronote.files.crypto import load_public_key

        upload = self.cleaned_data["public_key"]
        if upload.size > 64 * 1024:
            raise forms.ValidationError(_("Fichier de clé trop gros."))
        try:
            return load_public_key(upload.read())
        except PronoteFileError as exc:
            raise forms.ValidationError(str(exc)) from None
