"""URLs of socle.pronote."""

from django.urls import path  # noqa: F401

app_name = "pronote"
urlpatterns: list = []
