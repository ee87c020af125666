#!/usr/bin/env python
"""pronotesim's command line: ``python manage.py <command>`` (run from this directory)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pronotesim.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
