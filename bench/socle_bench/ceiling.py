"""The ceiling: bare Django views returning fixed CAS answers (no database, no middleware).

Whatever a CAS server does on top of this is its own cost; this is what Django and gunicorn alone
cost per request on this machine. Run as ``gunicorn socle_bench.ceiling:application``.

With ``BENCH_CEILING_HASH=1`` (the "hash ceiling"), a login's POST also checks the password
against an Argon2id hash with the benchmark's parameters: the most logins per second this
machine can serve through the same gunicorn settings and the same load generator, when a login
costs one hash and nothing else.
"""

from __future__ import annotations

import os

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="ceiling-only-" + "x" * 50,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_I18N=False,
        LOGGING_CONFIG=None,
    )
    django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

TICKET = "ST-ceiling-" + "0" * 40
FORM = (
    '<!doctype html><html><body><form method="post">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="fixed">'
    '<input name="username"><input name="password" type="password">'
    "</form></body></html>"
)
SUCCESS = (
    "<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'>"
    "<cas:authenticationSuccess><cas:user>bench.user</cas:user></cas:authenticationSuccess>"
    "</cas:serviceResponse>"
)
SUCCESS_P3 = (
    "<cas:serviceResponse xmlns:cas='http://www.yale.edu/tp/cas'>"
    "<cas:authenticationSuccess><cas:user>bench.user</cas:user><cas:attributes>"
    "<cas:mail>camille.martin@example.org</cas:mail><cas:givenName>Camille</cas:givenName>"
    "<cas:sn>Martin</cas:sn></cas:attributes></cas:authenticationSuccess></cas:serviceResponse>"
)
SAML = (
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
    '<SOAP-ENV:Body><samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:1.0:protocol">'
    '<samlp:Status><samlp:StatusCode Value="samlp:Success"/></samlp:Status>'
    "</samlp:Response></SOAP-ENV:Body></SOAP-ENV:Envelope>"
)


def _password_check() -> object:
    if os.environ.get("BENCH_CEILING_HASH") != "1":
        return None
    from argon2 import PasswordHasher

    from socle_bench.common import ARGON2, BENCH_PASSWORD

    hasher = PasswordHasher(**ARGON2)
    stored = hasher.hash(BENCH_PASSWORD)
    return lambda password: hasher.verify(stored, password)


CHECK_PASSWORD = _password_check()


@csrf_exempt
def login(request: HttpRequest) -> HttpResponse:
    service = request.GET.get("service", "")
    if request.method == "POST" and CHECK_PASSWORD is not None:
        CHECK_PASSWORD(request.POST.get("password", ""))  # type: ignore[operator]
    if request.method == "POST" or "tgc" in request.COOKIES:  # credentials, or an SSO session
        return HttpResponseRedirect(f"{service}?ticket={TICKET}")
    return HttpResponse(FORM)


def service_validate(request: HttpRequest) -> HttpResponse:
    return HttpResponse(SUCCESS, content_type="application/xml; charset=utf-8")


def p3_service_validate(request: HttpRequest) -> HttpResponse:
    return HttpResponse(SUCCESS_P3, content_type="application/xml; charset=utf-8")


@csrf_exempt
def saml_validate(request: HttpRequest) -> HttpResponse:
    return HttpResponse(SAML, content_type="text/xml; charset=utf-8")


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse('{"status": "ok"}', content_type="application/json")


urlpatterns = [
    path("cas/login", login),
    path("cas/serviceValidate", service_validate),
    path("cas/p3/serviceValidate", p3_service_validate),
    path("cas/samlValidate", saml_validate),
    path("healthz", healthz),
]

application = get_wsgi_application()
