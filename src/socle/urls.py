"""Root URL map. Each app owns its own ``urls.py``; add nothing here but an include."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("cas/", include("socle.cas.urls")),
    path("compte/", include("socle.directory.urls")),
    path("gestion/pronote/", include("socle.pronote.urls")),
    path("", include("socle.core.urls")),
    path("", include("socle.portal.urls")),
]

# A database outage is a 503 with Retry-After, not the 500 page (socle.core.outage).
handler500 = "socle.core.outage.handle_server_error"
