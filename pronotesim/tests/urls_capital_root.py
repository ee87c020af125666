"""pronotesim published under ``/Pronote/`` (``PRONOTESIM_ROOT=Pronote``), for tests."""

from pronotesim.urls import build_urlpatterns

urlpatterns = build_urlpatterns("Pronote")
