"""Service URLs as PRONOTE.net builds them: from its configured public URL, not the Host."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from pronotesim.console.models import ServerSettings


def prefix() -> str:
    """``/<root>/``: the publication root (``PRONOTESIM_ROOT``, ``pronote`` by default)."""
    return f"/{settings.PRONOTESIM_ROOT}/"


def admin_prefix() -> str:
    return prefix() + "administration/"


def root_context(request: HttpRequest) -> dict[str, str]:
    """Templates write ``{{ root }}eleve.html``, ``{{ root }}administration/…``."""
    return {"root": prefix()}


def public_root(server: ServerSettings, request: HttpRequest | None = None) -> str:
    """The public URL of ``/<root>/`` (ends with ``/``)."""
    if server.public_url:
        return server.public_url if server.public_url.endswith("/") else server.public_url + "/"
    if request is not None:
        return request.build_absolute_uri(prefix())
    return f"http://127.0.0.1:8001{prefix()}"


def query_without_ticket(raw_query: str) -> str:
    """The query string minus ``ticket``, other parameters kept byte for byte, in order."""
    kept = [part for part in raw_query.split("&") if part and part.split("=", 1)[0] != "ticket"]
    return "&".join(kept)


def service_url(server: ServerSettings, request: HttpRequest, page: str) -> str:
    """The service this page is known as to the CAS: public root + page + query minus ticket."""
    query = query_without_ticket(request.META.get("QUERY_STRING", ""))
    return public_root(server, request) + page + (f"?{query}" if query else "")


def clean_path(request: HttpRequest) -> str:
    """This request's own path and query, minus the ticket (where to go once validated)."""
    query = query_without_ticket(request.META.get("QUERY_STRING", ""))
    return request.path + (f"?{query}" if query else "")
