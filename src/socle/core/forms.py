"""What every app's forms share: the focus on the first field in error."""

from __future__ import annotations

from typing import Any


class FirstErrorFocusMixin:
    """A form sent back with errors gives ``autofocus`` to its first field in error (in the
    order of the page), and takes it from any other field: the keyboard and the screen reader
    start where there is something to fix, without JavaScript (RGAA 11.10, WCAG 3.3.1)."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        form: Any = self
        in_error = [name for name in form.fields if name in form.errors]
        if not in_error:
            return
        for name, field in form.fields.items():
            if name == in_error[0] and not field.widget.is_hidden:
                field.widget.attrs["autofocus"] = True
            else:
                field.widget.attrs.pop("autofocus", None)
