from typing import Any

from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


def create_cache_table(using: str = "default", **kwargs: Any) -> None:
    """``socle migrate`` also creates the database cache table (``socle_cache``, used when
    ``SOCLE_REDIS_URL`` is not set), so that nodes started with ``socle serve --no-prepare``
    after a deployment job migrated find it. ``createcachetable`` does nothing when the table
    exists or when the cache is Redis."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "socle.core"
    label = "core"
    verbose_name = "Exploitation"

    def ready(self) -> None:
        from django.contrib import admin

        from socle.core import checks, secret_checks  # noqa: F401 - registers the socle.E08x checks
        from socle.core.branding import lazy_admin_header
        from socle.core.personal_data import register_django_purges

        register_django_purges()
        admin.site.site_header = admin.site.site_title = lazy_admin_header()

        # post_migrate is sent once per app that has models (this one has none): once per
        # migrate, after the directory's tables.
        post_migrate.connect(
            create_cache_table,
            sender=apps.get_app_config("directory"),
            dispatch_uid="socle-create-cache-table",
        )
