from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from socle.cas.authentication import MAX_LOGIN_LENGTH, MAX_PASSWORD_LENGTH


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Identifiant"),
        max_length=MAX_LOGIN_LENGTH,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "username",
                "autofocus": True,
                "autocapitalize": "none",
                "spellcheck": "false",
            }
        ),
        error_messages={
            "required": _("Saisissez votre identifiant."),
            "max_length": _("Identifiant trop long."),
        },
    )
    password = forms.CharField(
        label=_("Mot de passe"),
        max_length=MAX_PASSWORD_LENGTH,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={
            "required": _("Saisissez votre mot de passe."),
            "max_length": _("Mot de passe trop long."),
        },
    )
    service = forms.CharField(required=False, max_length=2048, widget=forms.HiddenInput)
    renew = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=500, widget=forms.HiddenInput)
    method = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
    warn = forms.CharField(required=False, max_length=10, widget=forms.HiddenInput)
