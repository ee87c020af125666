from django.apps import AppConfig


class CasConfig(AppConfig):
    name = "socle.cas"
    label = "cas"
    verbose_name = "Serveur CAS"

    def ready(self) -> None:
        from socle.cas import checks, signals  # noqa: F401  (registration side effects)
