"""URLs of socle.directory."""

from django.urls import path  # noqa: F401

app_name = "directory"
urlpatterns: list = []
