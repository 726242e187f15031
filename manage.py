#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casemgr.settings")
    # Commands typed at a developer's prompt run in development mode unless DEBUG says
    # otherwise; the web server (casemgr.wsgi) and the worker get no such default, so
    # production refuses to start without its settings.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
