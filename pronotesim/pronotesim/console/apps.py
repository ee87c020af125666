from django.apps import AppConfig


class ConsoleConfig(AppConfig):
    name = "pronotesim.console"
    label = "console"
    verbose_name = "Administration de PRONOTE.net"
