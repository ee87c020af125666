"""A form sent back with errors gives the focus to its first field in error."""

from __future__ import annotations

import lxml.html
from django import forms

from socle.core.forms import FirstErrorFocusMixin


class _Form(FirstErrorFocusMixin, forms.Form):
    name = forms.CharField(widget=forms.TextInput(attrs={"autofocus": True}))
    town = forms.CharField(required=False)
    age = forms.IntegerField()
    year = forms.IntegerField()


def _focused(form: forms.Form) -> list[str]:
    return lxml.html.fromstring(f"<div>{form.as_div()}</div>").xpath("//*[@autofocus]/@name")


def test_it_gives_the_focus_to_the_first_field_in_error_only() -> None:
    form = _Form({"name": "Camille", "age": "douze", "year": "deux mille"})
    assert not form.is_valid()
    assert _focused(form) == ["age"]


def test_it_leaves_the_focus_as_it_was_without_errors() -> None:
    assert _focused(_Form()) == ["name"]
    valid = _Form({"name": "Camille", "age": "12", "year": "2014"})
    assert valid.is_valid()
    assert _focused(valid) == ["name"]
