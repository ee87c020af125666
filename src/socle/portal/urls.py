"""URLs of socle.portal: « Mon espace », launchers, and « Gestion portail »."""

from django.urls import path

from socle.portal.views import (
    access,
    accounts,
    admin_home,
    home,
    icons,
    launcher,
    my_data,
    services,
    session,
    traces,
)

app_name = "portal"
urlpatterns = [
    path("", home.home, name="home"),
    path("services/<slug:code>/", launcher.launcher, name="launcher"),
    path("services/<slug:code>/icone", icons.service_icon, name="service_icon"),
    path("session/prolonger", session.keep_alive, name="keep_alive"),
    path("mes-donnees/", my_data.my_data_page, name="my_data"),
    path("mes-donnees/fichier", my_data.my_data_file, name="my_data_file"),
    path("gestion/", admin_home.admin_index, name="admin_index"),
    path("gestion/services/", services.service_list, name="service_list"),
    path("gestion/services/nouveau/", services.service_create, name="service_create"),
    path("gestion/services/<int:pk>/", services.service_edit, name="service_edit"),
    path(
        "gestion/services/<int:pk>/acces-population/", access.service_access, name="service_access"
    ),
    path(
        "gestion/services/<int:pk>/acces-utilisateur/", access.service_users, name="service_users"
    ),
    path("gestion/services/<int:pk>/supprimer/", services.service_delete, name="service_delete"),
    path("gestion/acces/", access.activations, name="activations"),
    path("gestion/traces/", traces.trace_list, name="traces"),
    path("gestion/comptes/", accounts.account_list, name="accounts"),
    path("gestion/comptes/<str:uid>/bloquer/", accounts.account_block, name="account_block"),
    path("gestion/comptes/<str:uid>/debloquer/", accounts.account_unblock, name="account_unblock"),
    path("gestion/indicateurs/", traces.indicator_page, name="indicators"),
]
