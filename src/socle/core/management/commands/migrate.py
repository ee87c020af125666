"""``socle migrate``: Django's command, whose system checks no longer let the database's own
checks stop it.

Django's ``migrate`` runs every check with the database first, so a registered service failing
``socle.E040`` or ``socle.E064`` (checks that read the services registry) stopped ``migrate``
and ``migrate --check`` with exit status 1: an upgrade whose release brings a stricter rule
could not migrate, and nodes started with ``--no-prepare`` then refused to serve, for a service
``service_add`` or the form repairs in a minute once Socle runs. Those checks are now printed
(on standard error, as Django prints warnings) and the migration goes on; ``migrate --check``
answers about the migrations alone. Any error the configuration's checks find without reading
the database (``socle.E081`` secret key, …) still stops it, as before. Found before Django's
command because ``socle.core`` comes before Django's apps in ``INSTALLED_APPS``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core import checks
from django.core.management.commands import migrate


class Command(migrate.Command):
    def check(
        self,
        app_configs: Sequence[Any] | None = None,
        tags: Sequence[str] | None = None,
        display_num_errors: bool = False,
        include_deployment_checks: bool = False,
        fail_level: int = checks.ERROR,
        databases: Sequence[str] | None = None,
    ) -> None:
        if databases and not _serious(
            checks.run_checks(
                app_configs=app_configs,
                tags=tags,
                include_deployment_checks=include_deployment_checks,
            ),
            fail_level,
        ):
            fail_level = checks.CRITICAL + 1  # only the database's checks could stop it: told
        super().check(
            app_configs=app_configs,
            tags=tags,
            display_num_errors=display_num_errors,
            include_deployment_checks=include_deployment_checks,
            fail_level=fail_level,
            databases=databases,
        )


def _serious(issues: list[checks.CheckMessage], fail_level: int) -> bool:
    return any(issue.is_serious(fail_level) and not issue.is_silenced() for issue in issues)
