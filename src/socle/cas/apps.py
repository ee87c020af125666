from django.apps import AppConfig


class CasConfig(AppConfig):
    name = "socle.cas"
    label = "cas"
    verbose_name = "Serveur CAS"
