"""The base of Socle's management commands: a ``help`` that is a lazy translation.

A command's ``help`` is a class attribute, evaluated at import, before any language is chosen: it
must be ``gettext_lazy``'s. argparse formats it with string operations a lazy object does not
offer, so the parser receives it in the active language (``SOCLE_LANGUAGE``) as a plain string.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class TranslatedCommand(BaseCommand):
    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
