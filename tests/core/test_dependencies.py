"""The dependencies between the apps point one way (docs/architecture.md): ``directory`` imports
neither ``portal`` nor ``cas`` nor ``pronote``; ``portal`` imports neither ``cas`` nor
``pronote``; ``cas`` never imports ``pronote``; ``core`` imports no app but
``directory.profiles``; ``pronotesim`` imports nothing from ``socle``.

Every ``import`` statement of the sources is read with :mod:`ast` (inside functions and
``TYPE_CHECKING`` blocks too, relative imports resolved). Run-time look-ups by name
(``importlib``, as ``portal/patterns.py`` asks the CAS's matcher) are not imports and stay
allowed."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOCLE = ROOT / "src" / "socle"
PRONOTESIM = ROOT / "pronotesim"

# (the sources, the package their modules belong to, the packages they must not import)
RULES = [
    (SOCLE / "directory", "socle.directory", ("socle.portal", "socle.cas", "socle.pronote")),
    (SOCLE / "portal", "socle.portal", ("socle.cas", "socle.pronote")),
    (SOCLE / "cas", "socle.cas", ("socle.pronote",)),
    # the shared core: no app, but the directory's list of profiles (docs/architecture.md)
    (
        SOCLE / "core",
        "socle.core",
        ("socle.directory", "socle.portal", "socle.cas", "socle.pronote"),
    ),
    (PRONOTESIM, "", ("socle",)),
]


def _module_name(path: Path, root: Path, package: str) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([p for p in package.split(".") if p] + parts)


def _imports(path: Path, module: str) -> Iterator[tuple[str, int]]:
    """The modules ``path`` (the module ``module``) imports, with their line numbers."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from the module's package, one level up per extra dot
                parts = module.split(".")
                drop = node.level - 1 if is_package else node.level
                base = parts[: len(parts) - drop] if drop else parts
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            yield name, node.lineno
            for alias in node.names:  # ``from socle import cas``
                yield f"{name}.{alias.name}", node.lineno


# what a package may import from the packages it must not otherwise import
ALLOWED = {"socle.core": ("socle.directory.profiles",)}


def _forbidden(root: Path, package: str, forbidden: tuple[str, ...]) -> list[str]:
    allowed = ALLOWED.get(package, ())
    found = []
    for path in sorted(root.rglob("*.py")):
        for name, line in _imports(path, _module_name(path, root, package)):
            if any(name == a or name.startswith(a + ".") for a in allowed):
                continue
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
                found.append(f"{shown}:{line} imports {name}")
    return sorted(set(found))


@pytest.mark.parametrize(
    ("root", "package", "forbidden"), RULES, ids=[r[1] or "pronotesim" for r in RULES]
)
def test_it_keeps_the_dependencies_between_the_apps_one_way(
    root: Path, package: str, forbidden: tuple[str, ...]
) -> None:
    assert root.is_dir(), root
    found = _forbidden(root, package, forbidden)
    assert not found, (
        f"{package or 'pronotesim'} must not import {', '.join(forbidden)} "
        "(docs/architecture.md: dependencies point one way):\n" + "\n".join(found)
    )


def test_it_sees_an_import_written_in_any_form(tmp_path: Path) -> None:
    """The rule's reader itself: absolute, relative, ``from … import module``, in a function;
    ``from . import cas`` in ``socle/portal/__init__.py`` is ``socle.portal.cas``, allowed."""
    app = tmp_path / "app"
    (app / "sub").mkdir(parents=True)
    (app / "__init__.py").write_text("from . import cas\n")
    (app / "sub" / "__init__.py").write_text("")
    (app / "sub" / "views.py").write_text(
        "import os\nfrom ...cas.views import login\n\n"
        "def f():\n    import socle.cas.protocol\n    from socle import cas\n"
    )
    found = _forbidden(app, "socle.portal", ("socle.cas",))
    assert sorted(line.split(" imports ")[1] for line in found) == [
        "socle.cas",
        "socle.cas.protocol",
        "socle.cas.views",
        "socle.cas.views.login",
    ]


# What names another app's URLs or template tags in a source or a template: a
# ``reverse("portal:…")``, ``{% url 'portal:…' %}`` or ``{% load portal_tags %}`` is a
# dependency that no import shows. (The portal's menu looks the PRONOTE pages up by name on
# purpose, ``optional_url``: a link that appears once that app publishes them.)
NAMED = {
    SOCLE / "directory": (
        "'portal:",
        '"portal:',
        "portal_tags",
        "'cas:",
        '"cas:',
        "'pronote:",
        '"pronote:',
    ),
}


def _named(root: Path, names: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".py", ".html", ".txt", ".xml"} or not path.is_file():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            found += [f"{shown}:{number} names {n}" for n in names if n in line]
    return found


@pytest.mark.parametrize(("root", "names"), NAMED.items(), ids=[p.name for p in NAMED])
def test_it_names_no_url_nor_tag_of_an_app_it_must_not_know(
    root: Path, names: tuple[str, ...]
) -> None:
    """socle.directory.account_links: the portal hands the directory the links it adds to the
    directory's pages, which name none of the portal's routes."""
    found = _named(root, names)
    assert not found, (
        "dependencies point one way (docs/architecture.md); let the other app register its "
        "link (e.g. socle.directory.account_links):\n" + "\n".join(found)
    )


def test_it_sees_a_url_named_in_a_template_or_a_source(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        "{% load i18n portal_tags %}\n<a href=\"{% url 'portal:admin_index' %}\">x</a>\n"
    )
    (tmp_path / "views.py").write_text('reverse("portal:account_block", args=[uid])\n')
    (tmp_path / "other.py").write_text("# the portal: nothing named\n")
    found = [line.split(" names ")[1] for line in _named(tmp_path, NAMED[SOCLE / "directory"])]
    assert sorted(found) == ['"portal:', "'portal:", "portal_tags"]
