from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "socle.portal"
    label = "portal"
    verbose_name = "Portail"

    def ready(self) -> None:
        from django.core.checks import Tags, register

        from socle.portal import (
            access_cache,
            account_links,
            account_traces,
            detail_forms,
            personal_data,
        )
        from socle.portal.checks import (
            check_access_rules,
            check_hosted_uais,
            check_service_patterns,
        )
        from socle.portal.purge_check import check_purge_runs
        from socle.portal.statement import check_accessibility_statement, check_privacy_notice

        access_cache.connect()
        account_traces.connect()
        account_links.register()
        personal_data.register()
        detail_forms.register()

        register(check_service_patterns, Tags.database)
        register(check_accessibility_statement, "socle")
        register(check_privacy_notice, "socle")
        register(check_hosted_uais, Tags.database)
        register(check_access_rules, Tags.database)
        register(check_purge_runs, Tags.database)
