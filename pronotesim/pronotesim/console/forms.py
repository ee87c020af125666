"""Forms of the administration: « Intégration dans un ENT », export definition, imports."""

from __future__ import annotations

from typing import Any

from django import forms

from pronotesim.console import ent_list
from pronotesim.console.links import is_http_url
from pronotesim.console.models import (
    COMMON_ID_ATTRIBUTE,
    COMMON_ID_CHOICES,
    RECOGNITION_CHOICES,
    RECOGNITION_PRONOTE,
    ServerSettings,
)
from pronotesim.files.crypto import CryptoError, load_public_key

PROJECT_CHOICES = (
    [("", "—")]
    + [(name, name) for name, _ in ent_list.ENT_PROJECTS]
    + [(ent_list.OTHER, ent_list.OTHER)]
)


class EntSettingsForm(forms.Form):
    cas_enabled = forms.BooleanField(label="Activer l'authentification avec CAS", required=False)
    ent_project = forms.ChoiceField(label="Mon ENT", choices=PROJECT_CHOICES, required=False)
    other_cas_url = forms.CharField(
        label="URL du serveur CAS (Autre)", max_length=500, required=False
    )
    public_url = forms.CharField(
        label="Adresse publique de PRONOTE.net", max_length=500, required=False
    )
    direct_login_allowed = forms.BooleanField(
        label="Autoriser l'authentification directe par PRONOTE.net "
        "(sans interroger le serveur CAS)",
        required=False,
    )
    common_id_source = forms.ChoiceField(
        label="Définition de l'identifiant commun à CAS et PRONOTE",
        choices=COMMON_ID_CHOICES,
        widget=forms.RadioSelect,
    )
    common_id_attribute = forms.CharField(label="Attribut CAS", max_length=100, required=False)
    recognition = forms.ChoiceField(
        label="Reconnaissance de l'utilisateur dans PRONOTE à la première connexion",
        choices=RECOGNITION_CHOICES,
        widget=forms.RadioSelect,
    )
    id_attribute = forms.CharField(
        label="Attribut CAS contenant l'identifiant PRONOTE", max_length=100, required=False
    )
    rapprochement_code = forms.CharField(
        label="Code de rapprochement", max_length=50, required=False
    )

    @staticmethod
    def initial_from(server: ServerSettings) -> dict[str, Any]:
        project = server.ent_project or (
            ent_list.project_for(server.cas_url) if server.cas_url else ""
        )
        return {
            "cas_enabled": server.cas_enabled,
            "ent_project": project,
            "other_cas_url": server.cas_url if project == ent_list.OTHER else "",
            "public_url": server.public_url,
            "direct_login_allowed": server.direct_login_allowed,
            "common_id_source": server.common_id_source,
            "common_id_attribute": server.common_id_attribute,
            "recognition": server.recognition,
            "id_attribute": server.id_attribute,
            "rapprochement_code": server.rapprochement_code,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        project = data.get("ent_project", "")
        cas_url = ""
        if project == ent_list.OTHER:
            cas_url = data.get("other_cas_url", "").strip()
            if not is_http_url(cas_url):
                self.add_error("other_cas_url", "Saisissez l'URL http(s) du serveur CAS.")
        elif project:
            cas_url = ent_list.cas_url_for(project)
        if data.get("cas_enabled") and not project:
            self.add_error("ent_project", "Choisissez votre ENT (ou « Autre »).")
        data["cas_url"] = cas_url
        public_url = data.get("public_url", "").strip()
        if public_url:
            if not is_http_url(public_url):
                self.add_error(
                    "public_url", "Saisissez une URL http(s), par exemple https://…/pronote/."
                )
            elif not public_url.endswith("/"):
                public_url += "/"
        data["public_url"] = public_url
        if (
            data.get("recognition") == RECOGNITION_PRONOTE
            and not data.get("id_attribute", "").strip()
        ):
            self.add_error(
                "id_attribute", "Indiquez l'attribut CAS contenant l'identifiant PRONOTE."
            )
        if (
            data.get("common_id_source") == COMMON_ID_ATTRIBUTE
            and not data.get("common_id_attribute", "").strip()
        ):
            self.add_error(
                "common_id_attribute", "Indiquez l'attribut CAS utilisé comme identifiant."
            )
        return data

    def save(self, server: ServerSettings) -> ServerSettings:
        data = self.cleaned_data
        server.cas_enabled = data["cas_enabled"]
        server.ent_project = data["ent_project"]
        server.cas_url = data["cas_url"]
        server.public_url = data["public_url"]
        server.direct_login_allowed = data["direct_login_allowed"]
        server.common_id_source = data["common_id_source"]
        server.common_id_attribute = data["common_id_attribute"].strip()
        server.recognition = data["recognition"]
        server.id_attribute = data["id_attribute"].strip() or "idPronote"
        server.rapprochement_code = data["rapprochement_code"].strip()
        server.save()
        return server


class PartnerForm(forms.Form):
    """Who can decrypt the export: the ENT vendor's name and RSA public key (PEM)."""

    partner_name = forms.CharField(
        label="Les données exportées peuvent être déchiffrées par", max_length=100
    )
    public_key = forms.FileField(label="Clé publique du socle ENT (PEM)", required=False)

    def __init__(self, *args: Any, has_key: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.has_key = has_key

    def clean_partner_name(self) -> str:
        name = self.cleaned_data["partner_name"].strip()
        if not name.replace("_", "").replace("-", "").isalnum():
            raise forms.ValidationError("Lettres, chiffres, « - » et « _ » seulement.")
        return name

    def clean_public_key(self) -> str:
        upload = self.cleaned_data.get("public_key")
        if upload is None:
            if not self.has_key:
                raise forms.ValidationError("Déposez la clé publique du socle ENT.")
            return ""
        if (upload.size or 0) > 64 * 1024:
            raise forms.ValidationError("Fichier trop volumineux pour une clé publique.")
        pem = upload.read().decode("utf-8", errors="replace")
        try:
            load_public_key(pem)
        except CryptoError as exc:
            raise forms.ValidationError(str(exc)) from None
        return pem


class ExportForm(forms.Form):
    only_without_cas = forms.BooleanField(
        label="Uniquement les utilisateurs sans identifiants CAS", required=False
    )


class ImportForm(forms.Form):
    file = forms.FileField(label="Fichier exporté par l'ENT")
