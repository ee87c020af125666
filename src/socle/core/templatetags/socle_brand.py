"""``{% ent_name %}``: the ENT's name in a template (``socle.core.branding``);
``{% socle_version %}``: Socle's version (the Django admin's footer, ``admin/base_site.html``).

A tag rather than a context processor: Django renders its bare 400 and 500 pages without the
request's context, and they name the ENT too. ``base.html`` sets ``ent_name`` once for the page
and its blocks (``{% ent_name as ent_name %}``)."""

from __future__ import annotations

from django import template

import socle
from socle.core.branding import ent_name as configured_ent_name

register = template.Library()


@register.simple_tag(name="ent_name")
def ent_name() -> str:
    return configured_ent_name()


@register.simple_tag(name="socle_version")
def socle_version() -> str:
    return socle.version()
