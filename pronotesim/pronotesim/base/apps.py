from django.apps import AppConfig


class BaseConfig(AppConfig):
    name = "pronotesim.base"
    label = "base"
    verbose_name = "Base PRONOTE"
