from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "socle.directory"
    label = "directory"
    verbose_name = "Annuaire"

    def ready(self) -> None:
        from socle.directory import (
            checks,  # noqa: F401  (registers the system checks)
            last_login,
            leavers,
            personal_data,
        )
        from socle.directory.signals import person_deactivated

        last_login.install()
        personal_data.register()
        person_deactivated.connect(
            leavers.record_deactivation, dispatch_uid="directory-date-deactivation"
        )
