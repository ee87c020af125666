"""The fields of the service form (« Nouveau service » / « Modifier un service ») as the page
shows them: the model's, the form's own (URL, CAS patterns, attributes, icon), their labels, help
texts and widgets. Their rules are in :mod:`socle.portal.forms.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from socle.portal.forms.base import AccessibleFormMixin
from socle.portal.models import Service


class ServiceFields(AccessibleFormMixin, forms.ModelForm):
    """The fields of « Nouveau service » / « Modifier un service », with their labels, help
    texts and widgets: what the page shows (:class:`socle.portal.forms.services.ServiceForm`
    sets them up for its user, validates and saves)."""

    url = forms.CharField(
        label=gettext_lazy("URL"),
        max_length=500,
        help_text=gettext_lazy("Pour PRONOTE : l'« URL publique » de PRONOTE.net."),
        widget=forms.URLInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    patterns_text = forms.CharField(
        label=gettext_lazy("Motifs d'URL CAS autorisés"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Un motif par ligne : les adresses auxquelles le CAS accepte d'envoyer un ticket. "
            "« ** » remplace n'importe quelle suite de caractères, « * » une suite sans « / » ; "
            "une ligne commençant par « ^ » est une expression régulière. Pour PRONOTE, laissez "
            "vide : l'« URL CAS de PRONOTE.net » (URL publique suivie de **) est utilisée."
        ),
    )
    attributes_text = forms.CharField(
        label=gettext_lazy("Attributs transmis"),
        required=False,
        help_text=gettext_lazy("Noms séparés par des virgules, par exemple : mail, nom, prenom."),
    )
    icon_file = forms.FileField(
        label=gettext_lazy("Icône"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/svg+xml"}),
    )
    remove_icon = forms.BooleanField(
        label=gettext_lazy("Supprimer l'icône actuelle"), required=False
    )

    class Meta:
        model = Service
        fields = [
            "code",
            "label",
            "sso_type",
            "url",
            "establishment",
            "order",
            "category",
            "description",
            "in_services_bar",
            "anonymous",
            "internal",
            "enabled",
            "username_mode",
            "access_mode",
            "pronote_recognition",
            "pronote_id_attribute",
        ]
        labels = {
            "code": gettext_lazy("Code"),
            "label": gettext_lazy("Intitulé"),
            "sso_type": gettext_lazy("Type de SSO"),
            "order": gettext_lazy("Ordre"),
            "category": gettext_lazy("Catégorie"),
            "description": gettext_lazy("Description"),
            "in_services_bar": gettext_lazy("Service affiché dans la barre des services"),
            "anonymous": gettext_lazy("Service anonyme"),
            "internal": gettext_lazy("Service interne"),
            "enabled": gettext_lazy("Service actif"),
            "establishment": gettext_lazy("Établissement"),
            "access_mode": gettext_lazy("Accès par défaut"),
            "username_mode": gettext_lazy("Identifiant CAS transmis"),
            "pronote_recognition": gettext_lazy(
                "Reconnaissance de l'utilisateur dans PRONOTE à la première connexion"
            ),
            "pronote_id_attribute": gettext_lazy("Attribut CAS contenant l'identifiant PRONOTE"),
        }
        help_texts = {
            "code": gettext_lazy(
                "Lettres sans accent, chiffres, « - » et « _ », par exemple PRONOTECAS."
            ),
            "order": gettext_lazy("Les services sont présentés du plus petit au plus grand."),
            "category": gettext_lazy(
                "Regroupe les services sur « Mon espace » et dans les indicateurs, par exemple "
                "« Les services de vie scolaire »."
            ),
            "anonymous": gettext_lazy("Visible de tous, même sans connexion, mais sans SSO."),
            "internal": gettext_lazy("Service fourni par l'ENT lui-même."),
            "establishment": gettext_lazy("Vide : service de tout l'ENT."),
            "access_mode": gettext_lazy(
                "« Ouvert à tous les profils » : toute personne de l'établissement du service (de "
                "tout l'ENT s'il n'en a pas). « Uniquement les accès définis » : personne tant "
                "qu'un accès n'est pas donné (onglet « Accès population »)."
            ),
        }
        widgets = {
            "access_mode": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "code": {
                "invalid": gettext_lazy(
                    "Le code ne peut contenir que des lettres sans accent, des chiffres, "
                    "« - » et « _ »."
                )
            },
        }
