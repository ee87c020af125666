"""The ``socle`` console script: Django's management commands with Socle's settings."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socle.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["socle", *(argv if argv is not None else sys.argv[1:])])
