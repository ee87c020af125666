"""System checks of the services catalogue and its access rules (ids socle.E040–E059).

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
from socle.portal.patterns import pattern_problem, wildcard_url_problem


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
        messages += _address_problems(service, patterns)
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


def _address_problems(service: Any, patterns: list[Any]) -> list[CheckMessage]:
    """``socle.W047``: a URL holding « * » (a pattern pasted as the address); ``socle.W046``: a
    PRONOTE service none of whose patterns accepts an espace (the « ** » left out). The form
    and ``service_add`` refuse both; these catch services saved before they did, or from the
    Django admin's pattern rows alone."""
    from socle.portal.foreign_patterns import pronote_espaces_refused
    from socle.portal.models import SSOType

    if not service.url:
        return []
    problem, check_id = wildcard_url_problem(service.url), "socle.W047"
    if problem is None and service.sso_type == SSOType.PRONOTE:
        problem = pronote_espaces_refused(service.url, [(p.kind, p.value) for p in patterns])
        check_id = "socle.W046"
    if problem is None:
        return []
    return [
        Warning(
            _("Service « %(code)s » : %(problem)s") % {"code": service.code, "problem": problem},
            hint=_("Corrigez le service dans Gestion portail > Services."),
            id=check_id,
        )
    ]


def check_hosted_uais(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """``socle.W045``: a service of an establishment whose URL or patterns name the hosted
    PRONOTE.net address of another UAI (``socle.portal.hosted_pronote``): a typo, a base shared
    by two schools, or one declared before the form refused another school's address."""
    if not databases:
        return []
    from socle.portal.hosted_pronote import service_uai_warning
    from socle.portal.models import Service

    messages: list[CheckMessage] = []
    try:
        services = list(
            Service.objects.filter(establishment__isnull=False)
            .select_related("establishment")
            .prefetch_related("patterns")
        )
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    for service in services:
        assert service.establishment is not None
        patterns = [(p.kind, p.value) for p in service.patterns.all()]
        warning = service_uai_warning(
            service.code, service.establishment.uai, service.url, patterns
        )
        if warning:
            messages.append(
                Warning(
                    warning,
                    hint=_(
                        "Corrigez l'URL ou les motifs dans Gestion portail > Services, ou "
                        "rattachez le service à l'établissement que l'adresse désigne."
                    ),
                    id="socle.W045",
                )
            )
    return messages


def check_access_rules(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[CheckMessage]:
    """``socle.W051``: an « Accès population » rule that admits nobody and which the forms
    would refuse — a narrowing list that is no list of names (typed as JSON in the Django
    admin), or levels beside a staff profile, a staff narrowing or classes
    (``socle.portal.models.levels_problem``), stored by a script or before the forms refused it.
    ``socle.portal.access`` lets such a rule admit nobody rather than more people."""
    if not databases:
        return []
    from django.core.exceptions import ValidationError

    from socle.portal.models import AccessRule, levels_beside_classes, levels_problem

    try:
        rules = list(AccessRule.objects.select_related("service").prefetch_related("groups"))
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    messages: list[CheckMessage] = []
    for rule in rules:
        try:
            rule.clean()
            problem = None
        except ValidationError as error:
            problem = " ; ".join(
                f"{AccessRule._meta.get_field(name).verbose_name} : {message}"  # type: ignore[union-attr]
                for name, said in error.message_dict.items()
                for message in said
            )
        if problem is None:
            class_names = (g.class_name for g in rule.groups.all())
            classes = levels_beside_classes(rule.levels, rule.target, class_names)
            problem = levels_problem(classes=classes)
        if problem:
            messages.append(
                Warning(
                    _("Service « %(code)s », droit d'accès n° %(id)s : %(problem)s")
                    % {"code": rule.service.code, "id": rule.pk, "problem": problem},
                    hint=_(
                        "Ce droit n'admet personne : corrigez-le ou supprimez-le (Gestion "
                        "portail > Services > Accès population, ou l'admin Django)."
                    ),
                    id="socle.W051",
                )
            )
    return messages
