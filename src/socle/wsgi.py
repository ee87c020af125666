import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socle.settings")
django_application = get_wsgi_application()

# CAS validations and SSO hops take a shorter middleware chain (socle.core.lean, socle.cas.lean).
from socle.cas.lean import HOP, VALIDATION, lean_middleware, lean_route  # noqa: E402 - after set-up
from socle.core.lean import LeanHandler, Router  # noqa: E402

application = Router(
    django_application,
    {kind: LeanHandler(lean_middleware(kind)) for kind in (HOP, VALIDATION)},
    lean_route,
)
