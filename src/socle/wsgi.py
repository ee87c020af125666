import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socle.settings")
django_application = get_wsgi_application()

# CAS validations, SSO hops and newcomers' password logins take a shorter middleware chain
# (socle.core.lean, socle.cas.lean).
# Plain validations and SSO hops are answered before Django's handler (socle.core.wsgi_fast).
from socle.cas.fasthop import FastHop  # noqa: E402 - after Django's set-up
from socle.cas.fastpath import FastValidation  # noqa: E402
from socle.cas.lean import HOP, LOGIN, VALIDATION, lean_middleware, lean_route  # noqa: E402
from socle.core.lean import LeanHandler, Router  # noqa: E402

application = Router(
    django_application,
    {
        HOP: FastHop(LeanHandler(lean_middleware(HOP))),
        LOGIN: LeanHandler(lean_middleware(LOGIN)),
        VALIDATION: FastValidation(LeanHandler(lean_middleware(VALIDATION))),
    },
    lean_route,
)
