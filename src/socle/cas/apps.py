from django.apps import AppConfig


class CasConfig(AppConfig):
    name = "socle.cas"
    label = "cas"
    verbose_name = "Serveur CAS"

    def ready(self) -> None:
        from django.contrib import admin

        from socle.cas import checks, detail_forms, personal_data, signals  # noqa: F401  (registration side effects)
        from socle.cas.views.admin_login import admin_login, admin_logout

        personal_data.register()
        detail_forms.register()
        admin.site.login = admin_login  # type: ignore[method-assign]  # one login: the CAS's
        admin.site.logout = admin_logout  # type: ignore[method-assign,assignment]  # one logout
