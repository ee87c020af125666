"""pronotesim's URLs: PRONOTE.net lives under its publication root, ``/pronote/`` unless
``PRONOTESIM_ROOT`` says otherwise (``/Pronote/``: the case is kept, a URL's path is
case-sensitive)."""

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import URLPattern, path, re_path

from pronotesim.console import views_files, views_server, views_users
from pronotesim.espaces import first_connection, mobile, resources, views
from pronotesim.espaces.urls_util import prefix


def root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(prefix())


def build_urlpatterns(racine: str) -> list[URLPattern]:
    """The pages under ``/<racine>/`` (tests build them for another root)."""
    top = f"{racine}/"
    escaped = re.escape(racine)
    ADMIN = top + "administration/"  # noqa: N806 (read as the constant it was)
    return [
        path("", root),
        path(top, views.page_commune, name="page_commune"),
        re_path(
            rf"^{escaped}/(?i:infoMobileApp\.json)$", mobile.info_mobile_app, name="info_mobile"
        ),
        path(top + "deconnexion", views.logout, name="logout"),
        re_path(
            rf"^{escaped}/ressources/(?P<name>[a-z]+\.(?:css|js))$",
            resources.resource,
            name="resource",
        ),
        path(
            top + "identification-impossible",
            first_connection.identification_impossible,
            name="identification_impossible",
        ),
        path(
            top + "premiere-connexion",
            first_connection.double_authentication,
            name="double_authentication",
        ),
        path(ADMIN, views_server.dashboard, name="console"),
        path(ADMIN + "connexion", views_server.spr_login, name="spr_login"),
        path(ADMIN + "deconnexion", views_server.spr_logout, name="spr_logout"),
        path(ADMIN + "publication", views_server.publication, name="publication"),
        path(ADMIN + "ent", views_server.ent_settings, name="ent_settings"),
        path(ADMIN + "utilisateurs", views_users.users, name="users"),
        path(ADMIN + "utilisateurs/ajouter", views_users.add_users_file, name="add_users"),
        path(
            ADMIN + "utilisateurs/<int:pk>/supprimer-identifiant-cas",
            views_users.clear_cas_identifier,
            name="clear_cas_identifier",
        ),
        path(ADMIN + "echecs", views_users.identification_requests, name="identification_requests"),
        path(
            ADMIN + "echecs/<int:pk>/supprimer",
            views_users.delete_identification_request,
            name="delete_identification_request",
        ),
        path(ADMIN + "export", views_files.export, name="export"),
        path(ADMIN + "alimentation", views_files.alimentation, name="alimentation"),
        path(
            ADMIN + "cle-publique-index-education.pem",
            views_files.index_public_key,
            name="index_public_key",
        ),
        re_path(
            rf"^{escaped}/(?P<page>(?:mobile\.)?[a-z]+\.html)$", views.espace_page, name="espace"
        ),
    ]


urlpatterns = build_urlpatterns(settings.PRONOTESIM_ROOT)
