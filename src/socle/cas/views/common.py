from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from socle.cas.tickets import get_store
from socle.cas.tickets.base import Session

TGC_COOKIE = "socle_tgc"
TGC_PATH = "/cas/"
XML = "application/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"


def client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104 (a label, not a bind)


def flag(request: HttpRequest, name: str) -> bool:
    """CAS boolean parameters (§2.1.1 "if this parameter is set"): present, not empty and not
    "false" (the login form always posts its hidden ``renew`` field, empty when unset)."""
    value = request.GET.get(name) or request.POST.get(name)
    return value is not None and value.strip().lower() not in ("", "false", "0", "no")


def current_session(request: HttpRequest) -> Session | None:
    session_id = request.COOKIES.get(TGC_COOKIE, "")
    return get_store().get_session(session_id) if session_id else None


def set_tgc(response: HttpResponse, session: Session) -> None:
    """§3.6: the TGC is HttpOnly, Secure over https, with the narrowest path (/cas/)."""
    response.set_cookie(
        TGC_COOKIE,
        session.id,
        max_age=settings.SOCLE_CAS_SESSION_MAX,
        path=TGC_PATH,
        secure=settings.SOCLE_HTTPS,
        httponly=True,
        samesite="Lax",
    )


def clear_tgc(response: HttpResponse) -> None:
    response.delete_cookie(TGC_COOKIE, path=TGC_PATH, samesite="Lax")
