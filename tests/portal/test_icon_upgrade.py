"""The upgrade that moves the services' icons into the database, as an operator runs it:
``socle migrate`` on a database of the previous layout whose icons are files of this node (one
of them lost with another node), then undone with ``socle migrate portal 0005``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.core.cli import run_socle
from tests.portal.test_service_pages import png_bytes

SHOW = (
    "from socle.portal.models import Service as S; "
    "[print(s.code, s.icon_hash, s.legacy_icon_path) for s in S.objects.order_by('code')]"
)


@pytest.mark.slow
def test_it_moves_the_icon_files_into_the_database_and_back(tmp_path: Path) -> None:
    database = {"SOCLE_DATABASE_URL": f"sqlite:///{tmp_path / 'socle.sqlite3'}"}
    assert run_socle(tmp_path, "migrate", "-v", "0", **database).returncode == 0
    for code in ("appli", "perdu"):
        url = f"https://{code}.example.org/"
        added = run_socle(
            tmp_path, "service_add", code, code, "--url", url, "--pattern", f"{url}**", **database
        )
        assert added.returncode == 0, added.stderr
    back = run_socle(tmp_path, "migrate", "portal", "0005", "-v", "0", **database)
    assert back.returncode == 0, back.stderr
    (tmp_path / "media" / "service-icons").mkdir(parents=True)
    (tmp_path / "media" / "service-icons" / "appli-1a2b3c4d.png").write_bytes(png_bytes())
    set_paths = (
        "from django.db import connection; c = connection.cursor(); "
        'c.execute("UPDATE portal_service SET icon = '
        "'service-icons/' || code || '-1a2b3c4d.png'\")"
    )
    assert run_socle(tmp_path, "shell", "-c", set_paths, **database).returncode == 0

    upgraded = run_socle(tmp_path, "migrate", **database)
    assert upgraded.returncode == 0, upgraded.stderr
    assert upgraded.stderr.count("The icon of the service perdu is not moved") == 1
    assert "appli" not in upgraded.stderr
    digest = hashlib.sha256(png_bytes()).hexdigest()
    shown = run_socle(tmp_path, "shell", "-v", "0", "-c", SHOW, **database).stdout.splitlines()
    assert shown == [
        f"appli {digest} service-icons/appli-1a2b3c4d.png",
        "perdu  service-icons/perdu-1a2b3c4d.png",
    ]

    (tmp_path / "media" / "service-icons" / "appli-1a2b3c4d.png").unlink()
    undone = run_socle(tmp_path, "migrate", "portal", "0005", "-v", "0", **database)
    assert undone.returncode == 0, undone.stderr
    restored = tmp_path / "media" / "service-icons" / f"appli-{digest[:8]}.png"
    assert restored.read_bytes() == png_bytes()
