"""System checks of the directory's configuration (ids socle.E020–E039 / socle.W020–W039), and
of its accounts (``socle check --database default``: ``socle.W025``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.hashers import get_hashers
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError
from django.db.models import Count, Q
from django.utils.translation import gettext as _


@register(Tags.security, Tags.models)
def check_directory_settings(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    messages: list[Any] = []
    if settings.AUTH_USER_MODEL != "directory.Person":
        messages.append(
            Error(
                _(
                    "AUTH_USER_MODEL doit rester « directory.Person » : l'annuaire est la base "
                    "des comptes du CAS."
                ),
                id="socle.E020",
            )
        )
    validators = {v.get("NAME", ""): v for v in getattr(settings, "AUTH_PASSWORD_VALIDATORS", [])}
    minimum = validators.get("django.contrib.auth.password_validation.MinimumLengthValidator")
    min_length = (minimum or {}).get("OPTIONS", {}).get("min_length", 8) if minimum else 0
    if min_length < 12:
        messages.append(
            Warning(
                _(
                    "Longueur minimale des mots de passe : %(length)s ; 12 caractères au moins "
                    "sont recommandés (MinimumLengthValidator)."
                )
                % {"length": min_length},
                id="socle.W021",
            )
        )
    if "django.contrib.auth.password_validation.CommonPasswordValidator" not in validators:
        messages.append(
            Warning(
                _(
                    "CommonPasswordValidator absent : les mots de passe trop courants sont "
                    "acceptés."
                ),
                id="socle.W022",
            )
        )
    base = urlsplit(settings.SOCLE_BASE_URL)
    if (
        not settings.DEBUG
        and base.scheme != "https"
        and base.hostname
        not in {
            "127.0.0.1",
            "localhost",
            "testserver",
        }
    ):
        messages.append(
            Warning(
                _(
                    "SOCLE_BASE_URL=%(url)s n'est pas en https : c'est l'adresse imprimée sur "
                    "les fiches de connexion et où les codes d'activation sont saisis."
                )
                % {"url": settings.SOCLE_BASE_URL},
                id="socle.W023",
            )
        )
    terms = getattr(settings, "SOCLE_TERMS_URL", "")
    if terms and urlsplit(terms).scheme not in {"http", "https"}:
        messages.append(
            Error(
                _(
                    "SOCLE_TERMS_URL=%(url)s : adresse http(s) absolue attendue (charte "
                    "d'utilisation affichée à la première connexion)."
                )
                % {"url": terms[:80]},
                id="socle.E024",
            )
        )
    return messages


@register(Tags.database)
def check_imported_hashes(
    app_configs: Any = None, databases: Any = None, **kwargs: Any
) -> list[Any]:
    """``socle.W025``: accounts still on a password hash imported from another system."""
    if not databases:
        return []
    from socle.directory.passwords import on_imported_hash

    others = [str(hasher.algorithm) for hasher in get_hashers()[1:]]  # the first: the preferred
    try:  # counted by the database, per format: the hashes are not read
        counts = on_imported_hash().aggregate(
            total=Count("pk"),
            **{name: Count("pk", filter=Q(password__startswith=f"{name}$")) for name in others},
        )
    except DatabaseError:  # not migrated yet: nothing to check
        return []
    total = counts.pop("total")
    if not total:
        return []
    formats = {name: n for name, n in counts.items() if n}
    return [
        Warning(
            _(
                "%(count)s compte(s) ont encore une empreinte de mot de passe importée d'un autre "
                "système (%(formats)s) : elle seule les protège jusqu'à leur première connexion, "
                "qui la remplace par une empreinte Argon2id."
            )
            % {
                "count": total,
                "formats": ", ".join(f"{name} : {n}" for name, n in sorted(formats.items())),
            },
            hint=_(
                "Listez-les dans l'administration Django (Personnes, filtre « Par mot de "
                "passe » : « empreinte importée (pas encore Argon2id) ») ; une empreinte rapide "
                "(ldap_sha, ldap_ssha…) protège peu si la base fuit : réinitialisez le mot de "
                "passe de ceux qui ne se connectent pas et donnez-leur une fiche de connexion "
                "(docs/directory.md)."
            ),
            id="socle.W025",
        )
    ]
