"""Forms of the account pages: choosing a password at first connection, changing it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from socle.directory.activation import is_the_code
from socle.directory.models import ActivationCode


class _PasswordInputs:
    """Plain password inputs: no composition rules, the browser may suggest a strong one."""

    @staticmethod
    def tune(form: forms.Form) -> None:
        for name in ("new_password1", "new_password2"):
            widget = form.fields[name].widget
            widget.attrs.update(
                {"autocomplete": "new-password", "minlength": "12", "data-password-toggle": "1"}
            )
        if "old_password" in form.fields:
            form.fields["old_password"].widget.attrs["data-password-toggle"] = "1"


class ChoosePasswordForm(SetPasswordForm):  # type: ignore[type-arg]
    """First connection: a password of 12+ characters, not a common one, not the code itself,
    and the acceptance of the terms of use."""

    accept_terms = forms.BooleanField(
        label=_("J'accepte la charte d'utilisation"),
        required=True,
        error_messages={"required": _("Vous devez accepter la charte d'utilisation.")},
    )

    def __init__(self, code: ActivationCode, *args: Any, **kwargs: Any) -> None:
        self.code = code
        super().__init__(code.person, *args, **kwargs)
        _PasswordInputs.tune(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password = cleaned.get("new_password1")
        if password and is_the_code(self.code, password):
            self.add_error(
                "new_password1",
                _("Choisissez un mot de passe différent du code d'activation."),
            )
        return cleaned


class ChangePasswordForm(PasswordChangeForm):
    """A logged-in person changes their password (current one required)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _PasswordInputs.tune(self)
