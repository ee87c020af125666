"""The Django admin logs in and out through the CAS.

``/django-admin/login/`` sends to ``/cas/login``: Django's own admin form would check a password
outside the login throttle (``socle.cas.throttle``) and the admission gate, and open a Django
session tied to no SSO session (``socle.cas.middleware``). ``/django-admin/logout/`` is the CAS
logout, which ends both sessions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.urls import reverse


def admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """``AdminSite.login``: the CAS login with ``next`` back to the admin page asked for.

    Someone logged in who is not staff gets here from ``AdminSite.admin_view``: refused (403),
    rather than sent to a login that would send them back here."""
    if request.user.is_authenticated:
        raise PermissionDenied
    next_url = request.GET.get("next") or reverse("admin:index")
    return HttpResponseRedirect(f"{reverse('cas:login')}?{urlencode({'next': next_url})}")


def admin_logout(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> HttpResponseBase:
    """``AdminSite.logout``: the CAS logout. Django's own would end the Django session only and
    leave the SSO session (its cookie) open: the next person at that browser would be logged in
    again as the administrator on their first ``/cas/login``. Its form is a POST: answered, as
    every POSTed logout, with a 303 to the GET logout, which ends both sessions."""
    from socle.cas.views.logout import logout

    return logout(request)
