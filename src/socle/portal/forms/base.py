"""Accessibility helpers shared by the portal forms."""

from __future__ import annotations

from typing import Any

from socle.core.forms import FirstErrorFocusMixin


class AccessibleFormMixin(FirstErrorFocusMixin):
    """After validation, ties each field's error message to its input (``aria-describedby``),
    so a screen reader reads the message with the field (``templates/portal/_field.html`` gives
    the message the id ``<field id>_error``), and puts the focus on the first field in error."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        form: Any = self
        for name in form.errors:
            if name not in form.fields:
                continue
            bound = form[name]
            widget = form.fields[name].widget
            described = widget.attrs.get("aria-describedby", "")
            if not described and form.fields[name].help_text:
                described = f"{bound.auto_id}_helptext"  # what Django would have set
            error_id = f"{bound.auto_id}_error"
            if error_id not in described.split():
                widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()


def describe_warning(form: Any, name: str) -> None:
    """Ties the field's warning (``field_warning`` in ``templates/portal/_field.html``, id
    ``<field id>_warning``) to its input, with its help text, so a screen reader reads both."""
    bound, field = form[name], form.fields[name]
    described = field.widget.attrs.get("aria-describedby", "")
    if not described and field.help_text:
        described = f"{bound.auto_id}_helptext"  # what Django would have set
    warning_id = f"{bound.auto_id}_warning"
    if warning_id not in described.split():
        field.widget.attrs["aria-describedby"] = f"{warning_id} {described}".strip()
