"""The SPR (superviseur) password guarding the administration pages.

Order: ``PRONOTESIM_SPR_PASSWORD`` if set; else the hash stored by ``manage.py set_spr_password``;
with neither, the pages are open when DEBUG is on and closed otherwise.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from pronotesim.console.models import ServerSettings
from pronotesim.espaces.urls_util import admin_prefix

SPR_KEY = "pronote_spr"


def login_path() -> str:
    return admin_prefix() + "connexion"


def password_configured(server: ServerSettings | None = None) -> bool:
    server = server or ServerSettings.load()
    return bool(settings.PRONOTESIM_SPR_PASSWORD or server.spr_password_hash)


def is_open() -> bool:
    return settings.DEBUG and not password_configured()


def check_spr_password(candidate: str) -> bool:
    if settings.PRONOTESIM_SPR_PASSWORD:
        return hmac.compare_digest(candidate.encode(), settings.PRONOTESIM_SPR_PASSWORD.encode())
    server = ServerSettings.load()
    return bool(server.spr_password_hash) and check_password(candidate, server.spr_password_hash)


def spr_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.session.get(SPR_KEY) or is_open():
            return view(request, *args, **kwargs)
        return HttpResponseRedirect(f"{login_path()}?next={quote(request.get_full_path())}")

    return wrapper
