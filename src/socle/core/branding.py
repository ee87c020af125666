"""The ENT's name (``SOCLE_ENT_NAME``), shown to users wherever the product is named.

Operators run Socle under their own name (« Mon ENT Occitanie »): the header, the pages'
titles, the footer, the error pages and the activation letters say that name, « Socle » only
when it is not set. « Socle » stays where the software is meant (commands, documentation).
"""

from __future__ import annotations

from django.conf import settings
from django.utils.functional import lazy
from django.utils.translation import gettext

DEFAULT_ENT_NAME = "Socle"


def ent_name() -> str:
    """The configured name, or « Socle »; never raises (the 500 page shows it)."""
    try:
        name = str(getattr(settings, "SOCLE_ENT_NAME", "") or "").strip()
    except Exception:  # noqa: BLE001 - settings unreadable: the error page must still render
        name = ""
    return name or DEFAULT_ENT_NAME


def admin_header() -> str:
    """The Django admin's header and title: the ENT's name, not « Administration de Django »."""
    return gettext("%(ent_name)s — administration technique") % {"ent_name": ent_name()}


lazy_admin_header = lazy(admin_header, str)
