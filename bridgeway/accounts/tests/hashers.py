"""A cheap Argon2 for tests: the same algorithm and hash format, a fraction of the memory.

Production Argon2 asks for 100 MiB and several passes per hash on purpose; tests hash
hundreds of passwords, so they use tiny parameters. ``test_passwords`` checks the real
settings separately.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64
    parallelism = 1
