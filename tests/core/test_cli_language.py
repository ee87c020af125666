"""argparse's own words and Django's common options speak the ENT's language in Socle's
commands (socle.core.cli_language)."""

from __future__ import annotations

import argparse
import ast
import inspect

import pytest
from django.core.management import CommandError, load_command_class
from django.utils import translation

from socle.core import cli_language


def _argparse_messages() -> tuple[set[str], set[tuple[str, str]]]:
    """The literal messages argparse passes to ``_`` and ``ngettext``."""
    singles: set[str] = set()
    plurals: set[tuple[str, str]] = set()
    for node in ast.walk(ast.parse(inspect.getsource(argparse))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Name):
            continue
        texts = [a.value for a in node.args if isinstance(a, ast.Constant)]
        if node.func.id == "_" and texts and isinstance(texts[0], str):
            singles.add(texts[0])
        elif node.func.id == "ngettext" and len(texts) >= 2:
            plurals.add((texts[0], texts[1]))
    return singles, plurals


def _parser(name: str = "pronote_import") -> argparse.ArgumentParser:
    command = load_command_class("socle.pronote", name)
    return command.create_parser("socle", name)


def test_it_translates_only_messages_argparse_still_has() -> None:
    singles, plurals = _argparse_messages()
    assert set(cli_language.FRENCH) <= singles
    assert set(cli_language.FRENCH_PLURAL) <= plurals


def test_it_writes_the_help_in_french() -> None:
    with translation.override("fr"):
        text = _parser().format_help()
    assert text.startswith("utilisation : socle pronote_import")
    assert "arguments positionnels :" in text
    assert "options :" in text
    assert "afficher cette aide et quitter" in text
    assert "niveau de détail des messages" in text
    assert "show this help message" not in text
    assert "Verbosity level" not in text


def test_it_says_a_missing_argument_in_french() -> None:
    with translation.override("fr"), pytest.raises(CommandError) as raised:
        _parser().parse_args([])
    assert "arguments obligatoires manquants : FILE, --uai, --mode" in str(raised.value)


def test_it_says_an_invalid_choice_in_french() -> None:
    with translation.override("fr"), pytest.raises(CommandError) as raised:
        _parser().parse_args(["f.xml", "--uai", "0000000A", "--mode", "tout"])
    assert "argument --mode : choix invalide : 'tout' (valeurs possibles :" in str(raised.value)


def test_it_counts_expected_values_in_french() -> None:
    cli_language.install()
    parser = argparse.ArgumentParser(exit_on_error=False)
    parser.add_argument("--pair", nargs=2)
    with translation.override("fr"), pytest.raises(argparse.ArgumentError) as raised:
        parser.parse_args(["--pair", "a"])
    assert "2 valeurs attendues" in str(raised.value)


def test_it_keeps_argparse_english_in_english() -> None:
    with translation.override("en"):
        text = _parser().format_help()
        with pytest.raises(CommandError) as raised:
            _parser().parse_args([])
    assert text.startswith("usage: socle pronote_import")
    assert "show this help message and exit" in text
    assert "verbosity level" in text
    assert "the following arguments are required" in str(raised.value)


def test_it_gives_every_option_of_socles_commands_a_help() -> None:
    from django.core.management import get_commands

    missing = []
    for name, app in sorted(get_commands().items()):
        if app.startswith("socle"):
            parser = load_command_class(app, name).create_parser("socle", name)
            missing += [
                f"{name} {a.option_strings or a.dest}" for a in parser._actions if not a.help
            ]
    assert not missing
