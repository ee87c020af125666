from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "socle.core"
    label = "core"
    verbose_name = "Exploitation"
