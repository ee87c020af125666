"""URLs of socle.cas."""

from django.urls import path  # noqa: F401

app_name = "cas"
urlpatterns: list = []
