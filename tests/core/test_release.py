"""The release wheel works on its own (docs/release.md): built as `make dist` builds it
(scripts/dist), it holds every file git tracks under src/socle, nothing else, and, installed
apart from this checkout with the virtualenv's dependencies, it checks, migrates and serves."""

from __future__ import annotations

import fnmatch
import os
import re
import signal
import subprocess
import sys
import time
import tomllib
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.core.cli import socle_env
from tests.e2e.servers import free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
# Files git tracks under src/socle that stay out of the wheel (fnmatch patterns, from the
# repository's root). None today: code, migrations, templates, static files, both catalogues
# (.po and .mo: Django reads the .mo) and data/ are all needed by the running code.
NOT_SHIPPED: tuple[str, ...] = ()


def project_version() -> str:
    return str(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"])


def tracked_package_files() -> list[str]:
    try:
        listed = subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "-z", "src/socle"],
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the files to ship come from git ls-files")
    # A file deleted but not yet staged is not in the working tree, nor in the wheel.
    return [path for path in listed.split("\0") if path and (ROOT / path).exists()]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("SOCLE_DATABASE_URL"):
        # scripts/test's second pass, on PostgreSQL: the wheel does not depend on the database,
        # and this test runs its commands on SQLite whatever the environment says.
        pytest.skip("packaging: checked once, in the SQLite pass")
    out = tmp_path_factory.mktemp("dist")
    built = _dist(ROOT, out)
    version = project_version()
    assert (out / f"socle-{version}.tar.gz").is_file(), built.stdout
    return out / f"socle-{version}-py3-none-any.whl"


def test_it_ships_every_file_git_tracks_under_src_socle_and_nothing_else(wheel: Path) -> None:
    expected = {
        path.removeprefix("src/")
        for path in tracked_package_files()
        if not any(fnmatch.fnmatch(path, pattern) for pattern in NOT_SHIPPED)
    }
    # The list is not vacuous: each kind of file the running code reads is there.
    for kind in (".mo", ".po", ".html", ".css", ".js", "/migrations/0001_initial.py", "/data/"):
        assert any(kind in path for path in expected), kind
    names = zipfile.ZipFile(wheel).namelist()
    metadata = f"socle-{project_version()}.dist-info/"
    shipped = {name for name in names if not name.startswith(metadata)}
    assert sorted(expected - shipped) == [], "left out of the wheel: fix pyproject's package-data"
    assert sorted(shipped - expected) == []  # no pronotesim, tests, stray or generated file
    assert {name.split("/")[0] for name in names} == {"socle", metadata.rstrip("/")}
    entry_points = zipfile.ZipFile(wheel).read(metadata + "entry_points.txt").decode()
    assert "socle = socle.cli:main" in entry_points
    assert (
        "GNU AFFERO GENERAL PUBLIC LICENSE"
        in zipfile.ZipFile(wheel).read(metadata + "licenses/LICENSE").decode()
    )


