"""pronotesim's URLs: PRONOTE.net lives under ``/pronote/``."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import path, re_path

from pronotesim.console import views_files, views_server, views_users
from pronotesim.espaces import first_connection, mobile, views


def root(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect("/pronote/")


ADMIN = "pronote/administration/"

urlpatterns = [
    path("", root),
    path("pronote/", views.page_commune, name="page_commune"),
    re_path(r"^pronote/(?i:infoMobileApp\.json)$", mobile.info_mobile_app, name="info_mobile"),
    path("pronote/deconnexion", views.logout, name="logout"),
    path(
        "pronote/identification-impossible",
        first_connection.identification_impossible,
        name="identification_impossible",
    ),
    path(
        "pronote/premiere-connexion",
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
    re_path(r"^pronote/(?P<page>(?:mobile\.)?[a-z]+\.html)$", views.espace_page, name="espace"),
]
