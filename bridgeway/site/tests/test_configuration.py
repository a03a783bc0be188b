"""Settings come from the environment, strictly parsed, with safe defaults."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from hypothesis import given
from hypothesis import strategies as st

from bridgeway.environment import (
    ConfigurationError,
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    env_str,
    local_secret,
)

NAME = "BRIDGEWAY_TEST_SETTING"
# What an environment variable can hold: any text without NUL or unpaired surrogates.
env_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="\x00"),
    max_size=40,
)


@contextmanager
def variable(name: str, value: str | None) -> Iterator[None]:
    """Set (or unset) one environment variable for the block (hypothesis-safe)."""
    previous = os.environ.get(name)
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


# --- env_bool ----------------------------------------------------------------------------------


def test_env_bool_rejects_yes_with_a_message_naming_the_variable():
    with variable(NAME, "yes"), pytest.raises(ConfigurationError) as raised:
        env_bool(NAME, default=False)
    assert str(raised.value) == f"{NAME} must be 'true' or 'false', not 'yes'"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("true", True), ("TRUE", True), (" True ", True), ("false", False), ("False", False)],
)
def test_env_bool_reads_true_and_false_in_any_case(value, expected):
    with variable(NAME, value):
        assert env_bool(NAME, default=not expected) is expected


@pytest.mark.parametrize("value", [None, "", "   "])
def test_env_bool_unset_or_blank_is_the_default(value):
    with variable(NAME, value):
        assert env_bool(NAME, default=True) is True
        assert env_bool(NAME, default=False) is False


@given(env_text)
def test_env_bool_accepts_nothing_but_true_and_false(value):
    with variable(NAME, value):
        meaning = value.strip().lower()
        if meaning == "":
            assert env_bool(NAME, default=False) is False
        elif meaning in {"true", "false"}:
            assert env_bool(NAME, default=False) is (meaning == "true")
        else:
            with pytest.raises(ConfigurationError, match=NAME):
                env_bool(NAME, default=False)


# --- env_int, env_list, env_str ------------------------------------------------------------------


@given(st.integers(min_value=-(10**12), max_value=10**12), st.integers(min_value=0, max_value=100))
def test_env_int_reads_whole_numbers_and_enforces_the_minimum(number, minimum):
    with variable(NAME, f" {number} "):
        if number >= minimum:
            assert env_int(NAME, 7, minimum=minimum) == number
        else:
            with pytest.raises(ConfigurationError, match=f"{NAME} must be at least {minimum}"):
                env_int(NAME, 7, minimum=minimum)


@pytest.mark.parametrize("value", ["two", "2.5", "1e3", "0x10"])
def test_env_int_rejects_what_is_not_a_whole_number(value):
    with variable(NAME, value), pytest.raises(ConfigurationError) as raised:
        env_int(NAME, 1)
    assert str(raised.value) == f"{NAME} must be a whole number, not {value!r}"


@given(
    st.lists(
        env_text.map(str.strip).filter(lambda item: item != "" and "," not in item),
        min_size=1,
        max_size=6,
    )
)
def test_env_list_reads_back_the_items_it_was_given(items):
    with variable(NAME, " , ".join(items) + ","):
        assert env_list(NAME, ["default"]) == items


def test_env_list_and_env_str_fall_back_to_their_defaults_when_blank():
    with variable(NAME, ""):
        assert env_list(NAME, ["a", "b"]) == ["a", "b"]
        assert env_str(NAME, "fallback") == "fallback"


# --- secrets -------------------------------------------------------------------------------------


def test_env_secret_reads_the_file_named_by_its_file_variable(tmp_path):
    secret_file = tmp_path / "secret"
    secret_file.write_text("from-the-file\n", encoding="utf-8")
    with variable(NAME, "from-the-variable"), variable(f"{NAME}_FILE", str(secret_file)):
        assert env_secret(NAME) == "from-the-file"


def test_env_secret_reads_the_variable_when_no_file_is_named():
    with variable(NAME, "  from-the-variable "), variable(f"{NAME}_FILE", None):
        assert env_secret(NAME) == "from-the-variable"


def test_env_secret_with_an_unreadable_file_names_the_file_variable(tmp_path):
    missing = tmp_path / "not-there"
    with variable(f"{NAME}_FILE", str(missing)), pytest.raises(ConfigurationError) as raised:
        env_secret(NAME)
    assert str(raised.value).startswith(f"{NAME}_FILE names {str(missing)!r}, which cannot be read")


def test_local_secret_is_generated_once_privately_and_then_reused(tmp_path):
    path = tmp_path / "var" / "secret.key"
    first = local_secret(path)
    assert len(first) >= 50
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert local_secret(path) == first


def test_local_fernet_secret_is_a_usable_fernet_key(tmp_path):
    key = local_secret(tmp_path / "encryption.key", make="fernet")
    assert Fernet(key.encode()).decrypt(Fernet(key.encode()).encrypt(b"sealed")) == b"sealed"


# --- the settings module, in a fresh process -------------------------------------------------------


def test_debug_is_off_unless_asked_for(run_python):
    unset = run_python("print(settings.DEBUG)")
    asked = run_python("print(settings.DEBUG)", env={"BRIDGEWAY_DEBUG": "true"})
    assert (unset.returncode, unset.stdout.strip()) == (0, "False"), unset.stderr
    assert (asked.returncode, asked.stdout.strip()) == (0, "True"), asked.stderr


def test_secret_key_is_generated_into_var_when_none_is_given(run_python, clean_environment):
    var = Path(clean_environment["BRIDGEWAY_VAR_DIR"])
    first = run_python("print(settings.SECRET_KEY)")
    second = run_python("print(settings.SECRET_KEY)")
    assert first.returncode == 0, first.stderr
    key_file = var / "secret.key"
    assert key_file.read_text(encoding="utf-8").strip() == first.stdout.strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # Restarting keeps the key, so sessions and signed links survive a restart.
    assert second.stdout == first.stdout
    # The encryption and pseudonym keys are generated beside it, also private.
    for name in ("encryption.key", "pseudonym.key"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600


def test_given_secret_key_is_used_and_none_is_generated(run_python, clean_environment, tmp_path):
    secret_file = tmp_path / "secret-key"
    secret_file.write_text("a-secret-from-a-file\n", encoding="utf-8")
    result = run_python(
        "print(settings.SECRET_KEY)", env={"BRIDGEWAY_SECRET_KEY_FILE": str(secret_file)}
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "a-secret-from-a-file"
    assert not (Path(clean_environment["BRIDGEWAY_VAR_DIR"]) / "secret.key").exists()


def test_settings_read_hosts_database_and_keys_from_the_environment(run_python, tmp_path):
    key = Fernet.generate_key().decode()
    result = run_python(
        "print(settings.ALLOWED_HOSTS, settings.DATABASES['default']['ENGINE'], "
        "settings.ENCRYPTION_KEYS == [os.environ['KEY'], 'older'], settings.SUPPRESSION_THRESHOLD)",
        env={
            "BRIDGEWAY_ALLOWED_HOSTS": "bridgeway.example.org, www.bridgeway.example.org",
            "DATABASE_URL": "postgres://user@db.example.org:5432/bridgeway",
            "BRIDGEWAY_ENCRYPTION_KEYS": f"{key},older",
            "BRIDGEWAY_SUPPRESSION_THRESHOLD": "10",
            "KEY": key,
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "['bridgeway.example.org', 'www.bridgeway.example.org'] "
        "django.db.backends.postgresql True 10"
    )


def test_bad_boolean_stops_the_command_with_a_message_naming_the_variable(run_bridgeway):
    result = run_bridgeway("check", env={"BRIDGEWAY_HTTPS": "yes"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "bridgeway: configuration error: BRIDGEWAY_HTTPS must be 'true' or 'false', not 'yes'"
    )
    assert "Traceback" not in result.stderr


def test_unusable_database_url_stops_the_command_with_a_clear_message(run_bridgeway):
    result = run_bridgeway("check", env={"DATABASE_URL": "nosuchdb://somewhere/x"})
    assert result.returncode == 2
    assert result.stderr.startswith("bridgeway: configuration error: DATABASE_URL cannot be used")


def test_env_choice_reads_a_listed_value_in_any_case_and_refuses_others():
    levels = ("DEBUG", "INFO", "WARNING")
    with variable(NAME, "warning"):
        assert env_choice(NAME, "INFO", levels) == "WARNING"
    with variable(NAME, ""):
        assert env_choice(NAME, "INFO", levels) == "INFO"
    with variable(NAME, "verbose"), pytest.raises(ConfigurationError) as raised:
        env_choice(NAME, "INFO", levels)
    assert str(raised.value) == f"{NAME} must be one of DEBUG, INFO, WARNING, not 'verbose'"


def test_encryption_keys_can_come_from_a_file_newest_first(run_python, tmp_path):
    newest, older = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    keys_file = tmp_path / "keys"
    keys_file.write_text(f"{newest},\n{older}\n", encoding="utf-8")
    result = run_python(
        "print(','.join(settings.ENCRYPTION_KEYS))",
        env={"BRIDGEWAY_ENCRYPTION_KEYS_FILE": str(keys_file)},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{newest},{older}"


def test_bad_log_level_stops_the_command_with_a_message_naming_the_variable(run_bridgeway):
    result = run_bridgeway("check", env={"BRIDGEWAY_LOG_LEVEL": "verbose"})
    assert result.returncode == 2
    assert "BRIDGEWAY_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL" in (
        result.stderr
    )