def test_the_installed_wheel_checks_migrates_and_serves(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", site, wheel],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stderr
    data = tmp_path / "data"
    data.mkdir()
    # The wheel's code, not this checkout's (PYTHONPATH comes before the virtualenv's
    # site-packages, where an editable install points at a checkout), and the virtualenv's
    # dependencies; run from the data folder, never from the checkout.
    env = socle_env(
        data,
        PYTHONPATH=str(site),
        SOCLE_DATABASE_URL=f"sqlite:///{data / 'release.sqlite3'}",
        SOCLE_ADMISSION_DIR=str(tmp_path / "admission"),
    )

    def socle(*args: str) -> subprocess.CompletedProcess[str]:
        # The console script the wheel declares (bin/socle, for this virtualenv's Python).
        return subprocess.run(
            [str(site / "bin" / "socle"), *args],
            capture_output=True,
            text=True,
            env=env,
            cwd=data,
            timeout=180,
        )

    where = subprocess.run(
        [sys.executable, "-c", "import socle; print(socle.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        cwd=data,
        check=True,
    )
    assert where.stdout.strip() == str(site / "socle" / "__init__.py")
    version = socle("--version")
    assert version.returncode == 0, version.stderr
    assert version.stdout.startswith(f"socle {project_version()} (Django 5.2"), version.stdout
    for command in (["check"], ["migrate"], ["migrate", "--check"]):
        result = socle(*command)
        assert result.returncode == 0, (command, result.stdout, result.stderr)

    port = free_port()
    server = subprocess.Popen(
        [str(site / "bin" / "socle"), "serve", "--port", str(port), "--workers", "1"],
        env=env,
        cwd=data,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        health = _get(f"{base}/healthz", server, attempts=600)
        assert b'"status": "ok"' in health
        login = _get(f"{base}/cas/login", server).decode()
        assert "Connexion à Socle" in login  # templates
        english = _get(f"{base}/cas/login", server, language="en").decode()
        assert "Sign in to Socle" in english  # the compiled English catalogue
        script = re.search(r'<script src="([^"]*capslock[^"]*)"', login)
        assert script, login
        assert b"capslock" in _get(base + script.group(1), server).lower()  # static files
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            output, _ = server.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            output, _ = server.communicate()
    assert server.returncode == 0, output


def _get(url: str, server: subprocess.Popen[str], attempts: int = 1, language: str = "fr") -> bytes:
    """``url``'s body (200), asked ``attempts`` times a tenth of a second apart while the
    node starts."""
    request = urllib.request.Request(url, headers={"Accept-Language": language})
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 200
                return response.read()
        except OSError:
            if server.poll() is not None or attempt == attempts - 1:
                raise
            time.sleep(0.1)
    raise AssertionError(url)


def _dist(checkout: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``checkout``'s scripts/dist run into ``out``, successfully."""
    built = subprocess.run(
        ["bash", str(checkout / "scripts" / "dist"), str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": sys.executable},
        timeout=300,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    return built


def _checkout_copy(root: Path, version: str) -> Path:
    """A git checkout in ``root`` holding what scripts/dist builds from (tracked files only),
    its pyproject.toml at ``version``."""
    files = ["pyproject.toml", "README.md", "LICENSE", "scripts/dist", *tracked_package_files()]
    for path in files:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((ROOT / path).read_bytes())
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    pyproject.write_text(text.replace(f'version = "{project_version()}"', f'version = "{version}"'))
    for command in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", "-C", str(root), *command], check=True, capture_output=True)
    return root


def test_it_lists_the_files_of_a_version_the_build_normalises(tmp_path: Path) -> None:
    """« 1.0.0-rc1 » in pyproject.toml: the build names its files 1.0.0rc1, which scripts/dist
    lists (it looked for 1.0.0-rc1 and failed)."""
    if os.environ.get("SOCLE_DATABASE_URL"):
        pytest.skip("packaging: checked once, in the SQLite pass")
    checkout = _checkout_copy(tmp_path / "checkout", "1.0.0-rc1")
    out = tmp_path / "out"
    built = _dist(checkout, out)
    assert sorted(built.stdout.split()) == [
        f"{out}/socle-1.0.0rc1-py3-none-any.whl",
        f"{out}/socle-1.0.0rc1.tar.gz",
    ]


def test_it_leaves_nothing_behind_when_interrupted(tmp_path: Path) -> None:
    """Ctrl-C during the build (SIGINT to the whole process group, as a terminal sends it):
    the copied tree and the build's log are both removed. The build is a stand-in that waits,
    so that the interrupt always lands inside it, however fast the real build is."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    slow_build = tmp_path / "python"
    slow_build.write_text("#!/bin/sh\nexec sleep 60\n")
    slow_build.chmod(0o755)
    build = subprocess.Popen(
        ["bash", str(ROOT / "scripts" / "dist"), str(tmp_path / "out")],
        env={**os.environ, "PYTHON": str(slow_build), "TMPDIR": str(temporary)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        # as from a terminal: a suite started in the background (`make test &`, CI) inherits
        # SIGINT ignored, which bash cannot trap then
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        for _attempt in range(3000):  # until the build runs (its log exists), or it ended
            if list(temporary.glob("socle-dist.*.log")) or build.poll() is not None:
                break
            time.sleep(0.1)
        assert build.poll() is None, "the build ended before it could be interrupted"
        os.killpg(build.pid, signal.SIGINT)
        build.wait(timeout=120)
    finally:
        if build.poll() is None:
            os.killpg(build.pid, signal.SIGKILL)
            build.wait()
    assert build.returncode != 0
    assert list(temporary.iterdir()) == []
