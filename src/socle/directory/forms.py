"""Forms of the account pages: choosing a password at first connection, changing it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from socle.core.admission import QueueFull
from socle.core.forms import FirstErrorFocusMixin
from socle.directory import old_password
from socle.directory.activation import is_the_code
from socle.directory.models import ActivationCode, Person

PASSWORD_RULES = _(
    "12 caractères au moins. Pas de règle de composition : une phrase facile à retenir (quatre "
    "mots au hasard, par exemple) est un excellent mot de passe. Les mots de passe trop courants "
    "sont refusés."
)

# The show/hide button of each field (``_password_toggle.html``), named after its field so that
# a screen reader tells the three buttons of the change page apart.
_TOGGLE_LABELS = {
    "old_password": (_("Afficher le mot de passe"), _("Masquer le mot de passe")),
    "new_password1": (_("Afficher le nouveau mot de passe"), _("Masquer le nouveau mot de passe")),
    "new_password2": (_("Afficher la confirmation"), _("Masquer la confirmation")),
}


class _PasswordInputs:
    """Plain password inputs: no composition rules, the browser may suggest a strong one. The
    rules are the new password's help text (shown under it, tied by ``aria-describedby``)."""

    @staticmethod
    def tune(form: forms.Form) -> None:
        for name in ("new_password1", "new_password2"):
            widget = form.fields[name].widget
            widget.attrs.update({"autocomplete": "new-password", "minlength": "12"})
        form.fields["new_password1"].help_text = PASSWORD_RULES
        for name, (show, hide) in _TOGGLE_LABELS.items():
            if name in form.fields:
                form.fields[name].widget.attrs.update(
                    {"data-password-toggle": "1", "data-show-label": show, "data-hide-label": hide}
                )


class _RulesUnderNewPassword:
    """Django checks the password's rules on the confirmation field: « trop court » appeared under
    « Confirmation du nouveau mot de passe », and not at all when the confirmation was left empty.
    The rules are checked on the new password itself, under the field whose help text states
    them, whatever the confirmation; a mismatch stays under the confirmation."""

    def validate_password_for_user(self, user: Any, password_field_name: str = "") -> None:
        super().validate_password_for_user(user, "new_password1")  # type: ignore[misc]


class ChoosePasswordForm(FirstErrorFocusMixin, _RulesUnderNewPassword, SetPasswordForm):  # type: ignore[type-arg]
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


class ChangePasswordForm(FirstErrorFocusMixin, _RulesUnderNewPassword, PasswordChangeForm):
    """A logged-in person changes their password (current one required, its guesses throttled:
    ``socle.directory.old_password``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _PasswordInputs.tune(self)

    @sensitive_variables("password")
    def clean_old_password(self) -> str:
        password: str = self.cleaned_data["old_password"]
        try:
            valid = old_password.check(self.user, password)
        except QueueFull:
            raise forms.ValidationError(
                _("Le serveur est très sollicité : réessayez dans un instant."), code="busy"
            ) from None
        if valid is None:
            raise forms.ValidationError(
                _(
                    "Trop d'essais erronés du mot de passe actuel : réessayez dans un quart "
                    "d'heure. Si vous ne le connaissez plus, l'administrateur de l'ENT de votre "
                    "établissement peut vous donner un nouveau code d'activation."
                ),
                code="throttled",
            )
        if not valid:
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return password


def code_state(person: Person) -> str:
    """When the person's current activation code was issued ("" without one): what the reset
    page was showing when its form was drawn."""
    created = (
        ActivationCode.objects.filter(person=person).values_list("created_at", flat=True).first()
    )
    return created.isoformat() if created else ""


class ResetPasswordForm(forms.Form):
    """An administrator's reset. The form carries the state of the person's code when the page
    was drawn: a resubmitted POST (reload, back button, double click) finds a newer code and is
    refused, so that it never silently replaces the code the administrator was just shown."""

    state = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, person: Person, *args: Any, **kwargs: Any) -> None:
        self.person = person
        super().__init__(*args, **kwargs)
        self.fields["state"].initial = code_state(person)

    def clean_state(self) -> str:
        state: str = self.cleaned_data.get("state") or ""
        if state != code_state(self.person):
            raise forms.ValidationError(
                _("Un code a déjà été généré depuis l'affichage de cette page."), code="stale"
            )
        return state
