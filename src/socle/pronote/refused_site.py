"""Connections the CAS refused at the site of a PRONOTE service (« Diagnostic PRONOTE »).

When a service's URL and pattern agree with each other but not with PRONOTE — both
``…/pronote/`` while PRONOTE.net sends ``…/PRONOTE/eleve.html`` — nothing in the service shows
it: the CAS refuses every connection (« service non autorisé ») and « Traces » keep the scheme
and host of each refused address (``socle.cas.detail_forms.refused_origin``), never its path. The
diagnostic counts them at the service's site and says where the address PRONOTE sends can be
read (docs/pronote.md, « The root's case »).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from socle.cas.detail_forms import refused_detail, refused_origin
from socle.portal.trace_models import Trace

REFUSED_SINCE_DAYS = 30


def refused_at_site(url: str) -> tuple[int, dt.datetime | None]:
    """How many connections the CAS refused (« service non autorisé ») at the site of ``url``
    in the last :data:`REFUSED_SINCE_DAYS` days, and the last one's time. « Traces » keep only
    the scheme and host of a refused address (``cas.detail_forms.refused_origin``), never its
    path: a count, not the address."""
    if refused_origin(url) in (None, "?"):
        return 0, None
    found = Trace.objects.filter(
        event="ticket_refused",
        at__gte=timezone.now() - dt.timedelta(days=REFUSED_SINCE_DAYS),
        detail__iexact=refused_detail(url),
    ).aggregate(count=Count("pk"), last=Max("at"))
    return (found["count"], found["last"]) if found["last"] else (0, None)


def refused_at_site_message(url: str, count: int, last: dt.datetime | None) -> str:
    """Connections refused at a PRONOTE service's site: an address of it no pattern accepts —
    typically the root in the other case, which only the refused address itself shows."""
    when = f"{timezone.localtime(last):%d/%m/%Y %H:%M}" if last is not None else ""
    return ngettext(
        "%(count)s connexion à %(site)s refusée par le CAS (« service non autorisé ») ces "
        "%(days)s derniers jours, la dernière le %(when)s",
        "%(count)s connexions à %(site)s refusées par le CAS (« service non autorisé ») ces "
        "%(days)s derniers jours, la dernière le %(when)s",
        count,
    ) % {
        "count": count,
        "site": urlsplit(url).netloc,
        "days": REFUSED_SINCE_DAYS,
        "when": when,
    } + _(
        " : une adresse de ce site qu'aucun motif n'accepte, par exemple la racine de "
        "PRONOTE.net écrite avec une autre casse (« /PRONOTE/ » n'est pas « /pronote/ »). "
        "L'« Adresse demandée » de la page « Service non autorisé » montre l'adresse que "
        "PRONOTE envoie : écrivez l'URL et le motif du service exactement ainsi."
    )
