from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "socle.directory"
    label = "directory"
    verbose_name = "Annuaire"
