"""URLs of socle.directory, mounted under ``/compte/``."""

from django.urls import path

from socle.directory import views

app_name = "directory"
urlpatterns = [
    path("activation/<str:token>/", views.activate, name="activate"),
    path("mot-de-passe", views.change_password, name="change_password"),
    path("reinitialiser/<str:uid>/", views.reset_password, name="reset_password"),
    path("reinitialiser/<str:uid>/code/", views.reset_code, name="reset_code"),
]
