from django.apps import AppConfig


class PronoteConfig(AppConfig):
    name = "socle.pronote"
    label = "pronote"
    verbose_name = "Connecteur PRONOTE"
