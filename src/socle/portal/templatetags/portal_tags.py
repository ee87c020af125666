"""Template tags of the site layout (``socle/base.html``)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from socle.portal.menu import MenuItem, admin_menu, optional_url
from socle.portal.statement import Statement, footer_statement
from socle.portal.statement import privacy_notice as footer_privacy_notice

register = template.Library()


@register.simple_tag(takes_context=True)
def portal_admin_menu(context: dict[str, Any]) -> list[MenuItem]:
    """The administration menu of the logged-in person (empty for everyone else)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return []
    return admin_menu(user)


@register.simple_tag(takes_context=True)
def nav_active(context: dict[str, Any], url: str, exact: bool = False) -> SafeString:
    """``aria-current="page"`` for the menu entry of the current page."""
    request = context.get("request")
    path = getattr(request, "path", "")
    if url and (path == url or (not exact and url != "/" and path.startswith(url))):
        # A longer entry that also matches (".../pronote/diagnostic/" under ".../pronote/") wins.
        user = getattr(request, "user", None)
        longer = (
            path != url
            and user is not None
            and any(
                item.url != url and item.url.startswith(url) and path.startswith(item.url)
                for item in admin_menu(user)
            )
        )
        if not longer:
            return mark_safe('aria-current="page"')
    return mark_safe("")


@register.filter
def widget_kind(bound_field: Any) -> str:
    """How ``portal/_field.html`` lays a field out: checkbox, choices, file or text."""
    widget = bound_field.field.widget
    name = type(widget).__name__
    if name in ("CheckboxSelectMultiple", "RadioSelect"):
        return "choices"
    if name == "CheckboxInput":
        return "checkbox"
    if getattr(widget, "input_type", "") == "file":
        return "file"
    if name == "HiddenInput":
        return "hidden"
    return "text"


@register.simple_tag
def portal_login_url() -> str:
    from socle.portal.views.home import login_url

    return login_url()


@register.filter
def icon_hue(code: str) -> str:
    """A stable colour class for a service's letter icon (``hue-0`` … ``hue-5``)."""
    return f"hue-{sum(map(ord, code or '')) % 6}"


@register.filter
def profile_name(code: str) -> str:
    from socle.portal.populations import profile_label

    return profile_label(code) if code else "—"


@register.simple_tag
def accessibility_statement() -> Statement | None:
    """The footer's « Accessibilité : … conforme » link (``None`` when no address is set)."""
    return footer_statement()


@register.simple_tag
def privacy_notice() -> Statement | None:
    """The footer's « Données personnelles » link (``None`` when no address is set)."""
    return footer_privacy_notice()


@register.simple_tag(takes_context=True)
def my_data_url(context: Any) -> str:
    """The footer's « Mes données » link, for a person logged in ("" for a visitor; the
    header has already read who is logged in)."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return ""
    return optional_url("portal:my_data")


@register.simple_tag
def french_part() -> SafeString:
    """`` lang="fr"`` on an element holding French whatever the page's language (WCAG 3.1.2):
    what the ENT's administrators write (services' descriptions, categories) and the journal's
    details, stored in French. Nothing on a French page."""
    if (get_language() or "fr").startswith("fr"):
        return mark_safe("")
    return mark_safe(' lang="fr"')


@register.simple_tag
def url_if_exists(name: str) -> str:
    """``{% url_if_exists "directory:change_password" as url %}``: "" when not published."""
    return optional_url(name)


@register.filter
def percent(value: Any) -> str:
    """« 66 % » in French, "66%" in English: the sign, its spacing and the decimal separator
    belong to the language."""
    return gettext("%(value)s %%") % {"value": number_format(value)}
