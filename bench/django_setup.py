"""Django set up in a benchmark's own process (``bench/aaf.py``, ``bench/pronote_matching.py``,
``bench/traces_scope.py``, ``bench/pronote_inserts.py``): this checkout's ``socle.settings`` on
the database given, every ``SOCLE_*`` variable set before ``django.setup()`` reads them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(database_url: str, data_dir: Path, **variables: str | None) -> None:
    """Sets Django up on ``database_url``, with ``data_dir`` as ``SOCLE_DATA_DIR``; each of
    ``variables`` is set in the environment, or removed from it when ``None``. The secret key
    and the log level are the caller's own when set."""
    os.environ.setdefault("SOCLE_SECRET_KEY", "bench-only-" + "x" * 50)
    os.environ["SOCLE_DATA_DIR"] = str(data_dir)
    os.environ["SOCLE_DATABASE_URL"] = database_url
    for name, value in variables.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    os.environ.setdefault("SOCLE_LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "socle.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
