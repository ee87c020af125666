from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "socle.core"
    label = "core"
    verbose_name = "Exploitation"

    def ready(self) -> None:
        from socle.core import checks  # noqa: F401 - registers the socle.E08x checks
