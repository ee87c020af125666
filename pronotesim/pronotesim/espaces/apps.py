from django.apps import AppConfig


class EspacesConfig(AppConfig):
    name = "pronotesim.espaces"
    label = "espaces"
    verbose_name = "Espaces PRONOTE.net"
