"""Strict parsing of the environment variables Bridgeway is configured by.

Every variable is documented in ``docs/configuration.md`` and ``.env.example``. A value
that cannot be parsed stops start-up with a message naming the variable, because a
misread security setting is worse than a service that will not start.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from bridgeway.private_files import private_directory


class ConfigurationError(Exception):
    """An environment variable holds a value Bridgeway cannot use."""


def env_str(name: str, default: str = "") -> str:
    """The variable's value, or ``default`` when it is unset or empty."""
    value = os.environ.get(name, "")
    return value if value != "" else default


def env_bool(name: str, default: bool) -> bool:
    """``true`` or ``false`` (any case); anything else is a configuration error."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value == "true":
        return True
    if value == "false":
        return False
    raise ConfigurationError(f"{name} must be 'true' or 'false', not {value!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    """A whole number no smaller than ``minimum``."""
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {number}")
    return number


def env_choice(name: str, default: str, choices: tuple[str, ...]) -> str:
    """One of ``choices`` (compared without regard to case), returned as spelled there."""
    value = os.environ.get(name, "").strip()
    if value == "":
        return default
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    value = os.environ.get(name, "")
    if value.strip() == "":
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str) -> str:
    """A secret from ``NAME`` or from the file named by ``NAME_FILE`` (for container secrets)."""
    file_name = os.environ.get(f"{name}_FILE", "")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigurationError(
                f"{name}_FILE names {file_name!r}, which cannot be read: {error}"
            ) from None
    return os.environ.get(name, "").strip()


def local_secret(path: Path, make: str = "token") -> str:
    """A secret kept in ``var/`` for local use, generated on first need.

    Only used when the operator gave none, so a fresh checkout runs without a secret in
    the repository. Production deployments set the variables instead.
    """
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    private_directory(path.parent)
    value = Fernet.generate_key().decode() if make == "fernet" else secrets.token_urlsafe(50)
    # Created private: these are the keys to people's sealed records.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(value + "\n")
    return value
