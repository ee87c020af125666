"""pronotesim's style sheet and scripts (``/<root>/ressources/…``), files of its own package.

The pages carry no inline ``<style>``, ``<script>``, ``style`` or event attribute, so that their
``Content-Security-Policy`` (:mod:`pronotesim.csp`) needs neither ``'unsafe-inline'`` nor hashes.
A tiny view rather than ``django.contrib.staticfiles``: gunicorn serves pronotesim alone (no
web server in front in the demo and the tests), and two files need no collection step.
"""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

FOLDER = Path(__file__).resolve().parent.parent / "ressources"
TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
FILES = frozenset(path.name for path in FOLDER.iterdir() if path.suffix in TYPES)


@require_GET
def resource(request: HttpRequest, name: str) -> FileResponse:
    if name not in FILES:  # only the package's own files, never a path
        raise Http404("Ressource inconnue")
    path = FOLDER / name
    response = FileResponse(path.open("rb"), content_type=TYPES[path.suffix])
    response["Cache-Control"] = "max-age=300"
    return response
