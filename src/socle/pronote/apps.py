from django.apps import AppConfig


class PronoteConfig(AppConfig):
    name = "socle.pronote"
    label = "pronote"
    verbose_name = "Connecteur PRONOTE"

    def ready(self) -> None:
        from socle.cas.attributes import register_provider
        from socle.portal.launch import register_launcher_note
        from socle.portal.release import register_release_names
        from socle.portal.traces import register_event_labels
        from socle.pronote import checks, personal_data  # noqa: F401  (registers the checks)
        from socle.pronote.attributes import mandatory_names, pronote_attributes
        from socle.pronote.journal import EVENTS, register_details
        from socle.pronote.launcher_note import missing_identifier_note

        register_provider(
            pronote_attributes, mandatory_names=mandatory_names, known_names=mandatory_names
        )
        register_event_labels(EVENTS)
        register_details()
        register_launcher_note(missing_identifier_note)
        register_release_names(mandatory_names)
        personal_data.register()
