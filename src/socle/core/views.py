"""HTTP adapters of socle.core."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from socle.core import deployment
from socle.core import metrics as node_metrics
from socle.core.health import run_checks
from socle.core.logfilters import said


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """``GET /healthz``: 200 ``{"status": "ok", …}`` or 503 ``{"status": "error", …}``."""
    checks = run_checks()
    healthy = all(check.ok for check in checks)
    marker = deployment.state() if healthy else None
    body = {
        "status": "ok" if healthy else "error",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail, "ms": c.ms} for c in checks},
        # Said, not counted in the status: docs/deployment.md, "Deployment marker".
        "deployment": {"ok": marker.ok, "detail": marker.detail} if marker else None,
    }
    if not healthy:
        said(request)  # run_checks logged the failing part and its cause
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    """``GET /metrics``: Prometheus' text format with ``Authorization: Bearer
    <SOCLE_METRICS_TOKEN>``; 401 without it, 404 when no token is configured (off)."""
    token = settings.SOCLE_METRICS_TOKEN
    if not token:
        raise Http404
    given = request.headers.get("Authorization", "").encode()
    if not hmac.compare_digest(given, f"Bearer {token}".encode()):
        response = HttpResponse("401 Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="socle-metrics"'
        return response
    body, content_type = node_metrics.render()
    return HttpResponse(body, content_type=content_type)
