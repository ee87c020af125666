"""What every management command shares (``socle.core.commands``): it speaks the language of
``SOCLE_LANGUAGE`` (French by default), every text it prints going through Django's i18n and the
English catalog holding it; and on a database not yet migrated it says so in one sentence."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import load_command_class
from django.utils.translation import override

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = sorted(
    path
    for path in (ROOT / "src" / "socle").glob("*/management/commands/*.py")
    if path.name != "__init__.py"
)
WORDS = re.compile(r"[^\W\d_]{3,}")  # a word of three letters or more: a sentence to translate


def _literal_text(node: ast.expr) -> str:
    """The text written literally in ``node`` (a string or an f-string's fixed parts)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(_literal_text(part) for part in node.values)
    if isinstance(node, ast.BinOp):  # "…" % values, "…" + "…"
        return _literal_text(node.left) + _literal_text(node.right)
    return ""


def _unmarked(node: ast.expr) -> str | None:
    text = _literal_text(node)
    return text if WORDS.search(text) else None


def _printed_texts(tree: ast.Module) -> list[ast.expr]:
    """What a command prints: ``help``, argparse helps, stdout/stderr writes, CommandError."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and any(
                    isinstance(target, ast.Name) and target.id == "help"
                    for target in statement.targets
                ):
                    found.append(statement.value)
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        if name == "write" and isinstance(function, ast.Attribute):
            stream = function.value
            if isinstance(stream, ast.Attribute) and stream.attr in {"stdout", "stderr"}:
                found.extend(node.args[:1])
        if name == "CommandError":
            found.extend(node.args[:1])
        found.extend(keyword.value for keyword in node.keywords if keyword.arg == "help")
    return found


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: path.stem)
def test_it_marks_every_text_a_command_prints_for_translation(path: Path):
    tree = ast.parse(path.read_text(), filename=str(path))
    unmarked = [
        f"{path.name}:{node.lineno}: {text!r}"
        for node in _printed_texts(tree)
        if (text := _unmarked(node)) is not None
    ]
    assert unmarked == []


@pytest.mark.parametrize("path", COMMANDS, ids=lambda path: path.stem)
def test_it_prints_its_help_in_the_active_language(path: Path):
    app = ".".join(path.relative_to(ROOT / "src").parts[:2])  # socle.<app>
    helps = {}
    for language in ("fr", "en"):
        with override(language):  # a new command each time: create_parser fixes its help
            parser = load_command_class(app, path.stem).create_parser("socle", path.stem)
            helps[language] = parser.format_help()
    assert helps["fr"] != helps["en"]


def _socle(tmp: Path, *args: str, language: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SOCLE_SECRET_KEY": "language-test-" + "k3y" * 20,
        "SOCLE_DATA_DIR": str(tmp),
        "SOCLE_DATABASE_URL": f"sqlite:///{tmp / 'language.sqlite3'}",
        "SOCLE_REDIS_URL": "",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("SOCLE_LANGUAGE", None)
    if language is not None:
        env["SOCLE_LANGUAGE"] = language
    return subprocess.run(
        [sys.executable, "-m", "socle", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )


def test_it_speaks_french_by_default_and_english_when_asked(tmp_path: Path):
    french = _socle(tmp_path, "establishment_add", "0312609X", "Collège", language=None)
    english = _socle(tmp_path, "establishment_add", "0312609X", "Collège", language="en")
    assert french.returncode == english.returncode == 1
    assert "UAI 0312609X invalide" in french.stderr
    assert "Invalid UAI 0312609X" in english.stderr
    assert "invalide" not in english.stderr
    help_en = _socle(tmp_path, "pronote_import", "--help", language="en")
    assert help_en.returncode == 0 and "PRONOTE identifier file" in help_en.stdout


def test_it_refuses_a_language_it_does_not_speak(tmp_path: Path):
    result = _socle(tmp_path, "check", language="de")
    assert result.returncode != 0
    assert "SOCLE_LANGUAGE='de'" in result.stderr and "fr ou en" in result.stderr


def test_it_asks_for_the_migrations_on_a_database_that_lacks_them(tmp_path: Path):
    result = _socle(tmp_path, "establishment_add", "0312609T", "Collège Jean Jaurès", language=None)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "migration(s) à appliquer" in result.stderr and "socle migrate" in result.stderr
    migrated = _socle(tmp_path, "migrate", "--no-input", language=None)
    assert migrated.returncode == 0, migrated.stderr
    again = _socle(tmp_path, "establishment_add", "0312609T", "Collège Jean Jaurès", language=None)
    assert again.returncode == 0, again.stderr


def test_it_prints_a_refusal_as_its_sentence_alone(tmp_path: Path):
    result = _socle(tmp_path, "establishment_add", "0312609A", "Collège", language=None)
    assert result.returncode == 1
    assert result.stderr == (
        "UAI 0312609A invalide : la lettre de contrôle de 0312609 est T, pas A.\n"
    )
    with_traceback = _socle(
        tmp_path, "establishment_add", "0312609A", "Collège", "--traceback", language=None
    )
    assert "CommandError: UAI 0312609A invalide" in with_traceback.stderr


def test_it_still_raises_the_refusal_to_call_command():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="UAI 0312609A invalide"):
        call_command("establishment_add", "0312609A", "Collège")
