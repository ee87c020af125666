"""Filters of the « Traces » and « Indicateurs » pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unidecode import unidecode

from socle.portal.forms.base import AccessibleFormMixin
from socle.portal.traces import EVENT_LABELS

MAX_RANGE_DAYS = 366


def _choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


class DateRangeMixin:
    def clean(self) -> dict[str, Any]:
        super().clean()  # type: ignore[misc]
        data: dict[str, Any] = self.cleaned_data  # type: ignore[attr-defined]
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("La date de fin doit suivre la date de début."))  # type: ignore[attr-defined]
        return data


class TraceFilterForm(DateRangeMixin, AccessibleFormMixin, forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    event = forms.ChoiceField(label=gettext_lazy("Évènement"), required=False)
    service = forms.CharField(label=gettext_lazy("Service (code)"), required=False, max_length=50)
    uai = forms.ChoiceField(label=gettext_lazy("Établissement"), required=False)
    person = forms.CharField(
        label=gettext_lazy("Personne"),
        required=False,
        max_length=64,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("identifiant ou nom")}),
    )
    # Set by « Comptes »' « Traces » link: « Personne » is then that login exactly
    # (``camille.martin`` does not find ``camille.martin2``).
    exact = forms.BooleanField(label=gettext_lazy("Identifiant exact"), required=False)

    def __init__(
        self, *args: Any, establishments: list[tuple[str, str]], events: list[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        known = dict(EVENT_LABELS)
        choices = [("", _("Tous"))]
        labels = {event: str(known.get(event, event)) for event in set(events) | set(known)}
        # In the reader's alphabetical order: « Échec de connexion » among the E, « Ticket
        # émis » before « Ticket refusé » (a plain sort puts accented capitals last).
        for event in sorted(labels, key=lambda e: (unidecode(labels[e]).casefold(), labels[e])):
            choices.append((event, labels[event]))
        _choice_field(self, "event").choices = choices
        _choice_field(self, "uai").choices = [("", _("Tous")), *establishments]


class IndicatorFilterForm(DateRangeMixin, AccessibleFormMixin, forms.Form):
    start = forms.DateField(
        label=gettext_lazy("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=gettext_lazy("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    uai = forms.ChoiceField(label=gettext_lazy("Établissement"), required=False)

    def __init__(self, *args: Any, establishments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice_field(self, "uai").choices = [("", _("Tous")), *establishments]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or end - dt.timedelta(days=29)
        if (end - start).days >= MAX_RANGE_DAYS:
            self.add_error(
                "start", _("La période est limitée à %(n)s jours.") % {"n": MAX_RANGE_DAYS}
            )
        data["start"], data["end"] = start, end
        return data
