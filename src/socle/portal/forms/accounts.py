"""The « Comptes » page's filters and the block form."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from socle.directory.blocking import REASON_LENGTH
from socle.directory.profiles import Profile
from socle.portal.forms.base import AccessibleFormMixin


class AccountFilterForm(AccessibleFormMixin, forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Nom ou identifiant"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    etab = forms.ChoiceField(label=gettext_lazy("Établissement"), required=False)
    profile = forms.ChoiceField(label=gettext_lazy("Profil"), required=False)
    classe = forms.CharField(label=gettext_lazy("Classe"), required=False, max_length=50)

    def __init__(self, *args: Any, establishments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        etab = self.fields["etab"]
        profile = self.fields["profile"]
        assert isinstance(etab, forms.ChoiceField) and isinstance(profile, forms.ChoiceField)
        etab.choices = [("", _("Tous")), *establishments]
        profile.choices = [("", _("Tous")), *Profile.choices]


class BlockForm(AccessibleFormMixin, forms.Form):
    until = forms.DateField(
        label=gettext_lazy("Bloqué jusqu'au (inclus)"),
        required=False,
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy(
            "Laissé vide, le compte reste bloqué jusqu'à ce qu'un administrateur le débloque."
        ),
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif"),
        required=False,
        max_length=REASON_LENGTH,
        help_text=gettext_lazy(
            "Visible des administrateurs dans « Comptes » et « Traces », et de la personne "
            "dans « Mes données » (droit d'accès) : écrivez un fait, sans jugement."
        ),
    )

    def clean_until(self) -> dt.date | None:
        until: dt.date | None = self.cleaned_data.get("until")
        if until is not None and until < timezone.localdate():
            raise forms.ValidationError(
                _("Cette date est passée : choisissez aujourd'hui ou un jour à venir.")
            )
        return until
