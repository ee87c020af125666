"""WSGI entry point for gunicorn: ``gunicorn pronotesim.wsgi:application``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pronotesim.settings")
application = get_wsgi_application()
