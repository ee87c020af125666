from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "socle.demo"
    label = "demo"
    verbose_name = "Démonstration et écoles synthétiques"
