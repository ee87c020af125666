"""``/services/<code>/icone``: a service's icon, from the database, as a passive image.

Every node answers the same (the bytes are in ``ServiceIcon``). The ETag is the bytes' SHA-256
(``Service.icon_hash``): a browser's ``If-None-Match`` gets a 304 without the bytes being read.
The pages link ``?v=<hash>`` (``Service.icon_url``), cached a year since a new icon changes the
address; without it, or with a former version, an hour as before. Whatever the stored bytes, the
answer cannot run script in the ENT's origin: fixed content type (PNG or SVG, anything else is an
attachment), ``nosniff``, and a CSP without any source and ``sandbox``.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.response import HttpResponseBase
from django.utils.http import parse_etags
from django.views.decorators.http import require_safe

from socle.portal.icon_store import ICON_TYPES
from socle.portal.models import Service, ServiceIcon

ICON_CSP = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
VERSIONED_CACHE = "public, max-age=31536000, immutable"
UNVERSIONED_CACHE = "public, max-age=3600"


def _not_modified(request: HttpRequest, etag: str) -> bool:
    """``If-None-Match`` names this icon (weak comparison, RFC 9110 §13.1.2)."""
    header = request.headers.get("If-None-Match", "")
    tags = {tag.removeprefix("W/") for tag in parse_etags(header)} if header else set()
    return "*" in tags or etag in tags


def _finish(response: HttpResponseBase, request: HttpRequest, digest: str) -> HttpResponseBase:
    response["ETag"] = f'"{digest}"'
    current = request.GET.get("v") == digest[:16]
    response["Cache-Control"] = VERSIONED_CACHE if current else UNVERSIONED_CACHE
    response["Content-Security-Policy"] = ICON_CSP
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def service_icon(request: HttpRequest, code: str) -> HttpResponseBase:
    digest = Service.objects.filter(code=code).values_list("icon_hash", flat=True).first()
    if not digest:
        raise Http404
    if _not_modified(request, f'"{digest}"'):
        return _finish(HttpResponseNotModified(), request, digest)
    # The hash again, with the bytes: an icon changed since the line above keeps its own ETag.
    stored = ServiceIcon.objects.filter(service__code=code)
    row = stored.values_list("service__icon_hash", "content_type", "data").first()
    if row is None or not row[0]:
        raise Http404
    digest, content_type, data = row
    passive = content_type in ICON_TYPES
    response = HttpResponse(
        bytes(data), content_type=content_type if passive else "application/octet-stream"
    )
    if not passive:
        response["Content-Disposition"] = "attachment"
    return _finish(response, request, digest)
