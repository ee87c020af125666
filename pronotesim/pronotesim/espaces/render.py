"""Small rendering helpers shared by the espaces views."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from pronotesim.base.models import Establishment


def message_page(
    request: HttpRequest,
    *,
    title: str,
    message: str,
    status: int = 200,
    links: list[tuple[str, str]] | None = None,
    css_class: str = "",
) -> HttpResponse:
    """A PRONOTE.net information page: title, message and links (label, url)."""
    return render(
        request,
        "pronotesim/message.html",
        {
            "title": title,
            "message": message,
            "links": links or [],
            "css_class": css_class,
            "establishment": Establishment.current(),
        },
        status=status,
    )


def unpublished(request: HttpRequest) -> HttpResponse:
    response = message_page(
        request,
        title="PRONOTE.net",
        message="La publication de la base est arrêtée. Réessayez dans quelques instants.",
        status=503,
    )
    response["Retry-After"] = "30"
    return response
