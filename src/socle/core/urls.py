"""URLs of socle.core (mounted at the root: ``/healthz``, ``/metrics``)."""

from django.urls import path

from socle.core import views

app_name = "core"
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", views.metrics, name="metrics"),
]
