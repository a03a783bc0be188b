"""The ``bridgeway`` command: a thin wrapper over Django's management commands.

``bridgeway load-reference-data`` runs the ``load_reference_data`` management command;
hyphens and underscores are interchangeable so the public names read naturally.
"""

from __future__ import annotations

import os
import sys

# Commands that change the schema, remove audit entries or dump and restore it all, run as the database's owner role
# (DATABASE_OWNER_URL) when one is configured; everything else connects as the site's role.
OWNER_COMMANDS = frozenset({"migrate", "seed_demo", "backup", "restore"})


def main(argv: list[str] | None = None) -> None:
    """Run a Bridgeway command with Bridgeway's settings."""
    arguments = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgeway.settings")
    if len(arguments) > 1 and not arguments[1].startswith("-"):
        arguments[1] = arguments[1].replace("-", "_")
        if arguments[1] in OWNER_COMMANDS:
            os.environ.setdefault("BRIDGEWAY_DATABASE_ROLE", "owner")
    arguments[0] = "bridgeway"

    from bridgeway.environment import ConfigurationError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(arguments)
    except ConfigurationError as error:
        sys.stderr.write(f"bridgeway: configuration error: {error}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
