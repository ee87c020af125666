"""The ``socle`` console script: Django's management commands with Socle's settings.

A configuration mistake (a ``SOCLE_*`` variable that cannot be understood, a setting Django
refuses) stops every command, ``socle --help`` included, with its one-line message on stderr and
exit status 1, instead of a Python traceback. So does a database that cannot be reached, for
Django's own commands too (``socle migrate``: ``socle.core.commands.unreachable_database``), and
Ctrl-C (« Interrompu. », exit status 130; Socle's own commands add what to do next:
``socle.core.commands.SocleCommand``). A one-shot command's console shows what the command
says, warnings and errors, not the INFO log lines (``socle.core.logfilters.CommandConsole``).
``socle --version`` (or ``socle version``, or ``--version`` after any command) prints Socle's
version, with Django's and Python's, and needs no setting (Django's printed Django's alone).
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from socle.env import ConfigurationError


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "socle.settings")
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    from socle.core.logfilters import set_command_console

    args = argv if argv is not None else sys.argv[1:]
    if "--version" in args or args == ["version"]:  # Django's would print Django's version
        sys.stdout.write(f"{version_line()}\n")
        return
    set_command_console(args[0] if args and not args[0].startswith("-") else "")
    try:
        execute_from_command_line(["socle", *args])
    except ConfigurationError as exc:
        sys.stderr.write(f"{exc.in_language()}\n")
        raise SystemExit(1) from None
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"{exc}\n")
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        sys.stderr.write(f"{_interrupted()}\n")
        raise SystemExit(130) from None
    except OperationalError:
        from socle.core.commands import unreachable_database

        message = unreachable_database()
        if message is None:
            raise
        sys.stderr.write(f"{message}\n")
        raise SystemExit(1) from None


def version_line() -> str:
    """« socle 1.2.0 (Django 5.2.8, Python 3.11.2) »: what an operator quotes in a bug report."""
    import platform

    import django

    import socle

    python = platform.python_version()
    return f"socle {socle.version()} (Django {django.get_version()}, Python {python})"


def _interrupted() -> str:
    try:
        from django.utils.translation import gettext

        return gettext("Interrompu.")
    except Exception:  # noqa: BLE001 - Ctrl-C while the settings were being read
        return "Interrompu."
