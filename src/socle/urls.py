"""Root URL map. Each app owns its own ``urls.py``."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("django-admin/", admin.site.urls),
]
