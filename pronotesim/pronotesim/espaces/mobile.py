"""``infoMobileApp.json``: what PRONOTE.net tells its mobile application about the server."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from pronotesim.base.categories import ESPACES
from pronotesim.base.models import Establishment
from pronotesim.console.models import ServerSettings

# PRONOTE 2020's version array, as the real server reports it.
VERSION = [2020, 0, 2, 7]


@require_GET
def info_mobile_app(request: HttpRequest) -> HttpResponse:
    if not request.GET.get("id"):
        return JsonResponse({"erreur": "Paramètre id manquant."}, status=400)
    server = ServerSettings.load(request)
    establishment = Establishment.current()
    cas_active = server.cas_enabled and bool(server.cas_url)
    return JsonResponse(
        {
            "modeModif": False,
            "version": VERSION,
            "date": timezone.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "CAS": {"actif": cas_active, "casURL": server.cas_url if cas_active else ""},
            "espaces": [
                {"nom": espace.title, "URL": espace.page(mobile=True)}
                for espace in ESPACES
                if espace.in_mobile_list
            ],
            "nomEtab": establishment.name if establishment else "",
        },
        json_dumps_params={"ensure_ascii": False},
    )
