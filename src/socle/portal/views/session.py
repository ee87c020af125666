"""« Rester connecté »: the warning shown before the single sign-on session ends for lack of
activity (``portal/_session_timeout.html``, WCAG 2.2.1) asks this address, which any portal
request would do: ``socle.cas.middleware`` reads the SSO session, which pushes its idle deadline
back, or ends the Django session when the SSO session has ended."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def keep_alive(request: HttpRequest) -> HttpResponse:
    """204 while the person is logged in (their session now runs for a new idle period), 401
    once it has ended."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)
