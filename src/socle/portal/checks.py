"""System checks of the services catalogue (ids socle.E040–E059).

They read the database, so Django runs them only when asked: ``socle check --database default``
(deployment scripts should). A service registered from the command line or the Django admin
bypasses the portal's form; these checks catch what the form would have refused.
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, Warning
from django.db import DatabaseError
from django.utils.translation import gettext as _

from socle.portal.espaces import espace_url
from socle.portal.patterns import pattern_problem


def check_service_patterns(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    if not databases:
        return []
    from socle.portal.models import Service, SSOType

    messages: list[CheckMessage] = []
    try:
        services = list(
            Service.objects.filter(enabled=True)
            .exclude(sso_type=SSOType.NONE)
            .prefetch_related("patterns")
        )
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    for service in services:
        patterns = list(service.patterns.all())
        if not patterns:
            messages.append(
                Warning(
                    _(
                        "Le service « %(code)s » n'a aucun motif d'URL : le CAS refusera toute "
                        "connexion."
                    )
                    % {"code": service.code},
                    hint=_(
                        "Ajoutez un motif (Gestion portail > Services) ou désactivez le service."
                    ),
                    id="socle.W041",
                )
            )
            continue
        own = [service.url] if service.url else []
        if service.url and service.sso_type == SSOType.PRONOTE:
            own = [espace_url(service.url, "eleve"), service.url]
        for pattern in patterns:
            problem = pattern_problem(pattern.kind, pattern.value, own)
            if problem is None:
                continue
            messages.append(
                (Error if problem.wide else Warning)(
                    _("Service « %(code)s », motif %(pattern)s : %(problem)s")
                    % {"code": service.code, "pattern": pattern.value, "problem": problem.message},
                    hint=_("Corrigez le motif dans Gestion portail > Services."),
                    id="socle.E040" if problem.wide else "socle.W042",
                )
            )
    return messages
