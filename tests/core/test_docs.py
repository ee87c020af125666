"""README and docs/ stay true to the code: every SOCLE_* setting in docs/configuration.md's table
with its default, every system check id documented and none that is gone, every management
command named."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "socle"
# socle.settings and the modules it reads its variables from.
SETTINGS_MODULES = ("settings.py", "secret_keys.py", "database_url.py")
# Empty in the settings, the default computed where it is used.
COMPUTED_DEFAULTS = {"SOCLE_ADMISSION_DIR": "socle-admission-"}  # core/admission_policy.py
CHECK_ID = re.compile(r"socle\.[EW]\d{3}")
# « socle.E061 », or « E061 » alone after a first « socle.E060 » (never « security.W004 »).
DOCUMENTED_ID = re.compile(r"(?<![\w.])(?:socle\.)?([EW]0\d\d)\b")


def docs_text() -> str:
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def configuration_table() -> dict[str, str]:
    """The variables of docs/configuration.md's table, each with its « default » cell."""
    text = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `SOCLE_") and len(cells) >= 3:
            table[cells[0].strip("`")] = cells[1]
    return table


def read_variables() -> dict[str, ast.expr | None]:
    """Every SOCLE_* variable the settings read (``env_*("SOCLE_…", default)``), with the
    expression of its default (None when there is none)."""
    found: dict[str, ast.expr | None] = {}
    for name in SETTINGS_MODULES:
        tree = ast.parse((SRC / name).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if not node.func.id.startswith("env_") or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and str(first.value).startswith("SOCLE_"):
                default = node.args[-1] if len(node.args) > 1 else None
                found.setdefault(str(first.value), default)
    return found


def documented_default(default: ast.expr | None) -> str | None:
    """How the table writes a literal default, or None when it is computed (then not compared)."""
    if default is None:
        return None
    try:
        value = eval(compile(ast.Expression(default), "<default>", "eval"), {"__builtins__": {}})  # noqa: S307
    except NameError:
        return None
    if value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return "`" + ",".join(value) + "`"
    return f"`{value}`"


def test_it_documents_every_setting_with_its_default() -> None:
    table = configuration_table()
    variables = read_variables()
    assert len(variables) > 40
    assert sorted(set(variables) - set(table)) == []
    assert sorted(set(table) - set(variables)) == []
    for name, default in variables.items():
        expected = documented_default(default)
        if expected is None:
            continue
        if name in COMPUTED_DEFAULTS:
            assert COMPUTED_DEFAULTS[name] in table[name], name
        elif expected == "":
            assert table[name] in {"—", "(empty)"} or table[name].startswith("—"), name
        else:
            assert table[name].split(" (", 1)[0] == expected, name


def registered_check_ids() -> set[str]:
    """The ids given to the system checks: string constants « socle.E0xx » / « socle.W0xx »
    (the ranges in the checks modules' docstrings are not ids)."""
    return {
        node.value
        for path in SRC.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and CHECK_ID.fullmatch(node.value)
    }


def test_it_documents_every_check_id_and_no_other() -> None:
    registered = registered_check_ids()
    documented = {f"socle.{code}" for code in DOCUMENTED_ID.findall(docs_text())}
    assert len(registered) > 40
    assert sorted(registered - documented) == []
    assert sorted(documented - registered) == []


# The document that explains the checks of each app (docs/deployment.md, "Configuration checks").
CHECK_DOCS = {
    "cas": "cas.md",
    "directory": "directory.md",
    "portal": "portal.md",
    "pronote": "pronote.md",
    "core": "deployment.md",
}


def test_it_explains_every_check_id_in_the_document_of_its_app() -> None:
    """Documented somewhere was not enough: ``socle check --deploy`` printed ids that
    docs/deployment.md's table did not list, and nothing said where they were. The index there
    sends each app to one document, which must name every id of that app."""
    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    index = deployment.split("### Configuration checks", 1)[1]
    missing = []
    for path in sorted(SRC.rglob("*.py")):
        app = path.relative_to(SRC).parts[0]
        ids = {
            node.value
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and CHECK_ID.fullmatch(node.value)
        }
        if not ids:
            continue
        assert app in CHECK_DOCS, f"{path}: add its app to CHECK_DOCS and to the index"
        doc = CHECK_DOCS[app]
        assert f"| `{app}` |" in index and (doc == "deployment.md" or f"]({doc})" in index)
        documented = set(DOCUMENTED_ID.findall((ROOT / "docs" / doc).read_text(encoding="utf-8")))
        missing += [f"{check_id} ({doc})" for check_id in ids if check_id[6:] not in documented]
    assert sorted(missing) == []


def test_it_names_every_management_command() -> None:
    text = docs_text()
    commands = [
        path.stem
        for path in SRC.glob("*/management/commands/*.py")
        if not path.stem.startswith("_")
    ]
    assert len(commands) > 10
    assert [c for c in commands if not re.search(rf"\b{c}\b", text)] == []


def deployment_block(first_line: str) -> list[str]:
    """The lines of the code block of docs/deployment.md that starts with ``first_line``."""
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    start = text.index(first_line)
    return text[start : text.index("```", start)].splitlines()


def test_it_gives_an_environment_file_that_systemd_and_the_shell_read_alike() -> None:
    """docs/deployment.md's /etc/socle/env is read by systemd's EnvironmentFile and by the
    wrapper's ``set -a; . /etc/socle/env``: systemd keeps a trailing « # … » or what follows a
    blank in the value, and a ``$`` as it is, the shell does not; systemd ignores an
    ``export`` line."""
    table = configuration_table()
    settings = [
        line
        for line in deployment_block("# /etc/socle/env")
        if line.strip() and not line.startswith("#")
    ]
    assert len(settings) >= 8
    for line in settings:
        assert re.fullmatch(r"SOCLE_[A-Z0-9_]+=[^\s'\"$`\\]+", line), line
        assert line.split("=", 1)[0] in table, line


def test_it_gives_a_systemd_unit_that_reads_that_file_and_stops_gracefully() -> None:
    unit = deployment_block("# /etc/systemd/system/socle.service")
    sections = [line for line in unit if line.startswith("[")]
    assert sections == ["[Unit]", "[Service]", "[Install]"]
    assert "EnvironmentFile=/etc/socle/env" in unit
    assert "KillMode=mixed" in unit  # SIGTERM to gunicorn's master only: its graceful stop
    assert any(line.startswith("ExecStart=/opt/socle/.venv/bin/socle serve ") for line in unit)


def test_it_gives_the_unit_a_stop_timeout_beyond_the_graceful_stop() -> None:
    """systemd sends SIGTERM (gunicorn's graceful stop), then kills the unit's processes when
    ``TimeoutStopSec`` runs out: it must leave the requests in flight their
    ``SOCLE_SERVE_GRACEFUL_TIMEOUT``, and a few seconds for the master to exit."""
    from django.conf import settings

    unit = deployment_block("# /etc/systemd/system/socle.service")
    assert "KillSignal=SIGTERM" in unit
    (stop,) = [line for line in unit if line.startswith("TimeoutStopSec=")]
    assert int(stop.split("=", 1)[1]) >= settings.SOCLE_SERVE_GRACEFUL_TIMEOUT + 5
    assert configuration_table()["SOCLE_SERVE_GRACEFUL_TIMEOUT"] == "`20`"
