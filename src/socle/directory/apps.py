from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "socle.directory"
    label = "directory"
    verbose_name = "Annuaire"

    def ready(self) -> None:
        from socle.directory import (
            checks,  # noqa: F401  (registers the system checks)
            last_login,
            personal_data,
        )

        last_login.install()
        personal_data.register()
