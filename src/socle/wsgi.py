import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socle.settings")
django_application = get_wsgi_application()

# CAS validations and SSO hops take a shorter middleware chain (socle.core.lean, socle.cas.lean).
from socle.cas.lean import lean_middleware, wants_lean  # noqa: E402 - after Django's set-up
from socle.core.lean import LeanHandler, Router  # noqa: E402

application = Router(django_application, LeanHandler(lean_middleware()), wants_lean)
